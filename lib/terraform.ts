/**
 * The real-Terraform harness: synthesizes the app, then runs `terraform init`, `validate`,
 * an offline `plan` and `show -json` for each stack. Used by the test suite, `npm run preview`
 * and `npm run bench`.
 *
 * Offline means: a local backend and fake credentials with the provider's skip flags, written
 * as a `*_override.tf.json` next to the synthesized stack, so no AWS account is needed. The
 * stack itself is left untouched: its real S3 backend is what `cdktf deploy` uses.
 */
import { createHash } from "node:crypto";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { environments, loadEnvironments } from "../config";
import { offlineStepFunctionsEndpoint } from "./offline-stepfunctions";
import { synthApp } from "./synth";

/** The AWS provider version @cdktf/provider-aws 20.1.0 is generated from. */
export const AWS_PROVIDER_VERSION = "5.100.0";
const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";
export const OVERRIDE_FILE = "zz_offline_override.tf.json";

export class TerraformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TerraformError";
  }
}

export interface HarnessOptions {
  /** The terraform binary. @default "terraform" from PATH */
  readonly terraformBin?: string;
  /**
   * A filesystem mirror holding hashicorp/aws (`<dir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/`).
   * @default none: providers come from the registry (or the user's own CLI configuration)
   */
  readonly providerMirror?: string;
  /** Shared provider cache, so each stack's init links the provider instead of copying it. */
  readonly pluginCacheDir: string;
}

/** Directories a provider mirror is looked for in when `TF_PROVIDER_MIRROR` is not set. */
const MIRROR_CANDIDATES = ["/opt/tf-plugins", join(homedir(), ".terraform.d", "plugins"), "/usr/local/share/terraform/plugins"];

function hasAwsProvider(dir: string): boolean {
  return existsSync(join(dir, AWS_PROVIDER, AWS_PROVIDER_VERSION));
}

/**
 * Harness options from the environment: `TF_PROVIDER_MIRROR` names a mirror explicitly (CI sets it);
 * otherwise a well-known mirror directory holding hashicorp/aws ${AWS_PROVIDER_VERSION} is used if
 * one exists, else the normal registry.
 */
export function harnessOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): HarnessOptions {
  const explicit = env.TF_PROVIDER_MIRROR;
  if (explicit && !hasAwsProvider(explicit)) {
    throw new TerraformError(
      `TF_PROVIDER_MIRROR=${explicit} holds no ${AWS_PROVIDER} ${AWS_PROVIDER_VERSION}; expected ${join(explicit, AWS_PROVIDER, AWS_PROVIDER_VERSION)}/<os>_<arch>/. Unset it to use the registry.`,
    );
  }
  return {
    terraformBin: env.TERRAFORM_BIN || "terraform",
    providerMirror: explicit || MIRROR_CANDIDATES.find(hasAwsProvider),
    pluginCacheDir: env.TF_PLUGIN_CACHE_DIR || resolve(cwd, "node_modules", ".cache", "terraform-plugins"),
  };
}

