/**
 * Jest global teardown: waits for the shared Terraform run's process (a run whose test files all
 * failed early may still be planning), prints its timings and removes its directory.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RUN_HANDLE } from "./global-setup";
import { RUN_DIR_VARIABLE } from "./terraform-run";

export default async function globalTeardown(): Promise<void> {
  const handle = (globalThis as Record<symbol, unknown>)[RUN_HANDLE] as { dir: string; done: Promise<void>; started: number } | undefined;
  const dir = process.env[RUN_DIR_VARIABLE];
  if (handle) {
    await handle.done;
    const index = join(handle.dir, "index.json");
    if (existsSync(index)) {
      const { phases, seconds } = JSON.parse(readFileSync(index, "utf8")) as { phases: Record<string, number>; seconds: number };
      const detail = Object.entries(phases).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(", ");
      process.stderr.write(`shared Terraform run: ${seconds.toFixed(1)} s alongside the other test files (${detail}): ${handle.dir}\n`);
    }
  }
  // KEEP_TERRAFORM_RUN=1 keeps it for a look at the plans and states (the path is printed above).
  if (dir && !process.env.KEEP_TERRAFORM_RUN) rmSync(dir, { recursive: true, force: true });
}
