/**
 * The real-Terraform work of one jest run, done once (in the global setup) and shared by every
 * test file through a run directory:
 * - synth the app, `terraform init` each stack once (plugin cache), validate and plan each;
 * - build the as-applied state of staging and production (__tests__/as-applied.ts);
 * - plan each day-two matrix group (__tests__/day-two-matrix.ts) over that state, in variant
 *   directories that reuse the stack's init.
 * Plans run in parallel, a few at a time. Test files read the results with {@link readRun}.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments, type EnvironmentInput } from "../../config";
import {
  AWS_PROVIDER_VERSION,
  awsProviderSchema,
  checkTerraform,
  harnessOptionsFromEnv,
  initStack,
  planInDir,
  reuseInit,
  synthesize,
  validateStack,
  type HarnessOptions,
  type PlanJson,
  type PreparedStack,
  type StackResult,
} from "../../lib/terraform";
import { buildAsAppliedState, checkCachedState, type AsAppliedState } from "./as-applied";
import { GROUPS, variantOf, type Group } from "./day-two-matrix";

/** Where the global setup tells the test workers the run directory is. */
export const RUN_DIR_VARIABLE = "WEBAPP_TERRAFORM_RUN_DIR";

const DAY_TWO_ENVIRONMENTS = ["staging", "production"] as const;

interface RunIndex {
  readonly stacks: Record<string, { dir: string; validate: StackResult["validate"]; plan: string; seconds: { init: number; validate: number; plan: number } }>;
  readonly asApplied: Record<string, { state: string; finalPlan: string; iterations: number; cached: boolean }>;
  readonly matrix: Record<string, Record<Group, { plan: string; dir: string }>>;
  readonly seconds: number;
  /** Wall-clock seconds of each phase, printed by the global setup. */
  readonly phases: Record<string, number>;
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
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

async function prepareInto(runDir: string, options: HarnessOptions): Promise<void> {
  const started = Date.now();
  const base = join(runDir, "base");
  const stacks = synthesize(base);
  const prepared = await pool(3, stacks.map((stack) => () => timed(() => initStack(base, stack, options))));
  const byName = Object.fromEntries(prepared.map(([p]) => [p.stack, p])) as Record<string, PreparedStack>;

  const index: { -readonly [K in keyof RunIndex]: RunIndex[K] } = { stacks: {}, asApplied: {}, matrix: {}, seconds: 0, phases: {} };
  let mark = started;
  const phase = (name: string) => {
    index.phases[name] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };
  phase("synth+init");
  const schemaPromise = awsProviderSchema(byName.staging, options);

  // Validate and plan every stack; build the as-applied states as soon as a stack's plan is in.
  const inputs = Object.fromEntries((environments as EnvironmentInput[]).map((e) => [e.name, e])) as Record<string, EnvironmentInput>;
  const limit = 3;
  const stackPlans = new Map<string, PlanJson>();
  await pool(
    limit,
    prepared.map(([p, init]) => async () => {
      const [validate, validateSeconds] = await timed(() => validateStack(p, options));
      if (!validate.valid) throw new Error(`terraform validate failed for ${p.stack}: ${JSON.stringify(validate.diagnostics)}`);
      const [plan, planSeconds] = await timed(() => planInDir(p, options, { state: "offline.tfstate", plan: "offline.tfplan" }));
      stackPlans.set(p.stack, plan);
      const planFile = join(runDir, `${p.stack}.plan.json`);
      writeFileSync(planFile, JSON.stringify(plan));
      index.stacks[p.stack] = { dir: p.dir, validate, plan: planFile, seconds: { init, validate: validateSeconds, plan: planSeconds } };
    }),
  );
  const schema = await schemaPromise;
  phase("validate+plan");

  await pool(
    2,
    DAY_TWO_ENVIRONMENTS.map((env) => async () => {
      const input = inputs[env];
      // The state is a pure function of the synthesized stack, the provider and the builder: cached
      // under that key, a run only re-checks it with one plan (which must still be "No changes").
      const key = createHash("sha256")
        .update(readFileSync(join(byName[env].dir, "cdk.tf.json")))
        .update(readFileSync(join(__dirname, "as-applied.ts")))
        .update(AWS_PROVIDER_VERSION)
        .digest("hex")
        .slice(0, 16);
      const cacheDir = join(options.pluginCacheDir, "..", "as-applied");
      const cacheFile = join(cacheDir, `${env}-${key}.tfstate`);
      let result: AsAppliedState | undefined = existsSync(cacheFile) ? await checkCachedState(byName[env], JSON.parse(readFileSync(cacheFile, "utf8")), options) : undefined;
      if (!result) {
        result = await buildAsAppliedState(byName[env], stackPlans.get(env)!, schema, { region: input.region as string, accountId: input.accountId as string }, options);
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(result.state));
        renameSync(`${cacheFile}.${process.pid}`, cacheFile);
      }
      const stateFile = join(byName[env].dir, "as-applied.tfstate");
      const finalPlan = join(runDir, `${env}.as-applied.plan.json`);
      writeFileSync(finalPlan, JSON.stringify(result.finalPlan));
      index.asApplied[env] = { state: stateFile, finalPlan, iterations: result.iterations, cached: result.cached ?? false };
    }),
  );

