/**
 * One environment applied to the emulator as a new user would on an empty account: the hosted
 * zone exists (created by hand once; the emulator picks its id, which goes into config), the ECR
 * repositories are created first and CI pushes the images, then the whole stack applies.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchDeleteImageCommand, ECRClient, ListImagesCommand } from "@aws-sdk/client-ecr";
import type { EnvironmentInput } from "../../config/schema";
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