/** Checks that Terraform 1.11+ is installed; fails loudly with what to install otherwise. */
export function checkTerraform(options: HarnessOptions): string {
  const bin = options.terraformBin ?? "terraform";
  let version: string;
  try {
    version = JSON.parse(execFileSync(bin, ["version", "-json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).terraform_version;
  } catch {
    throw new TerraformError(
      `Terraform was not found ("${bin}" is not on PATH or does not run). Install Terraform 1.11 or newer ` +
        `(https://developer.hashicorp.com/terraform/install, or 'apt-get install terraform' from the HashiCorp apt repository), ` +
        `or point TERRAFORM_BIN at it. The tests run real 'terraform validate' and 'terraform plan' and cannot be skipped.`,
    );
  }
  const [major, minor] = version.split(".").map(Number);
  if (major < 1 || (major === 1 && minor < 11)) {
    throw new TerraformError(`Terraform ${version} is too old: the S3 backend's use_lockfile needs Terraform 1.11 or newer.`);
  }
  return version;
}

/** Environment for Terraform commands: provider mirror (if any), plugin cache, no prompts, no telemetry. */
export function terraformEnv(options: HarnessOptions, workDir: string): NodeJS.ProcessEnv {
  mkdirSync(options.pluginCacheDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_PLUGIN_CACHE_DIR: options.pluginCacheDir,
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true",
    // Terraform and the AWS provider are Go programs; a plan of the project's stacks spends a quarter of
    // its CPU in Go's garbage collector at the default GOGC=100. Collecting at 4x growth, but never
    // above 1 GiB of heap per process, takes that CPU down by a quarter (measured: a 14-stack batch plan,
    // 40 -> 30 CPU-seconds, peak 1 GB per process). A GOGC or GOMEMLIMIT of the user's own wins.
    GOGC: process.env.GOGC ?? "400",
    GOMEMLIMIT: process.env.GOMEMLIMIT ?? "1GiB",
  };
  if (options.providerMirror) {
    const cliConfig = join(workDir, "terraform-mirror.tfrc");
    writeFileSync(
      cliConfig,
      `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(options.providerMirror)}
    include = ["${AWS_PROVIDER}"]
  }
  direct {
    exclude = ["${AWS_PROVIDER}"]
  }
}
`,
    );
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return env;
}

/** Cache directories being filled by a first `terraform init` in this process. */
const cacheFills = new Map<string, Promise<unknown>>();

/**
 * `terraform init` in `dir`. Terraform's plugin cache is not safe for concurrent writers: two inits
 * that both find the provider missing race to create its directory ("mkdir ...: file exists"). So
 * while the cache lacks the provider, the first init fills it alone and the others wait for it.
 */
export async function terraformInit(dir: string, options: HarnessOptions, env: NodeJS.ProcessEnv, args: readonly string[] = ["-reconfigure"]): Promise<string> {
  const init = () => run(options.terraformBin ?? "terraform", ["init", "-input=false", "-no-color", ...args], dir, env);
  const filling = cacheFills.get(options.pluginCacheDir);
  if (filling) await filling.catch(() => undefined);
  else if (!existsSync(join(options.pluginCacheDir, AWS_PROVIDER, AWS_PROVIDER_VERSION))) {
    const first = init();
    cacheFills.set(options.pluginCacheDir, first);
    try {
      return await first;
    } finally {
      cacheFills.delete(options.pluginCacheDir);
    }
  }
  return init();
}

export function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(bin, args, { cwd, env, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new TerraformError(`terraform ${args.join(" ")} failed in ${cwd}:\n${stderr || stdout}`));
      } else {
        resolvePromise(stdout);
      }
    });
  });
}

/**
 * The override that makes a synthesized stack plannable without AWS: local state, fake keys, no API
 * calls. `verify_*` variables (plan-time look-ups such as the ECR image tag check) default to false.
 */
export function offlineOverride(variables: readonly string[] = [], stateFile = "offline.tfstate", endpoints: Readonly<Record<string, string>> = {}): object {
  const offVariables = variables.filter((name) => name.startsWith("verify_"));
  return {
    ...(offVariables.length ? { variable: Object.fromEntries(offVariables.map((name) => [name, { default: false }])) } : {}),
    terraform: { backend: { local: { path: stateFile } } },
    provider: {
      aws: {
        access_key: "offline-plan-no-credentials",
        secret_key: "offline-plan-no-credentials",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        allowed_account_ids: null,
        // Only APIs the provider calls at plan time (Step Functions definition validation), served locally.
        ...(Object.keys(endpoints).length ? { endpoints: [endpoints] } : {}),
      },
    },
  };
}

/**
 * Writes the offline override next to a synthesized stack. Step Functions validation is served
 * locally, for every stack: stacks with and without a state machine then have the same provider
 * configuration and share one provider process in a batch (lib/terraform-batch.ts).
 */
