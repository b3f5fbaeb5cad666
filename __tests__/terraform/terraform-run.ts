/**
 * The real-Terraform work of one jest run, done once (in the global setup) and shared by every
 * test file through a run directory. Every plan is a module of a Terraform batch
 * (lib/terraform-batch.ts), so the AWS provider starts a few times per run instead of twice per plan:
 * - the shipped stacks from an empty state (their diagnostics stand for `terraform validate`);
 * - the as-applied states of staging and production (__tests__/as-applied.ts), cached between runs
 *   under a key of their configuration; the first run with a key checks its state with one plan,
 *   which must be "No changes", and caches that plan with it;
 * - the day-two change matrix (__tests__/day-two-matrix.ts) over those states;
 * - the plans single test files need (shared-plans.ts);
 * - destroy plans over the as-applied states (prevent_destroy, proven by Terraform), in a second
 *   batch alongside.
 * When the cached states are still valid, all of it is one plan batch plus the destroy batch.
 * The global setup starts it in a process of its own ({@link startRun}) and jest runs the test files
 * that do not need it meanwhile (jest-sequencer.js puts the ones that do last).
 * Otherwise the states are built round by round (a batch per round) and the rest joins the round
 * that is likely to be the last. Test files read the results with {@link readRun}.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments, type EnvironmentInput } from "../../config";
import { AWS_PROVIDER_VERSION, awsProviderSchema, checkTerraform, harnessOptionsFromEnv, initStack, synthesize, type HarnessOptions, type PlanJson } from "../../lib/terraform";
import { planBatch, planDestroyBatch, type BatchEntry, type Diagnostic } from "../../lib/terraform-batch";
import { AsAppliedBuilder, changingOf, isNoOp } from "./as-applied";
import { GROUPS, variantOf, type Group } from "./day-two-matrix";
import { SHARED_PLANS } from "./shared-plans";

/** Where the global setup tells the test workers the run directory is. */
export const RUN_DIR_VARIABLE = "WEBAPP_TERRAFORM_RUN_DIR";

const DAY_TWO_ENVIRONMENTS = ["staging", "production"] as const;
type DayTwoEnvironment = (typeof DAY_TWO_ENVIRONMENTS)[number];
const BASE_STACKS = ["bootstrap", "staging", "production"] as const;
/** Batch rounds before giving up on an as-applied state that does not converge. */
const MAX_ROUNDS = 6;

/** One stack's plan from an empty state, with the diagnostics of that plan. */
export interface StackRun {
  readonly stack: string;
  /** The synthesized stack directory. */
  readonly dir: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: PlanJson;
}

interface RunIndex {
  readonly stacks: Record<string, { dir: string; diagnostics: Diagnostic[]; plan: string }>;
  readonly asApplied: Record<string, { state: string; finalPlan: string; iterations: number; cached: boolean }>;
  readonly matrix: Record<string, Record<Group, string>>;
  readonly extras: Record<string, { plan: string; diagnostics: Diagnostic[] }>;
  readonly destroy: Record<string, string>;
  readonly seconds: number;
  /** Wall-clock seconds of each phase, printed by the global setup. */
  readonly phases: Record<string, number>;
}

/** Written into the run directory when the run failed: the error, which every reader of the run rethrows. */
const FAILED_FILE = "failed.txt";

/**
 * How long a test file waits for the run (its hook's or test's timeout). A clean clone without a
 * provider mirror downloads the provider and builds the as-applied states first: minutes.
 */
export const RUN_WAIT_MS = 600_000;

/**
 * Starts the run in its own process (`prepare-run.ts`) and returns at once, so the test files that do
 * not need it run meanwhile; {@link readRun} waits for it. `done` settles when the process ends.
 */
