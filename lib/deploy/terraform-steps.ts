/**
 * The deploy steps that run CDKTF and Terraform: synth (1), the pre-rollout targeted apply (2)
 * and the full deploy (4). Commands go through an injected CommandRunner.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { relative } from "node:path";
import type { DeployContract } from "../../stacks/deploy-contract";
import { imageTagVars, taggedServices, verifyImageTags, type ImageSources } from "./images";
import { parsePlan, reviewPlan, toText } from "../plan-review";
import { DeployError } from "./errors";
import { commandLine, type CommandCapture, type CommandRunner } from "./process";
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
  /** Addresses the plan review may let through. @default none */
  readonly allow?: readonly string[];
}

export interface PreRolloutApplyDeps {
  readonly ecr: ECRClient;
  readonly run: CommandRunner;
  readonly capture: CommandCapture;
  readonly log: Log;
}

export interface ReviewedApplyOptions {
  readonly stackDir: string;
  readonly terraformBin?: string;
  /** Plan arguments (`-target`, `-var`). */
  readonly args: readonly string[];
  /** The saved plan's file name in the stack directory. */
  readonly planFile: string;
  /** Addresses the review may let through (`npm run deploy -- <env> --allow <address>`); those not in this plan are ignored. */
  readonly allow: readonly string[];
  /** For the review heading and the unblock hint. */
  readonly environment: string;
}

/**
 * Plans into a file, runs the plan review gate on exactly that plan, and applies exactly that plan
 * file: what is applied is what was reviewed (never a second, fresh plan). A blocked review stops
 * the deploy before anything changes, naming the addresses and the `--allow` flags.
 */
export async function reviewedApply(options: ReviewedApplyOptions, deps: { readonly run: CommandRunner; readonly capture: CommandCapture; readonly log: Log }): Promise<void> {
  const terraform = options.terraformBin ?? "terraform";
  const cwd = options.stackDir;
  await deps.run(terraform, ["plan", "-input=false", `-out=${options.planFile}`, ...options.args], { cwd });
  const plan = parsePlan(JSON.parse(await deps.capture(terraform, ["show", "-json", options.planFile], { cwd })));
  const inPlan = new Set((plan.resource_changes ?? []).map((c) => c.address));
  const review = reviewPlan(plan, { allow: options.allow.filter((a) => inPlan.has(a)) });
  const command = `npm run deploy -- ${options.environment}`;
  for (const line of toText(review, { title: `Plan review (${options.planFile})`, command }).trimEnd().split("\n")) deps.log(`${DETAIL}${line}`);
  if (review.blocked) {
    throw new DeployError(
      `The plan review blocked the deploy: ${review.blocking.map((c) => `${c.address} (${c.blockReason})`).join("; ")}. Nothing was applied.\n` +
        `If this is intended, deploy again with: ${command} ${review.blocking.map((c) => `--allow '${c.address}'`).join(" ")}`,
    );
  }
  await deps.run(terraform, ["apply", "-input=false", options.planFile], { cwd });
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
  await reviewedApply(
    { stackDir, terraformBin: options.terraformBin, args: [...targets.map((t) => `-target=${t}`), ...vars], planFile: "pre-rollout.tfplan", allow: options.allow ?? [], environment: contract.environment },
    deps,
  );
  return targets;
}

/**
 * Issue 10 item 5: the image that is running is the default. For each tag-mode service without an
 * explicit tag (`--<service>-tag`), the tag its task definition runs in the current state replaces
 * the config's tag (which may be older than what CI deployed): a plain `npm run deploy` never rolls
 * an image back. A fresh environment (no task definition in the state) keeps the config's tag.
 */
export async function runningImageDefaults(
  options: { readonly stackDir: string; readonly terraformBin?: string; readonly sources: ImageSources; readonly explicit: readonly string[]; readonly runningTags: (state: unknown) => Record<string, string> },
  deps: { readonly run: CommandRunner; readonly capture: CommandCapture; readonly log: Log },
): Promise<ImageSources> {
  const terraform = options.terraformBin ?? "terraform";
  await deps.run(terraform, ["init", "-input=false"], { cwd: options.stackDir });
  const state: unknown = JSON.parse((await deps.capture(terraform, ["show", "-json"], { cwd: options.stackDir })) || "null");
  const running = options.runningTags(state);
  const result: Record<string, ImageSources[keyof ImageSources]> = { ...options.sources };
  for (const { service, tag } of taggedServices(options.sources)) {
    const current = running[`${service}_image_tag`];
    if (options.explicit.includes(service) || current === undefined || current === tag) continue;
    deps.log(`${DETAIL}${service}: keeping the running image tag ${current} (config says ${tag}; pass --${service}-tag to change it)`);
    result[service] = { ...options.sources[service], tag: current } as ImageSources[keyof ImageSources];
  }
  return result as unknown as ImageSources;
}

/**
 * Step 4: the full plan of the stack step 1 synthesized (with `-var <service>_image_tag=<tag>` for the
 * tag-mode services), reviewed, and exactly that plan file applied (see {@link reviewedApply}).
 */
export async function deployReviewed(
  options: { readonly stackDir: string; readonly terraformBin?: string; readonly environment: string; readonly sources: ImageSources; readonly allow: readonly string[] },
  deps: { readonly run: CommandRunner; readonly capture: CommandCapture; readonly log: Log },
): Promise<void> {
  const vars = imageTagVars(options.sources).flatMap((v) => ["-var", v]);
  await reviewedApply({ stackDir: options.stackDir, terraformBin: options.terraformBin, args: vars, planFile: "deploy.tfplan", allow: options.allow, environment: options.environment }, deps);
}
