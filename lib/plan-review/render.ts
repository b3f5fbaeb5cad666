/** The plan review gate, part 3: the text and Markdown reports. See index.ts. */
import { describeTaskDefinitionChange } from "../container-diff";
import { type ChangeAction, type PlanReview, type ReplaceOrder, type ReviewedChange } from "./parse";
import { allowFlags } from "./review";

const ACTION_LABEL: Readonly<Record<ChangeAction, string>> = {
  create: "create",
  update: "update in place",
  replace: "replace",
  destroy: "destroy",
  forget: "forget (removed from state, object kept)",
  read: "read",
  "no-op": "no change",
  other: "other",
};

const ORDER_LABEL: Readonly<Record<ReplaceOrder, string>> = {
  "destroy-before-create": "destroy before create",
  "create-before-destroy": "create before destroy",
  "create-then-forget": "create, then forget the old object",
};

/** The action in words, with the replacement order: `replace (destroy before create)`. */
export function actionLabel(change: ReviewedChange): string {
  if (change.action === "other") return change.actions.join(", ");
  const base = change.replaceOrder ? `${ACTION_LABEL[change.action]} (${ORDER_LABEL[change.replaceOrder]})` : ACTION_LABEL[change.action];
  if (change.action === "no-op" && change.movedFrom) return `moved from ${change.movedFrom}`;
  return change.action === "no-op" && change.importing ? "import" : base;
}

/** Deposed object, move, import and Terraform's reason, as short phrases. */
function qualifiers(change: ReviewedChange): string[] {
  return [
    ...(change.deposed ? [`deposed object ${change.deposed}`] : []),
    ...(change.movedFrom && change.action !== "no-op" ? [`moved from ${change.movedFrom}`] : []),
    ...(change.importing && change.action !== "no-op" ? ["import"] : []),
    ...(change.reason ? [change.reason] : []),
  ];
}

const TERRAFORM_SYMBOL: Readonly<Record<ChangeAction, string>> = {
  create: "+",
  update: "~",
  replace: "-/+",
  destroy: "-",
  forget: ".",
  read: "<=",
  "no-op": " ",
  other: "?",
};

