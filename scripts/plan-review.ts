/**
 * `npm run plan:review -- <plan.json> [--allow <address>]... [--format text|markdown] [--title <text>]`
 *
 * The plan review gate (logic in lib/plan-review.ts). Reads `terraform show -json` output of a
 * saved plan, prints the review and exits:
 *   0  no stateful resource would be destroyed or replaced (or every one is named by --allow)
 *   1  blocked: a stateful resource would be destroyed or replaced without an --allow
 *   2  usage error: bad arguments, missing or unreadable file, not a plan, an --allow not in the plan
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PlanFormatError, PlanReviewUsageError, parsePlan, reviewPlan, shellQuote, toMarkdown, toText, type ReviewablePlan } from "../lib/plan-review";

const USAGE = "usage: plan-review <plan.json> [--allow <address>]... [--format text|markdown] [--title <text>]";
const FORMATS = ["text", "markdown"] as const;
type Format = (typeof FORMATS)[number];

export const EXIT = { passed: 0, blocked: 1, usage: 2 } as const;

class UsageError extends Error {}

interface Args {
  readonly file: string;
  readonly allow: readonly string[];
  readonly format: Format;
  readonly title?: string;
  readonly help: boolean;
}

function parse(argv: readonly string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        allow: { type: "string", multiple: true },
        format: { type: "string" },
        title: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    // node:util messages, e.g. "Unknown option '--alow'" or "Option '--allow <value>' argument missing".
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}; options are --allow <address> (repeatable), --format text|markdown, --title <text>`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { file: "", allow: [], format: "text", help: true };
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "<plan.json> is missing: pass one file written by terraform show -json" : `expected one <plan.json>, got ${positionals.length}: ${positionals.join(" ")}`);
  }
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format ${JSON.stringify(format)}: allowed values are ${FORMATS.join(", ")}`);
  const allow = values.allow ?? [];
  const empty = allow.find((a) => a.trim() === "");
  if (empty !== undefined) throw new UsageError(`--allow needs a resource address, got ${JSON.stringify(empty)}`);
  return { file: positionals[0], allow, format: format as Format, title: values.title, help: false };
}

const HOW_TO = "create it with: terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json";

function readPlan(file: string): ReviewablePlan {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `<plan.json> ${JSON.stringify(file)} does not exist; ${HOW_TO}` : `<plan.json> ${JSON.stringify(file)} cannot be read (${code ?? (error as Error).message})`);
  }
  if (bytes.subarray(0, 2).toString("latin1") === "PK") {
    throw new UsageError(`<plan.json> ${JSON.stringify(file)} is a binary plan file, not JSON; convert it with: terraform show -json ${shellQuote(file)} > plan.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new UsageError(`<plan.json> ${JSON.stringify(file)} is not JSON (${(error as Error).message}); ${HOW_TO}`);
  }
  try {
    return parsePlan(json);
  } catch (error) {
    if (error instanceof PlanFormatError) throw new UsageError(`<plan.json> ${JSON.stringify(file)} is not terraform show -json plan output: ${error.message}; ${HOW_TO}`);
    throw error;
  }
}

/** Runs the gate; returns the exit code. Output goes to the given writers (stdout for the review, stderr for errors). */
export function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  try {
    const args = parse(argv);
    if (args.help) {
      out(`${USAGE}\n\nExit codes: 0 passed, 1 blocked (a stateful resource would be destroyed or replaced), 2 usage error.\n`);
      return EXIT.passed;
    }
    const review = reviewPlan(readPlan(args.file), { allow: args.allow });
    const command = `npm run plan:review -- ${shellQuote(args.file)}`;
    const render = args.format === "markdown" ? toMarkdown : toText;
    out(render(review, { title: args.title, command }));
    return review.blocked ? EXIT.blocked : EXIT.passed;
  } catch (error) {
    if (error instanceof UsageError || error instanceof PlanReviewUsageError) {
      err(`plan-review: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t));
}
