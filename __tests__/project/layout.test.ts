/**
 * Issue 17: a newcomer finds a resource's code from its Terraform address in one step. The table in
 * docs/architecture.md ("From a Terraform address to its code") must name every top-level construct of
 * every stack, and its files must exist.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../lib/terraform";

const root = join(__dirname, "..", "..");
const page = readFileSync(join(root, "docs", "architecture.md"), "utf8");
const table = page.slice(page.indexOf("### From a Terraform address to its code"));
const rows = table
  .split("\n")
  .filter((l) => l.startsWith("| `"))
  .map((l) => l.split(" | "));
/** Address prefixes of the table (`<env>` matches any environment name). */
const prefixes = rows.flatMap((cells) => [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
const files = rows.flatMap((cells) => [...cells[2].matchAll(/`([^`]+\.ts)`/g)].map((m) => m[1]));

const outdir = mkdtempSync(join(tmpdir(), "layout-"));
const stacks = synthesize(outdir);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test("the table's files exist", () => {
  expect(files.length).toBeGreaterThan(15);
  expect(files.filter((f) => !existsSync(join(root, f)))).toEqual([]);
});

test.each(stacks)("every resource of stack %s has its construct in the table", (stack) => {
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  const firstIds = new Set<string>();
  for (const mode of ["resource", "data"]) {
    for (const byId of Object.values<Record<string, { "//"?: { metadata?: { path?: string } } }>>(json[mode] ?? {})) {
      for (const config of Object.values(byId)) {
        const path = config["//"]?.metadata?.path ?? "";
        const segments = path.split("/");
        if (segments.length > 2) firstIds.add(segments[1]);
      }
    }
  }
  expect(firstIds.size).toBeGreaterThan(3);
  const covered = (id: string) => prefixes.some((p) => new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("<env>", "[a-z0-9]+")}$`).test(`${id}_`));
  expect([...firstIds].filter((id) => !covered(id)).sort()).toEqual([]);
});
