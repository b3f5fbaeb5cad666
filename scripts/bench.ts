/**
 * `npm run bench [-- --runs N] [-- --no-tests]`: what users wait for, each figure next to its floor
 * measured in the same run, so a reader on any machine can tell a regression from a loaded machine.
 *
 *  - synth: the cdktf.json app command (what `cdktf synth` runs), against node starting with cdktf loaded
 *  - preview: `npm run preview` with its inits reused (the steady state), against Terraform's own floor:
 *    `validate` + `plan` of a one-resource AWS configuration, once per stack, one stack after another
 *  - test suite: `npm test` (the type check alongside jest), against its 60 s budget on the 2-core machine
 *  - the emulator run (`npm run test:emulator`, 5-minute budget): the last run as its reporter recorded
 *    it (__tests__/emulator-timing-reporter.js); it takes minutes, so the bench does not re-run it
 *
 * Samples of a figure and its floor are taken back to back in every run; the table shows medians.
 */
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkTerraform, harnessOptionsFromEnv, offlineOverride, terraformEnv, synthesize } from "../lib/terraform";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, "no-tests": { type: "boolean", default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs: got "${values.runs}"; must be a whole number of at least 1`);
  process.exit(2);
}

const root = resolve(__dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A directory holding the smallest AWS configuration Terraform can plan offline: one resource. */
function oneResourceFloor(options: ReturnType<typeof harnessOptionsFromEnv>): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), "bench-floor-"));
  writeFileSync(
    join(dir, "main.tf.json"),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
      provider: { aws: { region: "eu-west-1" } },
      resource: { aws_ssm_parameter: { floor: { name: "/bench/floor", type: "String", value: "floor" } } },
    }),
  );
  writeFileSync(join(dir, "zz_offline_override.tf.json"), JSON.stringify(offlineOverride()));
  const env = terraformEnv(options, dir);
  execFileSync(options.terraformBin ?? "terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, stdio: "ignore" });
  return { dir, env };
}

interface Row {
  readonly label: string;
  readonly samples: number[];
  readonly floor?: { label: string; samples: number[] };
  readonly goal: string;
  readonly met: (figure: number, floor?: number) => boolean;
}

async function main(): Promise<void> {
  const options = harnessOptionsFromEnv();
  checkTerraform(options);
  const terraform = options.terraformBin ?? "terraform";
  const appCommand: string = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")).app;
  const stackCount = synthesize(mkdtempSync(join(tmpdir(), "bench-stacks-"))).length;
  const floor = oneResourceFloor(options);
  const tf = (args: string[]) => execFileSync(terraform, args, { cwd: floor.dir, env: floor.env, stdio: "ignore" });

  const synth: Row = {
    label: `synth: \`${appCommand}\``,
    samples: [],
    floor: { label: "node + require('cdktf')", samples: [] },
    goal: "≤ 6× floor",
    met: (f, fl) => f <= 6 * (fl ?? 0),
  };
  const preview: Row = {
    label: "npm run preview (inits reused)",
    samples: [],
    floor: { label: `terraform validate + plan, 1 resource, ${stackCount} stacks in a row`, samples: [] },
    goal: "≤ 1.0× floor",
    met: (f, fl) => f <= (fl ?? 0),
  };
  const suite: Row = { label: "npm test (type check alongside jest)", samples: [], goal: "< 60 s", met: (f) => f < 60 };
  const typecheck: Row = { label: "  its type check alone (npm run typecheck, incremental)", samples: [], goal: "part of npm test", met: () => true };

  // A first preview makes the per-stack inits that later previews reuse, as on a user's machine.
  execFileSync(bin("tsx"), ["scripts/preview.ts"], { cwd: root, stdio: "ignore" });
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`run ${i + 1}/${runs}\n`);
    const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
    synth.floor!.samples.push(seconds(() => execFileSync("node", ["-e", "require('cdktf')"], { cwd: root, stdio: "ignore" })));
    synth.samples.push(seconds(() => execSync(appCommand, { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "ignore" })));
    rmSync(outdir, { recursive: true, force: true });
    preview.floor!.samples.push(
      seconds(() => {
        for (let s = 0; s < stackCount; s++) {
          tf(["validate", "-no-color"]);
          tf(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false"]);
        }
      }),
    );
    preview.samples.push(seconds(() => execFileSync(bin("tsx"), ["scripts/preview.ts"], { cwd: root, stdio: "ignore" })));
    if (!values["no-tests"]) {
      // `npm test` itself (scripts/test.cjs: the type check alongside jest), then each part alone for the record.
      suite.samples.push(seconds(() => execFileSync("npm", ["test", "--silent", "--", "--silent"], { cwd: root, stdio: "ignore" })));
      typecheck.samples.push(seconds(() => execFileSync("npm", ["run", "-s", "typecheck"], { cwd: root, stdio: "ignore" })));
    }
  }
  rmSync(floor.dir, { recursive: true, force: true });

  const rows = [synth, preview, suite, typecheck].filter((r) => r.samples.length);
  const cells = rows.map((r) => {
    const figure = median(r.samples);
    const fl = r.floor ? median(r.floor.samples) : undefined;
    return [
      r.label,
      figure.toFixed(2),
      r.floor ? `${fl!.toFixed(2)}  (${r.floor.label})` : "",
      fl ? `${(figure / fl).toFixed(2)}×` : "",
      `${r.goal}: ${r.met(figure, fl) ? "met" : "NOT met"}`,
    ];
  });
  const header = ["step", "median s", "floor s", "ratio", "goal"];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}`);
  for (const row of cells) console.log(line(row));
  console.log(`\nruns: ${runs}; medians; floors measured in the same runs, back to back with their figure.`);
  console.log(lastEmulatorRun());
}

/** The last `npm run test:emulator` run, as its reporter recorded it (not re-run here: it takes minutes). */
function lastEmulatorRun(): string {
  const file = join(root, "node_modules", ".cache", "webapp-platform", "emulator-run.json");
  if (!existsSync(file)) return "emulator run (npm run test:emulator, budget 5 min): not run on this machine yet";
  const run = JSON.parse(readFileSync(file, "utf8")) as { finishedAt: string; wallSeconds: number; passed: number; failed: number; files: { file: string; seconds: number }[] };
  const files = run.files.map((f) => `${f.file.replace(/^__tests__\/emulator\//, "")} ${f.seconds.toFixed(0)} s`).join(", ");
  return `emulator run (npm run test:emulator, last run ${run.finishedAt}, not re-run by the bench): ${run.wallSeconds.toFixed(0)} s wall, ${run.passed} passed, ${run.failed} failed; budget 5 min: ${run.wallSeconds < 300 ? "met" : "NOT met"} (${files})`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