export async function writeOfflineOverride(dir: string): Promise<void> {
  const synthesized = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  const variables = Object.keys(synthesized.variable ?? {});
  const endpoints: Record<string, string> = { sfn: await offlineStepFunctionsEndpoint() };
  writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(offlineOverride(variables, "offline.tfstate", endpoints), null, 2));
}

/** A subset of `terraform show -json` plan output that the tests use. */
export interface PlanResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}
export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly module_address?: string;
  readonly change: {
    readonly actions: string[];
    readonly before?: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly after_unknown?: Record<string, unknown>;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: (string | number)[][];
  };
}
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly planned_values: { readonly root_module: { readonly resources?: PlanResource[] } };
  readonly resource_changes?: ResourceChange[];
  readonly configuration: Record<string, unknown>;
  readonly output_changes?: Record<string, { actions?: string[]; after: unknown; after_unknown?: unknown; after_sensitive?: unknown }>;
}

/** Synthesizes the shipped configuration into `outdir` and returns the stack names. */
export function synthesize(outdir: string, inputs: readonly unknown[] = environments): string[] {
  mkdirSync(outdir, { recursive: true });
  // Guardrails hold here too, whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says (npm run preview).
  synthApp(loadEnvironments(inputs), outdir);
  // The manifest names the stacks of this synth; the directory may still hold stacks of an earlier one.
  return Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks).sort();
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
}

/** One planned change, as `terraform plan -json` streams it. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly action: string;
}

/** What the preview needs of one stack: its planned changes and warnings, without `validate` or `show`. */
export interface PreviewResult {
  readonly stack: string;
  readonly dir: string;
  readonly changes: PlannedChange[];
  readonly warnings: string[];
  /** `init` is 0 when the previous run's init was reused. */
  readonly seconds: { init: number; plan: number };
}

const INIT_STAMP = join(".terraform", "init-inputs.sha256");

/**
 * Runs `terraform init` unless the last init in `dir` was made for the same inputs: the `terraform`
 * blocks (providers, backend) of the stack and of the override, and the provider source. Returns the seconds
 * spent (0 when reused). Everything else in a stack changes without needing a new init.
 */
async function initOnce(dir: string, env: NodeJS.ProcessEnv, options: HarnessOptions): Promise<number> {
  const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  const override = JSON.parse(readFileSync(join(dir, OVERRIDE_FILE), "utf8"));
  // Not the provider settings: the local Step Functions endpoint's port changes every run and init does not read it.
  const inputs = JSON.stringify([stack.terraform, override.terraform, options.providerMirror ?? "registry", AWS_PROVIDER_VERSION]);
  const digest = createHash("sha256").update(inputs).digest("hex");
  const stamp = join(dir, INIT_STAMP);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return 0;
  const [, seconds] = await timed(() => terraformInit(dir, options, env));
  writeFileSync(stamp, digest);
  return seconds;
}

/**
 * The preview's path for one stack: init (reused when unchanged), then ONE provider start: an offline
 * `plan -json` whose event stream carries the planned changes and the diagnostics. A plan validates
 * the configuration first, so a separate `validate` would only start the 700 MB provider again.
 */
export async function previewStack(outdir: string, stack: string, options: HarnessOptions): Promise<PreviewResult> {
  const dir = join(outdir, "stacks", stack);
  const bin = options.terraformBin ?? "terraform";
  await writeOfflineOverride(dir);
  const env = terraformEnv(options, dir);
  const init = await initOnce(dir, env, options);
  const [stream, plan] = await timed(() =>
    run(bin, ["plan", "-json", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=offline.tfplan"], dir, env).catch((error: Error) => {
      // With -json, errors arrive as diagnostic events: show their text, not the raw event stream.
      const messages = error.message.split("\n").flatMap((line) => {
        try {
          const event = JSON.parse(line);
          return event.type === "diagnostic" && event.diagnostic?.severity === "error" ? [`${event.diagnostic.summary}: ${event.diagnostic.detail ?? ""}`] : [];
        } catch {
          return [];
        }
      });
      throw new TerraformError(`terraform plan failed for stack ${stack}:\n${messages.join("\n") || error.message}`);
    }),
  );
  const events = stream.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const changes = events
    // Data sources read at plan time show up as "read" changes; the summary is about managed resources.
    .filter((e) => e.type === "planned_change" && !/(^|\.)data\./.test(e.change.resource.addr))
    .map((e) => ({ address: e.change.resource.addr, type: e.change.resource.resource_type, action: e.change.action }));
  const warnings = events.filter((e) => e.type === "diagnostic" && e.diagnostic?.severity === "warning").map((e) => e.diagnostic.summary);
  return { stack, dir, changes, warnings, seconds: { init, plan } };
}

