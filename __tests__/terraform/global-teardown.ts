/** Jest global teardown: removes the shared Terraform run directory (synthesized apps, plans, states). */
import { rmSync } from "node:fs";
import { RUN_DIR_VARIABLE } from "./terraform-run";

export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_DIR_VARIABLE];
  // KEEP_TERRAFORM_RUN=1 keeps it for a look at the plans and states (the path is printed by the setup).
  if (dir && !process.env.KEEP_TERRAFORM_RUN) rmSync(dir, { recursive: true, force: true });
}