  phase("as-applied");
  // The change matrix: one variant per group and environment, planned over the as-applied state.
  const variants = DAY_TWO_ENVIRONMENTS.flatMap((env) => GROUPS.map((group) => ({ env, group })));
  await pool(
    limit,
    variants.map(({ env, group }) => async () => {
      const { input, vars } = variantOf(inputs[env], group);
      const outdir = join(runDir, "variants", `${env}-${group}`);
      mkdirSync(outdir, { recursive: true });
      synthesize(outdir, [input]);
      const variant = await reuseInit(byName[env], outdir, env);
      writeFileSync(join(variant.dir, "as-applied.tfstate"), readFileSync(index.asApplied[env].state));
      const plan = await planInDir(variant, options, { state: "as-applied.tfstate", plan: "day-two.tfplan" }, vars.flatMap((v) => ["-var", v]));
      const planFile = join(runDir, `${env}.${group}.plan.json`);
      writeFileSync(planFile, JSON.stringify(plan));
      (index.matrix[env] ??= {} as Record<Group, { plan: string; dir: string }>)[group] = { plan: planFile, dir: variant.dir };
    }),
  );

  phase("matrix");
  index.seconds = (Date.now() - started) / 1000;
  writeFileSync(join(runDir, "index.json"), JSON.stringify(index, null, 2));
}

/** What the global setup prepared, read by a test file. */
export interface Run {
  readonly dir: string;
  readonly stacks: Record<string, StackResult>;
  readonly asApplied: Record<string, { readonly stateFile: string; readonly finalPlan: PlanJson; readonly iterations: number }>;
  matrixPlan(environment: string, group: Group): PlanJson;
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
 * The shared run: from the global setup's run directory, or (a test file run on its own with a
 * jest that skipped the setup) prepared now.
 */
export async function readRun(runDir: string | undefined): Promise<Run> {
  const dir = runDir ?? (await prepareRun());
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as RunIndex;
  return {
    dir,
    stacks: Object.fromEntries(
      Object.entries(index.stacks).map(([stack, s]) => [stack, { stack, dir: s.dir, validate: s.validate, plan: readPlan(s.plan), seconds: s.seconds }]),
    ),
    asApplied: Object.fromEntries(Object.entries(index.asApplied).map(([env, a]) => [env, { stateFile: a.state, finalPlan: readPlan(a.finalPlan), iterations: a.iterations }])),
    matrixPlan: (environment, group) => readPlan(index.matrix[environment][group].plan),
    seconds: index.seconds,
  };
}
