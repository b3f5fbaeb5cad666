import type { EnvironmentConfig } from "../config/schema";
import { PropsError } from "../constructs/core/errors";
import { partitionOf } from "../constructs/core/partition";
import { deployContract, SERVICE_KEYS } from "./deploy-contract";

/**
 * The environment `config` promotes images from (config `delivery.promoteFrom`), among the
 * environments of its account; undefined when it builds its own images.
 *
 * @throws PropsError naming the environment, the setting and the value when the source is itself, or
 *   not an environment of the same AWS account (a cross-account copy needs a repository policy on
 *   the source's repositories, which is not built)
 */
export function promotionSource(config: EnvironmentConfig, sameAccount: readonly EnvironmentConfig[]): EnvironmentConfig | undefined {
  const name = config.delivery.promoteFrom;
  if (name === undefined) return undefined;
  const source = sameAccount.find((e) => e.name === name);
  if (!source || name === config.name) {
    throw new PropsError(
      `${config.name}: delivery.promoteFrom ${JSON.stringify(name)} must name another environment in the same AWS account (${config.accountId}); ` +
        `environments there: ${sameAccount.filter((e) => e.name !== config.name).map((e) => e.name).join(", ") || "none"}. ` +
        "Promotion across accounts is not supported yet: leave promoteFrom out and CI builds this environment's images",
    );
  }
  return source;
}

/** ARNs of the repositories `config` promotes from (the source's service repositories), or none. */
export function promotionSourceRepositories(config: EnvironmentConfig, sameAccount: readonly EnvironmentConfig[]): string[] {
  const source = promotionSource(config, sameAccount);
  if (!source) return [];
  const contract = deployContract(source);
  return SERVICE_KEYS.map((key) => `arn:${partitionOf(source.region)}:ecr:${source.region}:${source.accountId}:repository/${contract.services[key].repositoryName}`);
}
