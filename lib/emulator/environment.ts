/**
 * One environment applied to the emulator as a new user would on an empty account: the hosted
 * zone exists (created by hand once; the emulator picks its id, which goes into config), the ECR
 * repositories are created first and CI pushes the images, then the whole stack applies.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { BatchDeleteImageCommand, ECRClient, ListImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { loadEnvironment } from "../../config";
import type { EnvironmentInput } from "../../config/schema";
import { deployContract } from "../../stacks/deploy-contract";
import type { DeployDeps, DeployOptions } from "../deploy/deploy";
import { imageSourcesOf } from "../deploy/images";
import type { CommandRunner } from "../deploy/process";
import { systemClock } from "../deploy/progress";
import type { DestroyDeps } from "../teardown/destroy";
import { harnessOptionsFromEnv, synthesize, type HarnessOptions } from "../terraform";
import { inventory } from "./inventory";
import { startMoto, type Emulator } from "./moto";
import { createHostedZone, emulatorInput, pushImageManifest } from "./setup";
import { EmulatedStack, targetsOfType } from "./stack";

export interface EmulatedEnvironment {
  readonly emulator: Emulator;
  readonly input: EnvironmentInput;
  readonly hostedZoneId: string;
  readonly outdir: string;
  readonly stack: EmulatedStack;
  /** What the emulator held before the stack was applied. */
  readonly before: string[];
  readonly options: HarnessOptions;
}

function ecr(env: EmulatedEnvironment): ECRClient {
  return new ECRClient({ region: env.input.region, endpoint: env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } });
}

/** Repository names of the stack's services (from the synthesized stack). */
export function repositoryNames(stack: EmulatedStack): string[] {
  const resources = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")).resource?.aws_ecr_repository ?? {};
  return Object.values(resources as Record<string, { name: string }>).map((r) => r.name);
}

/** Pushes `tag` to every repository of the stack. */
export async function pushAll(env: EmulatedEnvironment, tag: string): Promise<void> {
  await Promise.all(repositoryNames(env.stack).map((name) => pushImageManifest(env.emulator, env.input.region, name, tag)));
}

/** Deletes every image of every repository of the stack (what CI pushed; Terraform does not own it). */
export async function emptyRepositories(env: EmulatedEnvironment): Promise<void> {
  const client = ecr(env);
  for (const repositoryName of repositoryNames(env.stack)) {
    const { imageIds } = await client.send(new ListImagesCommand({ repositoryName }));
    if (imageIds?.length) await client.send(new BatchDeleteImageCommand({ repositoryName, imageIds }));
  }
  client.destroy();
}

/**
 * Starts an emulator, creates the hosted zone, synthesizes `base` pointed at the emulator
 * (`emulatorInput`, plus `overrides`) and initialises its stack. Applies nothing yet.
 */
export async function prepareEnvironment(
  base: EnvironmentInput,
  overrides?: (input: EnvironmentInput) => EnvironmentInput,
  stackName: string = base.name,
): Promise<EmulatedEnvironment> {
  const emulator = await startMoto();
  const hostedZoneId = await createHostedZone(emulator, base.domain.name);
  const input = emulatorInput(base, hostedZoneId, overrides);
  const outdir = mkdtempSync(join(tmpdir(), `emulator-${stackName}-`));
  synthesize(outdir, [input]);
  const options = harnessOptionsFromEnv();
  const stack = await EmulatedStack.init(outdir, stackName, emulator.endpoint, options);
  const before = await inventory(emulator, input.region, [hostedZoneId]);
  return { emulator, input, hostedZoneId, outdir, stack, before, options };
}

/** Re-synthesizes the environment with another config (same emulator, zone and state) and re-initialises it. */
export async function resynthesize(env: EmulatedEnvironment, overrides: (input: EnvironmentInput) => EnvironmentInput): Promise<EmulatedEnvironment> {
  const input = overrides(env.input);
  synthesize(env.outdir, [input]);
  const stack = await EmulatedStack.init(env.outdir, env.stack.name, env.emulator.endpoint, env.options);
  return { ...env, input, stack };
}

/** The first deploy in tag mode: repositories, push `tag`, then everything. */
export async function firstApply(env: EmulatedEnvironment, tag: string): Promise<void> {
  await env.stack.apply(targetsOfType(env.stack, "aws_ecr_repository"));
  await pushAll(env, tag);
  await env.stack.apply();
}

