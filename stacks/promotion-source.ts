import type { EnvironmentConfig } from "../config/schema";
import { PropsError } from "../constructs/core/errors";
import { partitionOf } from "../constructs/core/partition";
import { deployContract, SERVICE_KEYS } from "./deploy-contract";

/**
 * The environment `config` promotes images from (config `delivery.promoteFrom`, README "Promoting to
 * production") among `candidates`; undefined when it builds its own images. The config loader
 * already refused a source in another account or region, or the environment itself.
 *
 * @param strict when true (the workflows' helper, which sees every environment), a source that is
 *   not among `candidates` is an error; when false (a bootstrap stack, which sees its account's
 *   environments of this synth only), no source is granted
 * @throws PropsError naming the environment, the setting and the value
 */
export function promotionSource(config: EnvironmentConfig, candidates: readonly EnvironmentConfig[], strict: boolean): EnvironmentConfig | undefined {
  const name = config.delivery.promoteFrom;
  if (name === undefined) return undefined;
  const source = candidates.find((e) => e.name === name && e.name !== config.name && e.accountId === config.accountId && e.region === config.region);
  if (!source && strict) {
    throw new PropsError(
      `${config.name}: delivery.promoteFrom ${JSON.stringify(name)} must name another environment in the same AWS account and region (${config.accountId}, ${config.region}); ` +
        `environments there: ${candidates.filter((e) => e.name !== config.name && e.accountId === config.accountId && e.region === config.region).map((e) => e.name).join(", ") || "none"}`,
    );
  }
  return source;
}

/** ARNs of the repositories `config` promotes from (the source's service repositories), or none. */
export function promotionSourceRepositories(config: EnvironmentConfig, sameAccount: readonly EnvironmentConfig[]): string[] {
  const source = promotionSource(config, sameAccount, false);
  if (!source) return [];
  const contract = deployContract(source);
  return SERVICE_KEYS.map((key) => `arn:${partitionOf(source.region)}:ecr:${source.region}:${source.accountId}:repository/${contract.services[key].repositoryName}`);
}
