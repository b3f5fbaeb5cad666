/**
 * `npm run bench [-- --runs N]`: median timings of the things users wait for.
 *  - synth: `tsx main.ts` (what `cdktf synth` runs) for all stacks
 *  - per stack: terraform init, validate and offline plan, stacks run one after another
 *  - test suite: `jest` (the type check is timed separately)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkTerraform, harnessOptionsFromEnv, planStack, synthesize } from "../lib/terraform";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs: got "${values.runs}"; must be a whole number of at least 1`);
  process.exit(2);
}

const bin = (name: string) => resolve("node_modules", ".bin", name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const options = harnessOptionsFromEnv();
  checkTerraform(options);
  const samples = new Map<string, number[]>();
  const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);

  for (let i = 0; i < runs; i++) {
    process.stderr.write(`run ${i + 1}/${runs}\n`);
    const outdir = mkdtempSync(join(tmpdir(), "bench-"));
    add("synth all stacks (tsx main.ts)", seconds(() => execFileSync(bin("tsx"), ["main.ts"], { env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "ignore" })));
    const planDir = mkdtempSync(join(tmpdir(), "bench-plan-"));
    for (const stack of synthesize(planDir)) {
      const { seconds: s } = await planStack(planDir, stack, options);
      add(`${stack}: terraform init`, s.init);
      add(`${stack}: terraform validate`, s.validate);
      add(`${stack}: offline plan`, s.plan);
    }
    add("type check (tsc --noEmit)", seconds(() => execFileSync(bin("tsc"), ["--noEmit"], { stdio: "ignore" })));
    add("test suite (jest)", seconds(() => execFileSync(bin("jest"), ["--silent"], { stdio: "ignore" })));
  }

  const width = Math.max(...[...samples.keys()].map((k) => k.length));
  console.log(`\n${"step".padEnd(width)}  median (s)  runs: ${runs}`);
  for (const [key, xs] of samples) console.log(`${key.padEnd(width)}  ${median(xs).toFixed(2).padStart(10)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
