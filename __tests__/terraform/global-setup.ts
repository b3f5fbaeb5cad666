/**
 * Jest global setup: the real-Terraform work (synth, one init per stack, plans, as-applied states,
 * the day-two matrix) is done once per run and shared through a run directory (terraform-run.ts).
 * Skipped when the run selects no test file that needs it (e.g. `npx jest __tests__/naming.test.ts`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_DIR_VARIABLE, prepareRun } from "./terraform-run";

/** Test files that read the shared run. */
export const TERRAFORM_TEST_FILES = [
  "terraform/terraform.test.ts",
  "terraform/day-two.test.ts",
  "terraform/running-image.test.ts",
  "terraform/interpolation-plan.test.ts",
  "delivery/github-oidc.test.ts",
  "delivery/delivery-identity.test.ts",
];

export default async function globalSetup(globalConfig: { readonly testPathPattern?: string }): Promise<void> {
  const pattern = globalConfig.testPathPattern;
  if (pattern && !TERRAFORM_TEST_FILES.some((file) => new RegExp(pattern, "i").test(`__tests__/${file}`))) return;
  const started = Date.now();
  const runDir = await prepareRun();
  process.env[RUN_DIR_VARIABLE] = runDir;
  const { phases } = JSON.parse(readFileSync(join(runDir, "index.json"), "utf8")) as { phases: Record<string, number> };
  const detail = Object.entries(phases).map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`).join(", ");
  process.stderr.write(`\nshared Terraform run prepared in ${((Date.now() - started) / 1000).toFixed(1)} s (${detail}): ${runDir}\n`);
}
