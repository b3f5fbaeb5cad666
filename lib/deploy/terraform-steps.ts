/**
 * The deploy steps that run CDKTF and Terraform: synth (1), the pre-rollout targeted apply (2)
 * and the full deploy (4). Commands go through an injected CommandRunner.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { relative } from "node:path";
import type { DeployContract } from "../../stacks/deploy-contract";
import { imageTagVars, taggedServices, verifyImageTags, type ImageSources } from "./images";
import { commandLine, type CommandRunner } from "./process";
import { DETAIL, type Log } from "./progress";
import { findApplyTargets, readSynthesizedStack, repositoryTargets } from "./targets";

/** Step 1: `npx cdktf synth` in the project directory (writes `cdktf.out/stacks/<env>/cdk.tf.json`). */
export async function synthesize(run: CommandRunner, projectDir: string): Promise<void> {
  await run("npx", ["cdktf", "synth"], { cwd: projectDir });
}

export interface PreRolloutApplyOptions {
  readonly contract: DeployContract;
  readonly sources: ImageSources;
  /** Directory of the project (cdktf.json). */
  readonly projectDir: string;
  /** `cdktf.out/stacks/<env>`, absolute. */
  readonly stackDir: string;
  /** @default "terraform" */
  readonly terraformBin?: string;
}

export interface PreRolloutApplyDeps {
  readonly ecr: ECRClient;
  readonly run: CommandRunner;
  readonly log: Log;
}

/**
 * Step 2: make the migration runnable with the new image before any service changes.
 * Tag mode: check each tag is in ECR. Then `terraform init` and a targeted `terraform apply` of
 * everything except the ECS services and what depends on them (see targets.ts for why not just
 * the migration's own resources). Returns the targets applied.
 */
export async function preRolloutApply(options: PreRolloutApplyOptions, deps: PreRolloutApplyDeps): Promise<string[]> {
  const { contract, sources, stackDir } = options;
  const terraform = options.terraformBin ?? "terraform";
  const stack = readSynthesizedStack(stackDir);
  const { targets, required, deferred } = findApplyTargets(stack, contract, sources);

  if (taggedServices(sources).length) {
    const where = relative(options.projectDir, stackDir) || ".";
    const repositories = repositoryTargets(stack, contract);
    const hint = repositories.length
      ? `${commandLine(terraform, [`-chdir=${where}`, "init", "-input=false"])} && ${commandLine(terraform, [`-chdir=${where}`, "apply", "-input=false", ...repositories.map((t) => `-target=${t}`)])}`
      : undefined;
    await verifyImageTags(deps.ecr, contract, sources, deps.log, hint);
  }

  deps.log(`${DETAIL}applying ${targets.length} resources: everything except ${deferred.join(", ")}`);
  deps.log(`${DETAIL}the migration needs: ${required.join(", ")}`);
  await deps.run(terraform, ["init", "-input=false"], { cwd: stackDir });
  const vars = imageTagVars(sources).flatMap((v) => ["-var", v]);
  await deps.run(terraform, ["apply", "-input=false", "-auto-approve", ...targets.map((t) => `-target=${t}`), ...vars], { cwd: stackDir });
  return targets;
}

/**
 * Step 4: `npx cdktf deploy <env> --auto-approve --skip-synth`, with `--var=<service>_image_tag=<tag>`
 * for the tag-mode services. `--skip-synth` deploys exactly the stack that step 2 applied from.
 */
export async function cdktfDeploy(run: CommandRunner, projectDir: string, environment: string, sources: ImageSources): Promise<void> {
  const vars = imageTagVars(sources).map((v) => `--var=${v}`);
  await run("npx", ["cdktf", "deploy", environment, "--auto-approve", "--skip-synth", ...vars], { cwd: projectDir });
}
