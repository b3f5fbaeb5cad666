/**
 * The real-Terraform harness: synthesizes the app, then runs `terraform init`, `validate`,
 * an offline `plan` and `show -json` for each stack. Used by the test suite, `npm run preview`
 * and `npm run bench`.
 *
 * Offline means: a local backend and fake credentials with the provider's skip flags, written
 * as a `*_override.tf.json` next to the synthesized stack, so no AWS account is needed. The
 * stack itself is left untouched: its real S3 backend is what `cdktf deploy` uses.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { environments, loadEnvironments } from "../config";
import { buildApp } from "../stacks/app";

/** The AWS provider version @cdktf/provider-aws 20.1.0 is generated from. */
export const AWS_PROVIDER_VERSION = "5.100.0";
const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";
const OVERRIDE_FILE = "zz_offline_override.tf.json";

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
export function offlineOverride(variables: readonly string[] = [], stateFile = "offline.tfstate"): object {
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
      },
    },
  };
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
  readonly change: { readonly actions: string[]; readonly after: Record<string, unknown> | null };
}
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly planned_values: { readonly root_module: { readonly resources?: PlanResource[] } };
  readonly resource_changes?: ResourceChange[];
  readonly configuration: Record<string, unknown>;
  readonly output_changes?: Record<string, { after: unknown }>;
}

export interface StackResult {
  readonly stack: string;
  readonly dir: string;
  readonly validate: { valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] };
  readonly plan: PlanJson;
  readonly seconds: { init: number; validate: number; plan: number };
}

/** Synthesizes the shipped configuration into `outdir` and returns the stack names. */
export function synthesize(outdir: string, inputs: readonly unknown[] = environments): string[] {
  const app = new App({ outdir });
  buildApp(app, loadEnvironments(inputs));
  app.synth();
  return readdirSync(join(outdir, "stacks")).sort();
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
}

/** `init` (local backend override), `validate -json`, offline `plan`, `show -json` for one synthesized stack. */
export async function planStack(outdir: string, stack: string, options: HarnessOptions): Promise<StackResult> {
  const dir = join(outdir, "stacks", stack);
  const bin = options.terraformBin ?? "terraform";
  const variables = Object.keys(JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")).variable ?? {});
  writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(offlineOverride(variables), null, 2));
  const env = terraformEnv(options, dir);
  const [, init] = await timed(() => run(bin, ["init", "-input=false", "-no-color", "-reconfigure"], dir, env));
  const [validateOut, validateSeconds] = await timed(() => run(bin, ["validate", "-json", "-no-color"], dir, env));
  const validate = JSON.parse(validateOut);
  if (!validate.valid) {
    throw new TerraformError(`terraform validate failed for stack ${stack}:\n${JSON.stringify(validate.diagnostics, null, 2)}`);
  }
  const [, plan] = await timed(() => run(bin, ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=offline.tfplan"], dir, env));
  const show = await run(bin, ["show", "-json", "offline.tfplan"], dir, env);
  return { stack, dir, validate, plan: JSON.parse(show), seconds: { init, validate: validateSeconds, plan } };
}

/** Synthesizes every stack into a fresh directory and plans them all offline, in parallel. */
export async function planAll(options: HarnessOptions, outdir = mkdtempSync(join(tmpdir(), "cdktf-plan-"))): Promise<StackResult[]> {
  checkTerraform(options);
  const stacks = synthesize(outdir);
  return Promise.all(stacks.map((stack) => planStack(outdir, stack, options)));
}

/** One resource instance to seed a state file with. */
export interface SeedResource {
  readonly type: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  /** The provider's schema version of the resource type (e.g. 2 for aws_db_instance). @default 0 */
  readonly schemaVersion?: number;
}

/**
 * A seed for the resource at `address` as the first offline plan planned it, plus the computed
 * attributes AWS would have filled in (ids, ARNs, endpoints). Seeding a state with these is how
 * the tests look at a second, "day two" plan without an AWS account.
 */
export function seedFromPlan(plan: PlanJson, address: string, computed: Record<string, unknown>, schemaVersion = 0): SeedResource {
  const resource = (plan.planned_values.root_module.resources ?? []).find((r) => r.address === address);
  if (!resource) throw new TerraformError(`seedFromPlan: no planned resource ${address}`);
  return { type: resource.type, name: resource.name, attributes: { ...resource.values, ...computed }, schemaVersion };
}

async function planWithSeed(result: StackResult, seed: readonly SeedResource[], options: HarnessOptions, args: readonly string[]): Promise<void> {
  const state = {
    version: 4,
    terraform_version: result.plan.terraform_version,
    serial: 1,
    lineage: "offline-seeded-state",
    outputs: {},
    resources: seed.map((r) => ({
      mode: "managed",
      type: r.type,
      name: r.name,
      provider: `provider["${AWS_PROVIDER}"]`,
      instances: [{ schema_version: r.schemaVersion ?? 0, attributes: r.attributes }],
    })),
  };
  writeFileSync(join(result.dir, "seeded.tfstate"), JSON.stringify(state));
  const base = ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-state=seeded.tfstate"];
  await run(options.terraformBin ?? "terraform", [...base, ...args], result.dir, terraformEnv(options, result.dir));
}

/**
 * Seeds the stack's offline state with existing resources and runs `terraform plan -destroy`.
 * Returns Terraform's error output, or undefined if the destroy plan succeeded. This is how the
 * tests prove that `prevent_destroy` really stops Terraform, without an AWS account.
 */
export async function planDestroyOf(result: StackResult, seed: readonly SeedResource[], options: HarnessOptions): Promise<string | undefined> {
  try {
    await planWithSeed(result, seed, options, ["-destroy"]);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** An offline plan against a state seeded with `seed`, with extra plan arguments (e.g. `-var`). */
export async function planOverState(result: StackResult, seed: readonly SeedResource[], options: HarnessOptions, args: readonly string[] = []): Promise<PlanJson> {
  await planWithSeed(result, seed, options, [...args, "-out=seeded.tfplan"]);
  const show = await run(options.terraformBin ?? "terraform", ["show", "-json", "seeded.tfplan"], result.dir, terraformEnv(options, result.dir));
  return JSON.parse(show);
}

/** Planned resources of one type. */
export function plannedOfType(plan: PlanJson, type: string): PlanResource[] {
  return (plan.planned_values.root_module.resources ?? []).filter((r) => r.type === type);
}