export function startRun(options: HarnessOptions = harnessOptionsFromEnv()): { readonly dir: string; readonly done: Promise<void> } {
  checkTerraform(options); // missing Terraform stops the whole jest run at once, with what to install
  const dir = mkdtempSync(join(tmpdir(), "cdktf-run-"));
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), join(__dirname, "prepare-run.ts"), dir], { cwd: join(__dirname, "..", ".."), stdio: ["ignore", "inherit", "inherit"] });
  const done = new Promise<void>((resolveDone) => {
    const fail = (reason: string) => {
      if (!existsSync(join(dir, FAILED_FILE))) writeFileSync(join(dir, FAILED_FILE), `the shared Terraform run ${reason} without a result`);
      resolveDone();
    };
    child.on("error", (error) => fail(`could not start (${error.message})`));
    child.on("exit", (code, signal) => (code === 0 ? resolveDone() : fail(`ended with ${signal ?? `exit code ${code}`}`)));
  });
  return { dir, done };
}

/** Prepares the run into `runDir` (the body of prepare-run.ts); a failure is written for the readers, then rethrown. */
export async function prepareRunInto(runDir: string, options: HarnessOptions = harnessOptionsFromEnv()): Promise<void> {
  try {
    await prepareInto(runDir, options);
  } catch (error) {
    writeFileSync(join(runDir, FAILED_FILE), error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}

/** Everything the Terraform tests need, written under a fresh run directory. Returns the directory. */
export async function prepareRun(options: HarnessOptions = harnessOptionsFromEnv()): Promise<string> {
  checkTerraform(options);
  const runDir = mkdtempSync(join(tmpdir(), "cdktf-run-"));
  try {
    await prepareInto(runDir, options);
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return runDir;
}

function writeJson(file: string, value: unknown): string {
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** `-var name=value` strings as batch variables. */
function varsOf(vars: readonly string[]): Record<string, string> {
  return Object.fromEntries(vars.map((v) => [v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1)]));
}

/** The state of the bootstrap stack with its state bucket in it: what its destroy plan runs over. */
function bootstrapBucketState(stackDir: string): BatchEntry["state"] {
  const synthesized = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  const [name] = Object.keys(synthesized.resource.aws_s3_bucket);
  const bucket = synthesized.resource.aws_s3_bucket[name].bucket as string;
  return { resources: [{ mode: "managed", type: "aws_s3_bucket", name, instances: [{ schema_version: 0, attributes: { id: bucket, bucket } }] }] };
}

/**
 * The cached "No changes" plan of a cached as-applied state, written once a run has verified it.
 * Its name also carries the harness code that shapes a plan (the offline override, the batch and its
 * split), so a change there verifies again while the state itself stays cached.
 */
function verifiedPlanFile(cacheFile: string, harness: string): string {
  return cacheFile.replace(/\.tfstate$/, `.verified-${harness}.plan.json`);
}

/** Writes JSON so that a concurrent reader sees the old file or the new one, never half of it. */
function writeAtomically(file: string, value: unknown): void {
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(value));
  renameSync(`${file}.${process.pid}`, file);
}

interface AsApplied {
  builder?: AsAppliedBuilder;
  state: object;
  cached: boolean;
  cacheFile: string;
  verifiedFile: string;
  iterations: number;
  final?: PlanJson;
}

async function prepareInto(runDir: string, options: HarnessOptions): Promise<void> {
  const terraformVersion = checkTerraform(options);
  const started = Date.now();
  const index: { -readonly [K in keyof RunIndex]: RunIndex[K] } = { stacks: {}, asApplied: {}, matrix: {}, extras: {}, destroy: {}, seconds: 0, phases: {} };
  let mark = started;
  const phase = (name: string) => {
    index.phases[name] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };

  // Every configuration the run plans, synthesized up front (synth is in-process and cheap).
  const base = join(runDir, "base");
  synthesize(base);
  const stackDir = (stack: string) => join(base, "stacks", stack);
  const inputs = Object.fromEntries((environments as EnvironmentInput[]).map((e) => [e.name, e])) as Record<string, EnvironmentInput>;
  const variants = DAY_TWO_ENVIRONMENTS.flatMap((env) =>
    GROUPS.map((group) => {
      const { input, vars } = variantOf(inputs[env], group);
      const outdir = join(runDir, "variants", `${env}-${group}`);
      synthesize(outdir, [input]);
      return { env, group, dir: join(outdir, "stacks", env), vars: varsOf(vars) };
    }),
  );
  const extras = SHARED_PLANS.map((shared) => ({ shared, dir: shared.synth(join(runDir, "extras", shared.id)) }));
  phase("synth");

  // The provider schema (for the state builder) is cached per provider version; fetched once otherwise.
  const schemaPromise = awsProviderSchema(options, async () => (await initStack(base, "staging", options)).dir);
  schemaPromise.catch(() => undefined); // awaited after the first round; a failure is reported there

  const asApplied: Partial<Record<DayTwoEnvironment, AsApplied>> = {};
  // The harness code that shapes a plan (see verifiedPlanFile), hashed once.
  const harness = createHash("sha256")
    .update(readFileSync(join(__dirname, "..", "..", "lib", "terraform.ts")))
    .update(readFileSync(join(__dirname, "..", "..", "lib", "terraform-batch.ts")))
    .digest("hex")
    .slice(0, 12);
  for (const env of DAY_TWO_ENVIRONMENTS) {
    // The state is a pure function of the synthesized stack, the provider and the builder: cached
    // under that key, a run only re-checks it with one plan (which must still be "No changes").
    // Its "No changes" plan is a pure function of the same inputs and Terraform's version: once a run
    // has verified the state, the next runs with the same key reuse that plan instead of planning again.
    const key = createHash("sha256")
      .update(readFileSync(join(stackDir(env), "cdk.tf.json")))
      .update(readFileSync(join(__dirname, "as-applied.ts")))
      .update(AWS_PROVIDER_VERSION)
      .update(terraformVersion)
      .digest("hex")
      .slice(0, 16);
    const cacheFile = join(options.pluginCacheDir, "..", "as-applied", `${env}-${key}.tfstate`);
    const verifiedFile = verifiedPlanFile(cacheFile, harness);
    if (existsSync(cacheFile)) {
      const final = existsSync(verifiedFile) ? (JSON.parse(readFileSync(verifiedFile, "utf8")) as PlanJson) : undefined;
      asApplied[env] = { state: JSON.parse(readFileSync(cacheFile, "utf8")), cached: true, cacheFile, verifiedFile, iterations: 0, final };
    } else asApplied[env] = { state: {}, cached: false, cacheFile, verifiedFile, iterations: 0 };
  }
  const hasState = (env: DayTwoEnvironment) => asApplied[env]!.cached || asApplied[env]!.builder !== undefined;
  // Worth adding the plans over the state to this round: the state is cached, or it has taken in one
  // plan over it already (the builder settles in one such plan; when it does not, the round is redone).
  const likelyFinal = (env: DayTwoEnvironment) => asApplied[env]!.final !== undefined || (hasState(env) && (asApplied[env]!.cached || asApplied[env]!.iterations >= 1));

  const done = { base: false, matrix: new Set<string>(), extras: new Set<string>(), destroy: false };
  for (let round = 1; ; round++) {
    if (round > MAX_ROUNDS) {
      const left = DAY_TWO_ENVIRONMENTS.filter((env) => !asApplied[env]!.final);
      throw new Error(`as-applied states did not converge in ${MAX_ROUNDS} rounds: ${left.join(", ")}`);
    }
    const entries: BatchEntry[] = [];
    if (!done.base) {
      for (const stack of BASE_STACKS) entries.push({ id: stack, stackDir: stackDir(stack) });
      for (const { shared, dir } of extras) if (!shared.over) entries.push({ id: shared.id, stackDir: dir, ...shared.entry?.(dir) });
    }
    const checking = DAY_TWO_ENVIRONMENTS.filter((env) => hasState(env) && !asApplied[env]!.final);
    for (const env of checking) entries.push({ id: `${env}_applied`, stackDir: stackDir(env), state: asApplied[env]!.state });
    // Plans over a state are only valid if that state's check in the same round is "No changes".
    const over = DAY_TWO_ENVIRONMENTS.filter(likelyFinal);
    for (const v of variants) {
      if (over.includes(v.env) && !done.matrix.has(`${v.env}_${v.group}`)) entries.push({ id: `${v.env}_${v.group}`, stackDir: v.dir, state: asApplied[v.env]!.state, vars: v.vars });
    }
    for (const { shared, dir } of extras) {
      if (shared.over && over.includes(shared.over) && !done.extras.has(shared.id)) {
        const state = asApplied[shared.over]!.state;
        entries.push({ id: shared.id, stackDir: dir, state, ...shared.entry?.(dir, state) });
      }
    }
    const destroyNow = !done.destroy && DAY_TWO_ENVIRONMENTS.every((env) => over.includes(env));
    const [batch, destroyed] = await Promise.all([
      planBatch(join(runDir, `batch-${round}`), entries, options),
      destroyNow
        ? planDestroyBatch(
            join(runDir, "destroy"),
            [
              ...DAY_TWO_ENVIRONMENTS.map((env) => ({ id: env, stackDir: stackDir(env), state: asApplied[env]!.state })),
              { id: "bootstrap", stackDir: stackDir("bootstrap"), state: bootstrapBucketState(stackDir("bootstrap")) },
            ],
            options,
          )
        : undefined,
    ]);
    phase(`round ${round} (${entries.length} plans${destroyNow ? " + destroy" : ""})`);

    if (!done.base) {
      for (const stack of BASE_STACKS) {
        index.stacks[stack] = { dir: stackDir(stack), diagnostics: batch.diagnostics[stack], plan: writeJson(join(runDir, `${stack}.plan.json`), batch.plans[stack]) };
      }
      for (const { shared } of extras) if (!shared.over) index.extras[shared.id] = { plan: writeJson(join(runDir, `${shared.id}.plan.json`), batch.plans[shared.id]), diagnostics: batch.diagnostics[shared.id] };
      done.base = true;
    }
    const schema = await schemaPromise;
    const converged = new Set<DayTwoEnvironment>();
    for (const env of DAY_TWO_ENVIRONMENTS) {
      const a = asApplied[env]!;
      if (a.final) {
        converged.add(env);
        continue;
      }
      const check = checking.includes(env) ? batch.plans[`${env}_applied`] : undefined;
      if (check) a.iterations++;
      if (check && isNoOp(check)) {
        a.final = check;
        converged.add(env);
        continue;
      }
      if (check && process.env.AS_APPLIED_DEBUG) console.log(env, a.iterations, changingOf(check).join("\n  "));
      if (check && a.builder) a.builder.fold(check);
      else {
        // No state yet, or a cached one that no longer plans "No changes": build from the first plan.
        const input = inputs[env];
        a.builder = new AsAppliedBuilder(JSON.parse(readFileSync(index.stacks[env].plan, "utf8")), schema, { region: input.region as string, accountId: input.accountId as string });
        a.cached = false;
      }
      a.state = a.builder.state();
    }
    for (const entry of entries) {
      const variant = variants.find((v) => `${v.env}_${v.group}` === entry.id);
      if (variant && converged.has(variant.env)) {
        (index.matrix[variant.env] ??= {} as Record<Group, string>)[variant.group] = writeJson(join(runDir, `${entry.id}.plan.json`), batch.plans[entry.id]);
        done.matrix.add(entry.id);
      }
      const extra = extras.find(({ shared }) => shared.id === entry.id && shared.over);
      if (extra && converged.has(extra.shared.over!)) {
        index.extras[entry.id] = { plan: writeJson(join(runDir, `${entry.id}.plan.json`), batch.plans[entry.id]), diagnostics: batch.diagnostics[entry.id] };
        done.extras.add(entry.id);
      }
    }
    if (destroyed && DAY_TWO_ENVIRONMENTS.every((env) => converged.has(env))) {
      index.destroy = destroyed;
      done.destroy = true;
    }
    if (DAY_TWO_ENVIRONMENTS.every((env) => converged.has(env)) && done.destroy && done.matrix.size === variants.length && SHARED_PLANS.every((s) => s.id in index.extras)) break;
  }

  for (const env of DAY_TWO_ENVIRONMENTS) {
    const a = asApplied[env]!;
    const state = writeJson(join(runDir, `${env}.as-applied.tfstate`), a.state);
    mkdirSync(join(a.cacheFile, ".."), { recursive: true });
    if (!a.cached) writeAtomically(a.cacheFile, a.state);
    if (!existsSync(a.verifiedFile)) writeAtomically(a.verifiedFile, a.final);
    index.asApplied[env] = { state, finalPlan: writeJson(join(runDir, `${env}.as-applied.plan.json`), a.final), iterations: a.iterations, cached: a.cached };
  }
  index.seconds = (Date.now() - started) / 1000;
  // Written last and atomically: its presence tells the readers that the run is complete.
  writeFileSync(join(runDir, "index.json.tmp"), JSON.stringify(index, null, 2));
  renameSync(join(runDir, "index.json.tmp"), join(runDir, "index.json"));
}

/** What the global setup prepared, read by a test file. */
export interface Run {
  readonly dir: string;
  readonly stacks: Record<string, StackRun>;
  readonly asApplied: Record<string, { readonly stateFile: string; readonly finalPlan: PlanJson; readonly iterations: number }>;
  matrixPlan(environment: string, group: Group): PlanJson;
  /** A plan of shared-plans.ts and its diagnostics, by id. */
  extra(id: string): { readonly plan: PlanJson; readonly diagnostics: readonly Diagnostic[] };
  /** The errors of each stack's destroy plan over its as-applied state ("" when the destroy would go ahead). */
  readonly destroy: Readonly<Record<string, string>>;
  readonly seconds: number;
}

const cache = new Map<string, PlanJson>();
function readPlan(file: string): PlanJson {
  let plan = cache.get(file);
  if (!plan) {
    plan = JSON.parse(readFileSync(file, "utf8")) as PlanJson;
    cache.set(file, plan);
  }
  return plan;
}

/**
 * Waits until the run in `dir` is complete (its index.json exists); rethrows its failure. Gives up
 * with its own message shortly before a reader's timeout ({@link RUN_WAIT_MS}) would.
 */
async function completed(dir: string, waitMs = RUN_WAIT_MS - 10_000): Promise<RunIndex> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (existsSync(join(dir, FAILED_FILE))) throw new Error(`the shared Terraform run (${dir}) failed:\n${readFileSync(join(dir, FAILED_FILE), "utf8")}`);
    if (existsSync(join(dir, "index.json"))) return JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as RunIndex;
    if (Date.now() > deadline) throw new Error(`the shared Terraform run (${dir}) is still running after ${Math.round(waitMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The shared run: from the global setup's run directory once it is complete, or (a test file run
 * on its own with a jest that skipped the setup) prepared now.
 */
export async function readRun(runDir: string | undefined, waitMs?: number): Promise<Run> {
  const dir = runDir ?? (await prepareRun());
  const index = await completed(dir, waitMs);
  return {
    dir,
    stacks: Object.fromEntries(Object.entries(index.stacks).map(([stack, s]) => [stack, { stack, dir: s.dir, diagnostics: s.diagnostics, plan: readPlan(s.plan) }])),
    asApplied: Object.fromEntries(Object.entries(index.asApplied).map(([env, a]) => [env, { stateFile: a.state, finalPlan: readPlan(a.finalPlan), iterations: a.iterations }])),
    matrixPlan: (environment, group) => readPlan(index.matrix[environment][group]),
    extra: (id) => {
      if (!(id in index.extras)) throw new Error(`no shared plan ${id}; shared-plans.ts has ${Object.keys(index.extras).join(", ")}`);
      return { plan: readPlan(index.extras[id].plan), diagnostics: index.extras[id].diagnostics };
    },
    destroy: index.destroy,
    seconds: index.seconds,
  };
}