/** Every resource block of the synthesized stack, as a state address (instances add `[key]`). */
export function configuredResources(stack: EmulatedStack): string[] {
  const json = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8"));
  return Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

/** Configured resources with no instance in the state. */
export async function notCreated(stack: EmulatedStack): Promise<string[]> {
  const state = await stack.stateList();
  return configuredResources(stack).filter((address) => !state.some((s) => s === address || s.startsWith(`${address}[`)));
}

export async function teardown(env: EmulatedEnvironment | undefined): Promise<void> {
  if (!env) return;
  await env.emulator.stop();
  rmSync(env.outdir, { recursive: true, force: true });
}

/** `npm run destroy`'s steps (lib/teardown) wired to the emulator: real Terraform in the stack directory, ECR in the emulator, no prompt. */
export function destroyDeps(env: EmulatedEnvironment, log: string[]): DestroyDeps {
  return {
    synth: async () => undefined,
    terraform: (args) => env.stack.terraform(args),
    variables: () => env.stack.variables(),
    confirm: async () => {
      throw new Error("the emulator tests destroy with --yes");
    },
    emptyRepository: async (repositoryName) => {
      const client = ecr(env);
      const { imageIds } = await client.send(new ListImagesCommand({ repositoryName }));
      if (imageIds?.length) await client.send(new BatchDeleteImageCommand({ repositoryName, imageIds }));
      client.destroy();
      return imageIds?.length ?? 0;
    },
    log: (line) => log.push(line),
  };
}

/** Fault injection: every container of a STOPPED task in a DescribeTasks answer reports `exitCode` (moto always says 0). */
function failingMigrations(ecs: ECSClient, exitCode: number): void {
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === "DescribeTasksCommand") {
        for (const task of (result.output as { tasks?: { lastStatus?: string; containers?: { exitCode?: number }[] }[] }).tasks ?? []) {
          if (task.lastStatus === "STOPPED") for (const container of task.containers ?? []) container.exitCode = exitCode;
        }
      }
      return result;
    },
    // initialize: the outermost step, where the answer is already deserialized.
    { step: "initialize", name: "failingMigrations" },
  );
}

/**
 * `npm run deploy`'s steps (lib/deploy/deploy.ts) wired to the emulator: real Terraform in the stack
 * directory and real SDK calls to the emulator. The only stand-ins: `cdktf synth` (the harness
 * synthesized already) and `cdktf deploy --skip-synth`, which is `terraform apply` with the same variables.
 * `interruptAt` makes the command containing it fail (an interrupted deploy); `migrationExitCode` injects
 * a migration container's exit code.
 */
export function deployDeps(
  env: EmulatedEnvironment,
  options: { readonly interruptAt?: string; readonly skipMigrations?: boolean; readonly migrationExitCode?: number } = {},
): { options: DeployOptions; deps: DeployDeps; log: string[]; commands: string[] } {
  const config = loadEnvironment(env.input);
  const aws = { region: config.region, endpoint: env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } };
  const log: string[] = [];
  const commands: string[] = [];
  // ECS through the gateway, as Terraform's calls (moto's RunTask needs its task definition fix).
  const ecs = new ECSClient({ ...aws, endpoint: env.stack.gateway ?? env.emulator.endpoint });
  if (options.migrationExitCode !== undefined) failingMigrations(ecs, options.migrationExitCode);
  const run: CommandRunner = async (command, args) => {
    const line = `${command} ${args.join(" ")}`;
    commands.push(line);
    if (options.interruptAt && line.includes(options.interruptAt)) throw new Error(`interrupted before: ${line}`);
    if (command === "npx" && args[1] === "synth") return;
    if (command === "npx" && args[1] === "deploy") {
      await env.stack.apply(args.filter((a) => a.startsWith("--var=")).map((a) => a.replace(/^--var=/, "-var=")));
      return;
    }
    await env.stack.terraform(args);
  };
  return {
    options: {
      contract: deployContract(config),
      sources: imageSourcesOf(config),
      projectDir: env.outdir,
      stackDir: env.stack.dir,
      skipMigrations: options.skipMigrations ?? false,
      migrationPoll: { intervalMs: 200, timeoutMs: 120_000 },
      rolloutPoll: { intervalMs: 500, timeoutMs: 120_000 },
    },
    deps: {
      ecs,
      ec2: new EC2Client(aws),
      ecr: new ECRClient(aws),
      run,
      // Terraform output and state reads (the migration's task definition ARN, the running image tags).
      capture: async (_command, args) => {
        commands.push(["terraform", ...args].join(" "));
        return env.stack.terraform(args);
      },
      log: (line) => log.push(line),
      clock: systemClock,
    },
    log,
    commands,
  };
}

/** The image each ECS service of the environment runs, read through DescribeServices and DescribeTaskDefinition. */
export async function runningImages(env: EmulatedEnvironment): Promise<string[]> {
  const ecs = new ECSClient({ region: env.input.region, endpoint: env.stack.gateway ?? env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } });
  const contract = deployContract(loadEnvironment(env.input));
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: contract.clusterName, services: [contract.services.backend.serviceName, contract.services.frontend.serviceName] }));
  const images: string[] = [];
  for (const service of services ?? []) {
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
    images.push(taskDefinition?.containerDefinitions?.[0].image ?? "(none)");
  }
  ecs.destroy();
  return images;
}
