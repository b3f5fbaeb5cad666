import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironment } from "../../config";
import { estimateStack } from "../../lib/cost";
import { buildDiagram, unaccountedTypes } from "../../lib/diagram";
import { readStack, regionOf, resourcesOf } from "../../lib/stack-json";
import { synthesize } from "../../lib/terraform";
import { tokyo } from "../../examples/config/tokyo";
import { englishDocs } from "../helpers";

const en = englishDocs();
const readmeOnly = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const ja = readFileSync(join(__dirname, "..", "..", "README.ja.md"), "utf8");

/** The text of the `## title` section (up to the next `## `). */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  // A section ends at the next section or page (englishDocs joins README.md and docs/*.md).
  const next = /\n#{1,2} /g;
  next.lastIndex = start + 4;
  const end = next.exec(markdown)?.index ?? -1;
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Fenced shell blocks (sh, bash, console, shell). */
const shellBlocks = (text: string) => [...text.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Commands written inline or in shell blocks: anything starting with npx, npm, terraform, aws, dig, git or gh. */
function commands(text: string): Set<string> {
  const inline = [...text.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  const fenced = shellBlocks(text).flatMap((b) => b.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()));
  return new Set([...inline, ...fenced].filter((c) => /^(npx|npm|terraform|aws|dig|git|gh) /.test(c)));
}

const SECTIONS: [string, string][] = [
  ["Quick start", "クイックスタート"],
  ["Bootstrap order", "ブートストラップの順番"],
  ["First deploy on an empty AWS account", "空の AWS アカウントへの最初のデプロイ"],
  ["Troubleshooting", "トラブルシューティング"],
];

describe("README.ja.md keeps in step with README.md", () => {
  test.each(SECTIONS)("%s: the same shell blocks and every command of the English section", (english, japanese) => {
    const enSection = section(en, english);
    const jaSection = section(ja, japanese);
    expect(shellBlocks(jaSection)).toEqual(shellBlocks(enSection));
    const missing = [...commands(enSection)].filter((c) => !commands(jaSection).has(c));
    expect(missing).toEqual([]);
  });

  test("every command in the Japanese README exists in the English README (none invented or renamed)", () => {
    const english = commands(en);
    expect([...commands(ja)].filter((c) => !english.has(c))).toEqual([]);
    expect(commands(ja).size).toBeGreaterThan(10);
  });

  test("the troubleshooting tables have the same symptoms, in the same order", () => {
    const codes = (text: string) => [...text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| symptom") && !l.startsWith("| 症状"))].map((l) => [...l.split(" | ")[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]).join(" "));
    expect(codes(section(ja, "トラブルシューティング"))).toEqual(codes(section(en, "Troubleshooting")));
  });

  test("the English README links the Japanese one", () => {
    expect(readmeOnly).toContain("[日本語](README.ja.md)");
  });
});

describe("the ap-northeast-1 example configuration (examples/config/tokyo.ts)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "tokyo-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("validates, synthesizes with its guardrails, and is drawn and priced with Tokyo prices", () => {
    // GIVEN the example WHEN validated and synthesized (guardrail aspects run at synth)
    const config = loadEnvironment(tokyo);
    expect(config.region).toBe("ap-northeast-1");
    expect(synthesize(outdir, [tokyo])).toEqual(["bootstrap", "tokyo"]);
    const stack = readStack(join(outdir, "stacks", "tokyo"));
    // THEN the stack is in Tokyo, its subnets in the configured zones
    expect(regionOf(stack)).toBe("ap-northeast-1");
    const zones = new Set(resourcesOf(stack).filter((r) => r.type === "aws_subnet").map((r) => r.values.availability_zone));
    expect([...zones].sort()).toEqual(["ap-northeast-1a", "ap-northeast-1c"]);
    // AND it can be drawn and priced (the ap-northeast-1 price table is complete for it)
    expect(unaccountedTypes(stack)).toEqual([]);
    expect(buildDiagram("tokyo", "ap-northeast-1", stack).nodes.length).toBeGreaterThan(15);
    const estimate = estimateStack("tokyo", "ap-northeast-1", stack, config.cost);
    expect(estimate.lines.find((l) => l.priceKey === "nat.hour")!.unitUsd).toBe(0.062);
    expect(estimate.totalUsd).toBeGreaterThan(0);
  });

  test("the snippet in README.ja.md shows the example's region-specific values", () => {
    const snippet = /```ts\n([\s\S]*?)```/.exec(section(ja, "東京リージョンの設定例"))![1];
    for (const value of [tokyo.region, ...tokyo.availabilityZones, tokyo.network.vpcCidr, tokyo.domain.name, tokyo.domain.hostedZoneId]) expect(snippet).toContain(`"${value}"`);
  });
});
