/**
 * `npm run deploy -- <env>`: the safe rollout, as five steps (README "Deploying").
 *   1. synth  2. pre-rollout apply (tag check; everything but the services)  3. migrate
 *   4. plan, review, apply that plan file  5. wait for both services to be stable (fails on a circuit-breaker rollback)
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { MIGRATION_TASK_DEFINITION_OUTPUT, SERVICE_KEYS, type DeployContract } from "../../stacks/deploy-contract";
import { registryHost, type ImageSources } from "./images";
import { runMigration } from "./migrate";
import type { CommandCapture, CommandRunner } from "./process";
import { DETAIL, formatDuration, step, type Clock, type Log, type PollOptions } from "./progress";
import { revisionOf, waitForServicesStable } from "./rollout";
import { deployReviewed, preRolloutApply, runningImageDefaults, synthesize } from "./terraform-steps";

export interface DeployOptions {
  readonly contract: DeployContract;
  /** Image source per service, with command-line tag overrides applied. */
  readonly sources: ImageSources;
  /** Directory of cdktf.json. */
  readonly projectDir: string;
  /** `cdktf.out/stacks/<env>`, absolute. */
  readonly stackDir: string;
  /** @default "terraform" */
  readonly terraformBin?: string;
  /** Skip step 3 (the migration task). */
  readonly skipMigrations: boolean;
  readonly migrationPoll: PollOptions;
  readonly rolloutPoll: PollOptions;
  /** Addresses the plan review gate may let through (`--allow`). @default none */
  readonly allow?: readonly string[];
  /**
   * Keep the running image of every tag-mode service not in `explicit` (its tag read from the
   * state with `runningTags`), instead of the config's tag. @default off: `sources` as given
   */
  readonly runningImages?: { readonly explicit: readonly string[]; readonly runningTags: (state: unknown) => Record<string, string> };
}

export interface DeployDeps {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
  readonly run: CommandRunner;
  readonly capture: CommandCapture;
  readonly log: Log;
  readonly clock: Clock;
}

export const DEPLOY_STEPS = 5;

/** Defaults for the waits: migrations poll every 5 s, services every 15 s; 30 minutes each. */
export const DEFAULT_MIGRATION_POLL: PollOptions = { intervalMs: 5_000, timeoutMs: 30 * 60_000 };
export const DEFAULT_ROLLOUT_POLL: PollOptions = { intervalMs: 15_000, timeoutMs: 30 * 60_000 };

function describeSources(contract: DeployContract, sources: ImageSources): string {
  return SERVICE_KEYS.map((key) => {
    const source = sources[key];
    return source.source === "tag"
      ? `${key} ${registryHost(contract)}/${contract.services[key].repositoryName}:${source.tag}`
      : `${key} built from ${source.context} (${source.dockerfile})`;
  }).join("; ");
}

function step2Title(sources: ImageSources): string {
  const modes = new Set(SERVICE_KEYS.map((key) => sources[key].source));
  const check = modes.has("tag") ? "Checking image tags in ECR, applying" : "Applying";
  const images = modes.has("build") ? "images and " : "";
  return `${check} ${images}everything but the services (migration task definition, database, network)`;
}

/** Runs the five steps in order; the first failure stops the deploy (its DeployError says why). */
export async function deploy(options: DeployOptions, deps: DeployDeps): Promise<void> {
  const { contract } = options;
  let sources = options.sources;
  const { log, clock } = deps;
  const started = clock.now();
  const at = (index: number) => ({ index, total: DEPLOY_STEPS });

  log(`Deploying "${contract.environment}" to account ${contract.accountId} in ${contract.region}`);
  log(`${DETAIL}images: ${describeSources(contract, sources)}`);

  await step(log, clock, at(1), "Synthesizing (cdktf synth)", () => synthesize(deps.run, options.projectDir));

  await step(log, clock, at(2), step2Title(sources), async () => {
    if (options.runningImages) {
      sources = await runningImageDefaults({ stackDir: options.stackDir, terraformBin: options.terraformBin, sources, ...options.runningImages }, deps);
    }
    return preRolloutApply({ contract, sources, projectDir: options.projectDir, stackDir: options.stackDir, terraformBin: options.terraformBin, allow: options.allow }, deps);
  });

  if (options.skipMigrations) {
    log(`[3/${DEPLOY_STEPS}] !!! SKIPPING DATABASE MIGRATIONS (--skip-migrations) !!!`);
    log(`${DETAIL}The new code rolls out against the current database schema. Run them later with the migration task "${contract.migration.taskFamily}".`);
  } else {
    await step(log, clock, at(3), "Running database migrations", async () => {
      // The ARN Terraform output after step 2's apply: exactly the revision that apply registered.
      const arn = (await deps.capture(options.terraformBin ?? "terraform", ["output", "-raw", MIGRATION_TASK_DEFINITION_OUTPUT], { cwd: options.stackDir })).trim();
      const result = await runMigration(contract, options.migrationPoll, deps, arn);
      log(`${DETAIL}migration exited ${result.exitCode}`);
    });
  }

  await step(log, clock, at(4), `Deploying the stack (plan, review, apply exactly the reviewed plan)`, () =>
    deployReviewed({ stackDir: options.stackDir, terraformBin: options.terraformBin, environment: contract.environment, sources, allow: options.allow ?? [] }, deps),
  );

  const workers = Object.keys(contract.workers ?? {});
  const waitingFor = `backend${workers.length ? ", frontend and the workers (" + workers.join(", ") + ")" : " and frontend"}`;
  const running = await step(log, clock, at(5), `Waiting for ${waitingFor} to be stable`, () => waitForServicesStable(contract, options.rolloutPoll, deps));

  log(
    `Deployed "${contract.environment}" in ${formatDuration(clock.now() - started)}: ${Object.keys(running).map((key) => `${key} ${revisionOf(running[key])}`).join(", ")}` +
      (options.skipMigrations ? " (migrations were SKIPPED)" : ""),
  );
}
