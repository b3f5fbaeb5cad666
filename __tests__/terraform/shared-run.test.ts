/**
 * The shared Terraform run's handshake with the test files (it is prepared in the background while
 * other files run): readers wait for it to complete, a failure reaches every reader, and the files
 * that read it are run last.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRun } from "./terraform-run";

const SharedRunLastSequencer = require("../jest-sequencer");

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "shared-run-test-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a reader waits until the run's index is written, then reads it", async () => {
  let settled = false;
  const reading = readRun(dir).then((run) => ((settled = true), run));
  await new Promise((r) => setTimeout(r, 300));
  expect(settled).toBe(false);
  writeFileSync(join(dir, "index.json"), JSON.stringify({ stacks: {}, asApplied: {}, matrix: {}, extras: {}, destroy: { staging: "" }, seconds: 12.5, phases: {} }));
  const run = await reading;
  expect(run.seconds).toBe(12.5);
  expect(run.destroy).toEqual({ staging: "" });
});

test("a failed run fails every reader with its error, instead of leaving them waiting", async () => {
  writeFileSync(join(dir, "failed.txt"), "TerraformError: terraform plan of the batch failed: staging: Unsupported argument");
  await expect(readRun(dir)).rejects.toThrow(/shared Terraform run .* failed:\nTerraformError: terraform plan of the batch failed: staging: Unsupported argument/);
});

test("a run that does not finish fails its readers with that, before their own timeout would", async () => {
  await expect(readRun(dir, 300)).rejects.toThrow(/shared Terraform run .* is still running after/);
});

test("the files that read the run go last; the others keep jest's order", () => {
  const files: string[] = JSON.parse(readFileSync(join(__dirname, "shared-run-files.json"), "utf8"));
  const test = (path: string) => ({ path: join(__dirname, "..", path), duration: 0, context: { config: { cache: false }, hasteFS: { getSize: () => 1 } } });
  const sequencer = new SharedRunLastSequencer();
  // A stub cache: jest's sequencer reads the last run's timings from it.
  sequencer._getCache = () => ({});
  const input = ["terraform/terraform.test.ts", "core/naming.test.ts", "delivery/github-oidc.test.ts", "data/cache.test.ts"].map(test);
  const order = sequencer.sort(input).map((t: { path: string }) => t.path.replace(/^.*__tests__\//, ""));
  expect(order.slice(0, 2).sort()).toEqual(["core/naming.test.ts", "data/cache.test.ts"]);
  expect(order.slice(2).sort()).toEqual(["delivery/github-oidc.test.ts", "terraform/terraform.test.ts"]);
  expect(files).toEqual(expect.arrayContaining(["terraform/terraform.test.ts", "delivery/github-oidc.test.ts"]));
});
