/**
 * The cdktf.json app command (scripts/synth-app.cjs): main.ts bundled once and re-bundled when a
 * file it was built from changes. The bundle must synthesize exactly what the code synthesizes
 * in-process (what the tests and the preview check: two synths, two loaders, the same bytes), and an
 * unexpected error must still be shown with TypeScript lines.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../lib/terraform";

const root = join(__dirname, "..", "..");
const app: string = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")).app;
const cache = join(root, "node_modules", ".cache", "webapp-platform", "synth");

function runApp(outdir: string) {
  const [command, ...args] = app.split(" ");
  return spawnSync(command, args, { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test("cdktf.json runs the bundling launcher, not a TypeScript loader", () => {
  expect(app).toBe("node scripts/synth-app.cjs");
});

test("determinism (T3): the app command synthesizes byte for byte what the code synthesizes in-process, with no path of this machine", () => {
  const viaApp = tempDir("synth-app-");
  const result = runApp(viaApp);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const inProcess = tempDir("synth-in-process-");
  const stacks = synthesize(inProcess);
  expect(stacks).toEqual(["bootstrap", "production", "staging"]);
  for (const stack of stacks) {
    const text = readFileSync(join(viaApp, "stacks", stack, "cdk.tf.json"), "utf8");
    expect(text.length).toBeGreaterThan(1000);
    expect(text === readFileSync(join(inProcess, "stacks", stack, "cdk.tf.json"), "utf8")).toBe(true);
    expect(text).not.toContain(viaApp);
    expect(text).not.toContain(root);
  }
  // The manifest carries no construct stack traces (App stackTraces: false), so no paths of this machine either.
  expect(readFileSync(join(viaApp, "manifest.json"), "utf8")).not.toContain(root);
}, 180_000);

test("a change to any file the bundle was built from rebuilds it; no change reuses it", () => {
  const current = () => JSON.parse(readFileSync(join(cache, "inputs.json"), "utf8")) as { bundle: string; inputs: Record<string, string | null> };
  runApp(tempDir("synth-warm-"));
  const built = current();
  runApp(tempDir("synth-reuse-"));
  expect(current().bundle).toBe(built.bundle);
  expect(Object.keys(built.inputs)).toEqual(expect.arrayContaining(["main.ts", "config/staging.ts", "package-lock.json", "tsconfig.json", "scripts/synth-app.cjs"]));
  expect(Object.keys(built.inputs).some((file) => file.startsWith("node_modules/cdktf/"))).toBe(true);
  // config/staging.ts "changes" (same content, a later modification time): the next synth bundles again.
  const file = join(root, "config", "staging.ts");
  const { atime, mtime } = statSync(file);
  try {
    utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    expect(runApp(tempDir("synth-changed-")).status).toBe(0);
    expect(current().bundle).not.toBe(built.bundle);
    expect(existsSync(join(cache, built.bundle))).toBe(false); // the older bundle is removed
  } finally {
    utimesSync(file, atime, mtime);
  }
}, 180_000);

test("an unexpected error is shown again through tsx, with TypeScript lines, and the exit code is not 0", () => {
  // An output directory that cannot be created (a file is in the way): cdktf fails while writing.
  const blocker = join(tempDir("synth-blocked-"), "file");
  writeFileSync(blocker, "");
  const result = runApp(join(blocker, "out"));
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/unexpected synth error .*running main\.ts through tsx/);
  expect(result.stderr).toMatch(/ENOTDIR/);
  expect(result.stderr).toMatch(/\.ts:\d+:\d+/);
}, 180_000);