function symbol(change: ReviewedChange): string {
  return change.replaceOrder === "create-before-destroy" ? "+/-" : change.replaceOrder === "create-then-forget" ? "+/." : TERRAFORM_SYMBOL[change.action];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function countsLine(review: PlanReview): string {
  const c = review.counts;
  const parts = [`${c.create} to create`, `${c.update} to update`, `${c.replace} to replace`, `${c.destroy} to destroy`];
  if (c.forget) parts.push(`${c.forget} to forget`);
  if (c.other) parts.push(`${c.other} other`);
  if (c.read) parts.push(`${plural(c.read, "data source")} to read`);
  parts.push(`${c["no-op"]} unchanged`);
  return parts.join(", ");
}

function hasChanges(review: PlanReview): boolean {
  return review.changes.length > 0 || review.reads.length > 0;
}

/** The verdict: a status word, one sentence, and the addresses it is about (blocked or allowed ones). */
export interface Verdict {
  readonly status: "Blocked" | "Passed" | "Passed with allowances";
  readonly detail: string;
  readonly addresses: readonly string[];
}

/** The plan's verdict in words. */
export function verdict(review: PlanReview): Verdict {
  const addresses = (changes: readonly ReviewedChange[]): string[] => [...new Set(changes.map((c) => c.address))];
  const allStateful = (changes: readonly ReviewedChange[]) => changes.every((c) => c.stateful && c.deletesObject);
  if (review.blocked) {
    const detail = allStateful(review.blocking)
      ? `${plural(review.blocking.length, "stateful resource")} would be destroyed or replaced`
      : `${plural(review.blocking.length, "change")} would break what is running or lose data`;
    return { status: "Blocked", detail, addresses: addresses(review.blocking) };
  }
  if (review.allowed.length > 0) {
    const detail = allStateful(review.allowed)
      ? `${plural(review.allowed.length, "stateful resource")} would be destroyed or replaced, allowed by --allow`
      : `${plural(review.allowed.length, "blocking change")} allowed by --allow`;
    return { status: "Passed with allowances", detail, addresses: addresses(review.allowed) };
  }
  return { status: "Passed", detail: hasChanges(review) ? "no stateful resource would be destroyed or replaced" : "no changes", addresses: [] };
}

/** Beyond this many addresses, the verdict line names the first few and counts the rest (the table lists them all). */
const VERDICT_ADDRESSES = 5;

function verdictLine(v: Verdict, format: (address: string) => string): string {
  if (v.addresses.length === 0) return `${v.detail}.`;
  const shown = v.addresses.slice(0, VERDICT_ADDRESSES).map(format).join(", ");
  const more = v.addresses.length > VERDICT_ADDRESSES ? ` and ${v.addresses.length - VERDICT_ADDRESSES} more` : "";
  return `${v.detail}: ${shown}${more}.`;
}

export interface RenderOptions {
  /**
   * The heading.
   * @default "Terraform plan review"
   */
  readonly title?: string;
  /**
   * The command shown in the unblock hint, before the allow flags.
   * @default "npm run plan:review -- <plan.json>"
   */
  readonly command?: string;
}

const DEFAULT_TITLE = "Terraform plan review";
const DEFAULT_COMMAND = "npm run plan:review -- <plan.json>";

function statefulTag(change: ReviewedChange): string {
  if (!change.stateful) return "";
  const gate = change.gate === "blocked" ? " BLOCKED" : change.gate === "allowed" ? " allowed by --allow" : "";
  return `[stateful: ${change.stateful}]${gate}`;
}

/** The review for a terminal: verdict, counts, one line per change, and the allow flags that would unblock it. */
export function toText(review: PlanReview, options: RenderOptions = {}): string {
  const v = verdict(review);
  const lines = [`${options.title ?? DEFAULT_TITLE}${review.terraformVersion ? ` (Terraform ${review.terraformVersion})` : ""}`, `${v.status.toUpperCase()}: ${verdictLine(v, (a) => a)}`, "", `  ${countsLine(review)}`];
  if (review.changes.length > 0) {
    const width = Math.min(80, Math.max(...review.changes.map((c) => c.address.length)));
    lines.push("");
    for (const change of review.changes) {
      const details = [
        actionLabel(change),
        ...qualifiers(change),
        ...(change.forcesReplacement.length > 0 ? [`forces replacement: ${change.forcesReplacement.join(", ")}`] : []),
      ].join("; ");
      lines.push(`  ${symbol(change).padEnd(3)} ${change.address.padEnd(width)}  ${details}${change.stateful ? `  ${statefulTag(change)}` : ""}`);
      if (change.blockReason && !change.stateful) lines.push(`        ${change.gate === "blocked" ? "BLOCKED" : "allowed by --allow"}: ${change.blockReason}`);
      if (change.taskDefinition) for (const line of describeTaskDefinitionChange(change.taskDefinition)) lines.push(`        ${line}`);
    }
  }
  if (review.reads.length > 0) lines.push("", `  Data sources read during apply: ${review.reads.map((c) => c.address).join(", ")}`);
  if (review.drift.length > 0) {
    lines.push("", `  Changed outside Terraform since the last apply (informational): ${review.drift.map((c) => `${c.address} (${c.action === "destroy" ? "deleted" : c.action === "update" ? "updated" : actionLabel(c)})`).join(", ")}`);
  }
  for (const allow of review.unusedAllows) lines.push("", `  Note: --allow ${allow} has no effect: the plan does not destroy or replace it as a stateful resource.`);
  for (const note of review.notes) lines.push("", `  Note: ${note}`);
  if (review.blocked) {
    const what = review.blocking.every((c) => c.stateful) ? "destroying this data" : "this";
    lines.push("", `If ${what} is intended, re-run with:`, `  ${options.command ?? DEFAULT_COMMAND} ${allowFlags(review)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A Markdown code span that survives table cells: pipes escaped, backticks fenced. */
function code(text: string): string {
  const escaped = text.replace(/\|/g, "\\|");
  return escaped.includes("`") ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function changeTable(changes: readonly ReviewedChange[]): string[] {
  const rows = changes.map((c) => {
    const action = [actionLabel(c), ...qualifiers(c)].join("; ");
    const stateful = !c.stateful ? "" : c.gate === "blocked" ? `⛔ ${c.stateful}` : c.gate === "allowed" ? `⚠️ ${c.stateful} (allowed)` : `🗄️ ${c.stateful}`;
    return `| ${symbol(c).trim() ? code(symbol(c)) : ""} | ${code(c.address)} | ${cell(action)} | ${c.forcesReplacement.map(code).join(", ")} | ${cell(stateful)} |`;
  });
  return ["| | address | action | forces replacement | stateful |", "|---|---|---|---|---|", ...rows];
}

function details(summary: string, body: readonly string[]): string[] {
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

/** Beyond this many changes, the full table is folded into a `<details>` block. */
const LONG_LIST = 15;

/**
 * The review as a pull-request comment: heading, one-line verdict (✅/⛔), counts by action, the
 * changes table (address, action, attributes forcing replacement, stateful marker), and
 * `<details>` blocks for long lists, data source reads and drift.
 */
export function toMarkdown(review: PlanReview, options: RenderOptions = {}): string {
  const icon = review.blocked ? "⛔" : "✅";
  const v = verdict(review);
  const out = [`### ${options.title ?? DEFAULT_TITLE}`, "", `${icon} **${v.status}**: ${verdictLine(v, code)}`, ""];

  const c = review.counts;
  const countRows: [string, number, boolean][] = [
    ["create", c.create, true],
    ["update in place", c.update, true],
    ["replace", c.replace, true],
    ["destroy", c.destroy, true],
    ["forget", c.forget, c.forget > 0],
    ["other", c.other, c.other > 0],
    ["read (data sources)", c.read, c.read > 0],
    ["no change (not listed)", c["no-op"], true],
  ];
  out.push("| action | count |", "|---|---:|", ...countRows.filter(([, , show]) => show).map(([label, n]) => `| ${label} | ${n} |`), "");

  if (review.changes.length > 0 && review.changes.length <= LONG_LIST) {
    out.push(...changeTable(review.changes), "");
  } else if (review.changes.length > LONG_LIST) {
    const destructive = review.changes.filter((ch) => ch.deletesObject || ch.gate !== "pass");
    if (destructive.length > 0) out.push(`**Destroyed or replaced** (${destructive.length}):`, "", ...changeTable(destructive), "");
    out.push(...details(`All ${review.changes.length} changes`, changeTable(review.changes)), "");
  }
  const blockedOther = review.changes.filter((ch) => ch.blockReason && !ch.stateful);
  if (blockedOther.length > 0) {
    out.push(...blockedOther.map((ch) => `- ${ch.gate === "blocked" ? "⛔" : "⚠️ allowed:"} ${code(ch.address)} ${cell(ch.blockReason!)}`), "");
  }
  const decoded = review.changes.filter((ch) => ch.taskDefinition);
  if (decoded.length > 0) {
    out.push("**Task definitions**", "");
    for (const ch of decoded) out.push(`${code(ch.address)}:`, "", "```", ...describeTaskDefinitionChange(ch.taskDefinition!), "```", "");
  }
  if (review.reads.length > 0) {
    out.push(...details(`Data sources read during apply (${review.reads.length})`, review.reads.map((r) => `- ${code(r.address)}${r.reason ? `: ${r.reason}` : ""}`)), "");
  }
  if (review.drift.length > 0) {
    out.push(...details(`Changed outside Terraform since the last apply (${review.drift.length}, informational)`, review.drift.map((d) => `- ${code(d.address)}: ${actionLabel(d)}`)), "");
  }
  for (const allow of review.unusedAllows) out.push(`> [!NOTE]\n> ${code(`--allow ${allow}`)} has no effect: the plan does not destroy or replace it as a stateful resource.`, "");
  for (const note of review.notes) out.push(`> [!NOTE]\n> ${note}`, "");
  if (review.blocked) {
    out.push(`If ${review.blocking.every((c) => c.stateful) ? "destroying this data" : "this"} is intended, re-run the review with:`, "", "```sh", `${options.command ?? DEFAULT_COMMAND} ${allowFlags(review)}`, "```", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

