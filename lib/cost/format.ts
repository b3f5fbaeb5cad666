/** Text and Markdown renderings of cost estimates: side by side per environment, details, and base/head differences. */
import type { CostAssumptions, Estimate } from "./estimate";

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** A unit price with at least two decimals and four significant digits: $0.10, $0.0252, $0.001334. */
const unitPrice = (n: number) => {
  const short = String(Number(n.toPrecision(4)));
  return `$${(short.split(".")[1]?.length ?? 0) >= 2 ? short : n.toFixed(2)}`;
};
const signed = (n: number) => `${n >= 0 ? "+" : "-"}${usd(Math.abs(n))}`;

function byCategory(estimate: Estimate): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of estimate.lines) out.set(l.category, (out.get(l.category) ?? 0) + l.monthlyUsd);
  return out;
}

const ASSUMPTION_LABELS: Record<keyof CostAssumptions, string> = {
  requestsPerMonth: "requests per month (ALB)",
  averageResponseKiB: "average response KiB",
  natDataGiBPerMonth: "GB through NAT per month",
  logIngestGiBPerGroupPerMonth: "log GB ingested per group per month",
  databaseChangePercentPerDay: "database change % per day (backups)",
  imageGiBPerRepository: "image GB per ECR repository",
  bucketGiB: "GB per S3 bucket",
  bucketPutRequestsPerMonth: "S3 PUT requests per bucket per month",
  bucketGetRequestsPerMonth: "S3 GET requests per bucket per month",
};

function table(header: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    return [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

/** Categories and totals side by side, then the assumptions side by side. */
export function sideBySide(estimates: readonly Estimate[], markdown = false): string {
  const categories = [...new Set(estimates.flatMap((e) => [...byCategory(e).keys()]))];
  const header = ["monthly, USD", ...estimates.map((e) => `${e.environment} (${e.region})`)];
  const rows = categories.map((c) => [c, ...estimates.map((e) => usd(byCategory(e).get(c) ?? 0))]);
  rows.push([markdown ? "**total**" : "total", ...estimates.map((e) => (markdown ? `**${usd(e.totalUsd)}**` : usd(e.totalUsd)))]);
  const assumptions = (Object.keys(ASSUMPTION_LABELS) as (keyof CostAssumptions)[]).map((k) => [ASSUMPTION_LABELS[k], ...estimates.map((e) => e.assumptions[k].toLocaleString("en-US"))]);
  const dates = [...new Set(estimates.map((e) => e.priceTableDate))].join(", ");
  const asOf = [...new Set(estimates.map((e) => e.asOf))].join(", ");
  return [
    table(header, rows, markdown),
    "",
    `Prices: lib/cost/prices.json of ${dates} (on-demand list prices, no free tier, no taxes); estimate as of ${asOf}; 730 hours a month.`,
    "",
    table(["assumption (config `cost`)", ...estimates.map((e) => e.environment)], assumptions, markdown),
  ].join("\n");
}

/** Every priced line of one estimate. */
export function details(estimate: Estimate, markdown = false): string {
  const rows = estimate.lines.map((l) => [
    `${l.category}: ${l.item}`,
    `${Number(l.quantity.toFixed(3)).toLocaleString("en-US")} ${l.unit}`,
    unitPrice(l.unitUsd),
    usd(l.monthlyUsd),
  ]);
  return [`${markdown ? "#### " : "== "}${estimate.environment} (${estimate.region}): ${usd(estimate.totalUsd)} a month`, "", table(["item", "quantity", "unit price", "monthly"], rows, markdown)].join("\n");
}

/** Markdown for a pull request: per environment base, head and the difference, with the categories that changed. */
export function difference(base: readonly Estimate[] | undefined, head: readonly Estimate[]): string {
  const lines = ["### Monthly cost estimate: base vs head", ""];
  if (!base) lines.push("_The base branch has no cost estimate (`npm run cost`); head only._", "");
  const rows: string[][] = [];
  const changes: string[] = [];
  for (const h of head) {
    const b = base?.find((e) => e.environment === h.environment);
    rows.push([h.environment, b ? usd(b.totalUsd) : "-", usd(h.totalUsd), b ? signed(h.totalUsd - b.totalUsd) : "new"]);
    if (b) {
      const bc = byCategory(b);
      const hc = byCategory(h);
      for (const c of new Set([...bc.keys(), ...hc.keys()])) {
        const delta = (hc.get(c) ?? 0) - (bc.get(c) ?? 0);
        if (Math.abs(delta) >= 0.005) changes.push(`- ${h.environment}, ${c}: ${usd(bc.get(c) ?? 0)} -> ${usd(hc.get(c) ?? 0)} (${signed(delta)})`);
      }
    }
  }
  for (const b of base ?? []) if (!head.some((h) => h.environment === b.environment)) rows.push([b.environment, usd(b.totalUsd), "-", "removed"]);
  lines.push(table(["environment", "base", "head", "difference"], rows, true), "");
  lines.push(changes.length ? changes.join("\n") : "No change in any category.", "");
  lines.push(`<sub>Prices of ${head[0]?.priceTableDate ?? "?"} (lib/cost/prices.json); assumptions from config \`cost\`. README "Monthly cost estimate".</sub>`);
  return `${lines.join("\n")}\n`;
}
