import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

/** Runs main.ts exactly as `cdktf synth` does (the cdktf.json app command) into a fresh directory. */
function synthWithMain(): string {
  const outdir = mkdtempSync(join(tmpdir(), "synth-"));
  const app: string = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")).app;
  execSync(app, { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "pipe" });
  return outdir;
}

describe("determinism (T3)", () => {
  test("two synths of main.ts are byte-identical", () => {
    const [first, second] = [synthWithMain(), synthWithMain()];
    const stacks = readdirSync(join(first, "stacks")).sort();
    expect(stacks).toEqual(["bootstrap", "production", "staging"]);
    for (const stack of stacks) {
      const a = readFileSync(join(first, "stacks", stack, "cdk.tf.json"), "utf8");
      const b = readFileSync(join(second, "stacks", stack, "cdk.tf.json"), "utf8");
      expect(a.length).toBeGreaterThan(1000);
      expect(a === b).toBe(true);
      // No machine-specific absolute paths leak into the output.
      expect(a).not.toContain(first);
      expect(a).not.toContain(root);
    }
    // The manifest carries no construct stack traces (App stackTraces: false), so no paths of this machine either.
    expect(readFileSync(join(first, "manifest.json"), "utf8")).not.toContain(root);
    for (const dir of [first, second]) rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
