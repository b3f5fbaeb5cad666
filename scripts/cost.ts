/**
 * `npm run cost`: monthly cost estimate of every environment, side by side, from the synthesized
 * stacks and the shipped price table (lib/cost/prices.json). Offline. Options:
 *   --details            every priced line per environment
 *   --json               the estimates as JSON (what the pull-request workflow compares)
 *   --markdown           Markdown tables
 *   --as-of YYYY-MM-DD   the day to price (MySQL Extended Support); default: the price table's date
 *   --write-readme       replace the generated block in README.md
 *   diff BASE.json HEAD.json   Markdown difference for a pull request (BASE may be missing)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments, loadEnvironments } from "../config";
import { CostError, details, difference, estimateAll, sideBySide, type Estimate } from "../lib/cost";
import { readmeBlock, replaceReadmeBlock } from "../lib/cost/readme";
import { isConfigurationError } from "../lib/synth";
import { synthesize } from "../lib/terraform";
/** The page that holds the generated cost block (between its markers). */
const COST_PAGE = join("docs", "cost.md");

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "diff") {
    const [basePath, headPath] = args.slice(1);
    if (!headPath) throw new CostError("usage: npm run cost -- diff BASE.json HEAD.json");
    const base = existsSync(basePath) && readFileSync(basePath, "utf8").trim() ? (JSON.parse(readFileSync(basePath, "utf8")) as Estimate[]) : undefined;
    process.stdout.write(difference(base, JSON.parse(readFileSync(headPath, "utf8")) as Estimate[]));
    return;
  }
  const asOfIndex = args.indexOf("--as-of");
  const asOf = asOfIndex >= 0 ? args[asOfIndex + 1] : undefined;
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new CostError(`--as-of: got "${asOf}"; must be a date YYYY-MM-DD`);
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-cost-"));
  try {
    synthesize(outdir);
    const estimates = estimateAll(outdir, loadEnvironments(environments), asOf);
    if (args.includes("--json")) {
      process.stdout.write(`${JSON.stringify(estimates, null, 2)}\n`);
    } else if (args.includes("--write-readme")) {
      writeFileSync(COST_PAGE, replaceReadmeBlock(readFileSync(COST_PAGE, "utf8"), readmeBlock(estimates)));
      console.log(`${COST_PAGE}: cost block updated`);
    } else {
      const markdown = args.includes("--markdown");
      console.log(sideBySide(estimates, markdown));
      if (args.includes("--details")) for (const e of estimates) console.log(`\n${details(e, markdown)}`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  const known = isConfigurationError(error) || error instanceof CostError;
  console.error(known ? `\n${(error as Error).message}\n` : error);
  process.exit(1);
}
