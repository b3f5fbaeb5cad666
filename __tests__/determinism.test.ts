import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");

/** Runs main.ts exactly as `cdktf synth` does (the cdktf.json app command) into a fresh directory. */
function synthWithMain(): string {
  const outdir = mkdtempSync(join(tmpdir(), "synth-"));
  const tsx = join(root, "node_modules", ".bin", "tsx");
  execFileSync(tsx, ["main.ts"], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "pipe" });
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
    for (const dir of [first, second]) rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
