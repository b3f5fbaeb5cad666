/**
 * The shared Terraform run as a process of its own: `node --require tsx/cjs prepare-run.ts <run dir>`,
 * started by the jest global setup (terraform-run.ts `startRun`). Writes `<run dir>/index.json` when
 * complete, `<run dir>/failed.txt` when not.
 */
import { prepareRunInto } from "./terraform-run";

const [runDir] = process.argv.slice(2);
if (!runDir) {
  process.stderr.write("usage: prepare-run.ts <run dir>\n");
  process.exit(2);
}
// Exits explicitly: a handle left open (the local Step Functions validator) must not keep the jest run waiting.
prepareRunInto(runDir).then(
  () => process.exit(0),
  () => process.exit(1), // the error is in failed.txt, which every reader of the run rethrows
);
