/**
 * Where each service's image comes from, and the tag check against ECR (trap T1: never roll
 * out a task definition whose image was never pushed).
 */
import { DescribeImagesCommand, type ECRClient } from "@aws-sdk/client-ecr";
import type { EnvironmentConfig } from "../../config/schema";
import { SERVICE_KEYS, imageTagVariable, type DeployContract, type ServiceKey } from "../../stacks/deploy-contract";
import { awsCall, DeployError, UsageError } from "./errors";

/**
 * `config.services.<key>.image` (config/schema.ts):
 * - `tag`: built by CI and pushed with an immutable tag; the stack's `<key>_image_tag` variable selects it.
 * - `build`: built and pushed by Terraform's Docker provider during apply.
 */
export type ImageSource = EnvironmentConfig["services"][ServiceKey]["image"];

export type ImageSources = Readonly<Record<ServiceKey, ImageSource>>;

/** Docker's tag rule: 1-128 characters of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export { imageTagVariable };

/** The image source of each service, from the environment's configuration. */
export function imageSourcesOf(config: EnvironmentConfig): ImageSources {
  return { backend: config.services.backend.image, frontend: config.services.frontend.image };
}

/** Tags given on the command line (`--backend-tag`, `--frontend-tag`). */
export type TagOverrides = Partial<Record<ServiceKey, string>>;

/** Checks a tag's format; throws UsageError naming the flag. */
export function checkTagFormat(flag: string, tag: string): string {
  if (!IMAGE_TAG.test(tag)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(tag)} is not a valid image tag: use 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.`,
    );
  }
  return tag;
}

/**
 * Applies command-line tag overrides to the configured sources. A tag for a service that is
 * built by Terraform (`build` mode) is a usage error: there is no tag to choose.
 */
export function applyTagOverrides(sources: ImageSources, overrides: TagOverrides): ImageSources {
  const result = { ...sources };
  for (const key of SERVICE_KEYS) {
    const tag = overrides[key];
    if (tag === undefined) continue;
    checkTagFormat(`--${key}-tag`, tag);
    const source = sources[key];
    if (source.source !== "tag") {
      throw new UsageError(`--${key}-tag only applies when the ${key} image comes from a tag; config builds it from ${source.context} (source: "build").`);
    }
    result[key] = { ...source, tag };
  }
  return result;
}

/** Services whose image is chosen by tag, with their tags. */
export function taggedServices(sources: ImageSources): { service: ServiceKey; tag: string }[] {
  return SERVICE_KEYS.flatMap((service) => {
    const source = sources[service];
    return source.source === "tag" ? [{ service, tag: source.tag }] : [];
  });
}

/** `-var`/`--var` values for the tag-mode services, e.g. `backend_image_tag=v1.2.3`. */
export function imageTagVars(sources: ImageSources): string[] {
  return taggedServices(sources).map(({ service, tag }) => `${imageTagVariable(service)}=${tag}`);
}

/** The registry host of an account's ECR: `<account>.dkr.ecr.<region>.amazonaws.com` (from the deploy contract). */
export function registryHost(contract: DeployContract): string {
  return contract.registryHost;
}

/**
 * Verifies that each tag-mode service's tag is in its ECR repository (DescribeImages).
 * A missing tag or repository is a DeployError with the repository, the tag and how to push it.
 * Done whatever `verifyTagExists` says: that setting switches the stack's plan-time check off for
 * offline plans, while a deploy always talks to AWS and the check costs one call per service.
 *
 * @param createRepositoriesHint what to run when a repository does not exist yet (first deploy in tag mode)
 */
export async function verifyImageTags(
  ecr: ECRClient,
  contract: DeployContract,
  sources: ImageSources,
  log: (line: string) => void,
  createRepositoriesHint?: string,
): Promise<void> {
  for (const { service, tag } of taggedServices(sources)) {
    const repository = contract.services[service].repositoryName;
    const image = `${registryHost(contract)}/${repository}:${tag}`;
    const pushHint =
      `Push it first (CI normally does this):\n` +
      `  aws ecr get-login-password --region ${contract.region} | docker login --username AWS --password-stdin ${registryHost(contract)}\n` +
      `  docker build --platform <linux/amd64|linux/arm64> -t ${image} <context>\n` +
      `  docker push ${image}\n` +
      `or deploy a tag that exists: npm run deploy -- ${contract.environment} --${service}-tag <tag>`;
    try {
      await ecr.send(new DescribeImagesCommand({ repositoryName: repository, registryId: contract.accountId, imageIds: [{ imageTag: tag }] }));
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "ImageNotFoundException") {
        throw new DeployError(`The ${service} image tag "${tag}" is not in ECR repository "${repository}" (account ${contract.accountId}, ${contract.region}).\n${pushHint}`);
      }
      if (name === "RepositoryNotFoundException") {
        throw new DeployError(
          `ECR repository "${repository}" for the ${service} image does not exist yet (account ${contract.accountId}, ${contract.region}), so tag "${tag}" cannot be in it.\n` +
            `On a new environment in tag mode, create the repositories first:\n  ${createRepositoriesHint ?? "(apply the aws_ecr_repository resources of the stack with terraform -target)"}\n` +
            pushHint,
        );
      }
      await awsCall(`Checking ${service} image ${image} in ECR`, () => Promise.reject(error));
    }
    log(`      ${service}: ${image} is in ECR`);
  }
}
