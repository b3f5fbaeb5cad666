/**
 * Jest global setup: starts the real-Terraform work (synth, one init per stack, plans, as-applied
 * states, the day-two matrix) once per run, in a process of its own, and returns at once. The test
 * files that need it wait for it (terraform-run.ts `readRun`) and run last (jest-sequencer.js); the
 * others run meanwhile. Not started when the run selects no test file that needs it (e.g.
 * `npx jest __tests__/naming.test.ts`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_DIR_VARIABLE, startRun } from "./terraform-run";

/** Test files that read the shared run (under __tests__/; jest-sequencer.js runs them last). */
export const TERRAFORM_TEST_FILES: readonly string[] = JSON.parse(readFileSync(join(__dirname, "shared-run-files.json"), "utf8"));

/** Where the global teardown finds the run's process (setup and teardown share the jest process, not their modules). */
export const RUN_HANDLE = Symbol.for("webapp-platform.terraform-run");

export default async function globalSetup(globalConfig: { readonly testPathPattern?: string }): Promise<void> {
  const pattern = globalConfig.testPathPattern;
  if (pattern && !TERRAFORM_TEST_FILES.some((file) => new RegExp(pattern, "i").test(`__tests__/${file}`))) return;
  const run = startRun();
  process.env[RUN_DIR_VARIABLE] = run.dir;
  (globalThis as Record<symbol, unknown>)[RUN_HANDLE] = { ...run, started: Date.now() };
}
