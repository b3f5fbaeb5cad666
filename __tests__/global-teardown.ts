/** Jest global teardown: removes the shared Terraform run directory (synthesized apps, plans, states). */
import { rmSync } from "node:fs";
import { RUN_DIR_VARIABLE } from "./terraform-run";

export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
