import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..", "..");
const SOURCE_DIRS = ["main.ts", "config", "constructs", "stacks", "lib", "scripts", "__tests__"];

function sources(path: string): string[] {
  const full = join(root, path);
  if (statSync(full).isFile()) return full.endsWith(".ts") ? [full] : [];
  return readdirSync(full).flatMap((entry) => sources(join(path, entry)));
}

const files = SOURCE_DIRS.flatMap(sources).map((file) => ({ file: relative(root, file), text: readFileSync(file, "utf8") }));

describe("source rules", () => {
  test("there are sources to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test("provider classes are imported by deep path only (the barrel import costs seconds per test file)", () => {
    const barrel = /from\s+["']@cdktf\/provider-(aws|docker)["']|require\(["']@cdktf\/provider-(aws|docker)["']\)/;
    expect(files.filter(({ text }) => barrel.test(text)).map(({ file }) => file)).toEqual([]);
  });

  test("process.env is read only in main.ts, lib/ harness and scripts, never in constructs, stacks or config", () => {
    const offenders = files.filter(({ file, text }) => /^(constructs|stacks|config)\//.test(file) && /process\.env/.test(text));
    expect(offenders.map(({ file }) => file)).toEqual([]);
  });

  test("constructs import nothing from config/ or stacks/, and config imports no guardrail rule (issue 17: no circle, no upward arrow)", () => {
    const imports = (text: string) => [...text.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
    const upward = files.filter(({ file, text }) => file.startsWith("constructs/") && imports(text).some((i) => /^\.\.\/(\.\.\/)?(config|stacks)(\/|$)/.test(i)));
    expect(upward.map(({ file }) => file)).toEqual([]);
    const configToRules = files.filter(({ file, text }) => file.startsWith("config/") && imports(text).some((i) => /constructs\/rules(\/index)?$/.test(i) || /constructs\/rules\/(?!ids$)/.test(i)));
    expect(configToRules.map(({ file }) => file)).toEqual([]);
  });
});
