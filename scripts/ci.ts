/**
 * Helpers for the GitHub Actions workflows (.github/workflows), so that they read config/ instead
 * of repeating it:
 *
 *   npx tsx scripts/ci.ts env <environment>
 *     `key=value` lines for $GITHUB_OUTPUT: region, registry, and per service its image source,
 *     ECR repository URL and build platform (from cpuArchitecture, trap T6).
 *
 *   npx tsx scripts/ci.ts deployed-tags <environment> <state.json>
 *     Reads `terraform show -json` of the environment's current state and prints a tfvars JSON
 *     object with the image tag each tag-mode service runs now, e.g. {"backend_image_tag":"3f2a..."}.
 *     Plans in pull requests and drift detection use it, so an image CI deployed is not a change.
 *
 * Exit codes: 0 done, 2 usage error (unknown command or environment, unreadable file).
 */
import { readFileSync } from "node:fs";
import { environments, loadEnvironments, type EnvironmentConfig } from "../config";
import { dockerPlatform } from "../constructs/compute/container-image";
import { imageSourcesOf, imageTagVariable, registryHost } from "../lib/deploy/images";
import { deployContract, SERVICE_KEYS, type ServiceKey } from "../stacks/deploy-contract";

export const USAGE = "usage: ci.ts env <environment> | ci.ts deployed-tags <environment> <state.json>";

export class CiUsageError extends Error {}

function environmentNamed(name: string | undefined, configs: readonly EnvironmentConfig[]): EnvironmentConfig {
  const config = configs.find((c) => c.name === name);
  if (!config) throw new CiUsageError(`unknown environment ${JSON.stringify(name ?? "")}; valid environments: ${configs.map((c) => c.name).join(", ")}`);
  return config;
}

/** The workflow outputs of `env <environment>`, in a stable order. */
export function environmentOutputs(config: EnvironmentConfig): Record<string, string> {
  const contract = deployContract(config);
  const sources = imageSourcesOf(config);
  const registry = registryHost(contract);
  const outputs: Record<string, string> = { environment: config.name, region: config.region, account_id: config.accountId, registry };
  for (const service of SERVICE_KEYS) {
    outputs[`${service}_source`] = sources[service].source;
    outputs[`${service}_repository`] = `${registry}/${contract.services[service].repositoryName}`;
    outputs[`${service}_repository_name`] = contract.services[service].repositoryName;
    outputs[`${service}_platform`] = dockerPlatform(config.services[service].cpuArchitecture);
  }
  return outputs;
}

interface StateResource {
  readonly type?: string;
  readonly values?: { readonly family?: unknown; readonly container_definitions?: unknown };
}
interface StateModule {
  readonly resources?: readonly StateResource[];
  readonly child_modules?: readonly StateModule[];
}

function resourcesOf(module: StateModule | undefined): StateResource[] {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(resourcesOf)];
}

/** `repo:tag` → `tag`; undefined for a digest reference (`repo@sha256:...`) or no tag. */
export function tagOfImage(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const match = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf("/") + 1));
  return match?.[1];
}

/**
 * The `<service>_image_tag` values that the environment's current state runs, for the services in
 * tag mode; services without a task definition in the state yet are left out (the config default applies).
 */
export function deployedImageTags(config: EnvironmentConfig, state: unknown): Record<string, string> {
  const contract = deployContract(config);
  const sources = imageSourcesOf(config);
  const root = (state as { values?: { root_module?: StateModule } } | null)?.values?.root_module;
  const taskDefinitions = resourcesOf(root).filter((r) => r.type === "aws_ecs_task_definition");
  const tags: Record<string, string> = {};
  for (const service of SERVICE_KEYS as readonly ServiceKey[]) {
    if (sources[service].source !== "tag") continue;
    const { taskFamily, containerName } = contract.services[service];
    const definition = taskDefinitions.find((r) => r.values?.family === taskFamily);
    const raw = definition?.values?.container_definitions;
    if (typeof raw !== "string") continue;
    const containers = JSON.parse(raw) as { name?: string; image?: string }[];
    const image = containers.find((c) => c.name === containerName)?.image;
    const tag = image ? tagOfImage(image) : undefined;
    if (tag) tags[imageTagVariable(service)] = tag;
  }
  return tags;
}

/** Runs one command; returns the exit code. */
export function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void, configs = loadEnvironments(environments)): number {
  try {
    const [command, name, file] = argv;
    if (command === "env" && argv.length === 2) {
      const outputs = environmentOutputs(environmentNamed(name, configs));
      out(Object.entries(outputs).map(([key, value]) => `${key}=${value}\n`).join(""));
      return 0;
    }
    if (command === "deployed-tags" && argv.length === 3) {
      const config = environmentNamed(name, configs);
      let state: unknown;
      try {
        state = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        throw new CiUsageError(`${JSON.stringify(file)} is not readable JSON (${(error as Error).message}); write it with: terraform show -json > state.json`);
      }
      out(`${JSON.stringify(deployedImageTags(config, state))}\n`);
      return 0;
    }
    throw new CiUsageError(USAGE);
  } catch (error) {
    if (error instanceof CiUsageError) {
      err(`ci: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t));
}