/**
 * Synthesizes every stack into `outdir` and previews them in parallel, running `alongside` (work that
 * needs only the synthesized stacks) meanwhile. The stacks' `.terraform` directories survive between
 * runs (inits are reused); stacks that no longer exist are removed.
 */
export async function previewAll(options: HarnessOptions, outdir: string, alongside: () => Promise<void> = async () => {}): Promise<PreviewResult[]> {
  checkTerraform(options);
  const stacks = synthesize(outdir);
  const stacksDir = join(outdir, "stacks");
  for (const entry of readdirSync(stacksDir)) if (!stacks.includes(entry)) rmSync(join(stacksDir, entry), { recursive: true, force: true });
  const [results] = await Promise.all([Promise.all(stacks.map((stack) => previewStack(outdir, stack, options))), alongside()]);
  return results;
}

/** Planned resources of one type. */
export function plannedOfType(plan: PlanJson, type: string): PlanResource[] {
  return (plan.planned_values.root_module.resources ?? []).filter((r) => r.type === type);
}

// ---------------------------------------------------------------------------------------------
// Initialised stacks and the provider schema (the jest global setup; its plans run in batches: lib/terraform-batch.ts)

/** A stack directory that has been initialised (override written, `terraform init` done). */
export interface PreparedStack {
  readonly stack: string;
  readonly dir: string;
}

/** Writes the offline override into a synthesized stack directory and runs `terraform init` there. */
export async function initStack(outdir: string, stack: string, options: HarnessOptions): Promise<PreparedStack> {
  const dir = join(outdir, "stacks", stack);
  await writeOfflineOverride(dir);
  await terraformInit(dir, options, terraformEnv(options, dir));
  return { stack, dir };
}

/**
 * The AWS provider's schema (`terraform providers schema -json`), cached per provider version in
 * the plugin cache directory: it is the same on every run and costs seconds to produce.
 * `initialisedDir` gives an initialised configuration to ask, only when the cache is empty.
 */
export async function awsProviderSchema(options: HarnessOptions, initialisedDir: () => Promise<string>): Promise<ProviderSchema> {
  const cache = join(options.pluginCacheDir, `aws-${AWS_PROVIDER_VERSION}-schema.json`);
  if (!existsSync(cache)) {
    const dir = await initialisedDir();
    const all = JSON.parse(await run(options.terraformBin ?? "terraform", ["providers", "schema", "-json"], dir, terraformEnv(options, dir)));
    const aws = all.provider_schemas[AWS_PROVIDER];
    const slim = { resource_schemas: aws.resource_schemas };
    writeFileSync(`${cache}.tmp-${process.pid}`, JSON.stringify(slim));
    renameSync(`${cache}.tmp-${process.pid}`, cache);
  }
  return JSON.parse(readFileSync(cache, "utf8"));
}

/** The parts of a provider schema the state builder reads. */
export interface SchemaBlock {
  readonly attributes?: Record<string, { readonly type?: unknown; readonly computed?: boolean; readonly optional?: boolean }>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>;
}
export interface ProviderSchema {
  readonly resource_schemas: Record<string, { readonly version: number; readonly block: SchemaBlock }>;
}

