/**
 * Issue 17: moving code between files must not move Terraform addresses (a moved address is a
 * destroy and a create of a running resource unless a `moved` block says otherwise). The addresses
 * of every stack are kept in __tests__/fixtures/addresses/<stack>.txt; a change fails here until the
 * file is updated on purpose, in the same commit as its `moved` blocks (or as a reviewed new resource).
 *
 * Update after an intended change: UPDATE_ADDRESSES=1 npx jest __tests__/project/addresses.test.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../lib/terraform";

const fixtures = join(__dirname, "..", "fixtures", "addresses");
const outdir = mkdtempSync(join(tmpdir(), "addresses-"));
const stacks = synthesize(outdir);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** `type.logicalId` of every resource and data source, and every `moved` block's `from -> to`. */
function addressesOf(stack: string): string[] {
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  const of = (mode: string, prefix: string) => Object.entries<Record<string, unknown>>(json[mode] ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${prefix}${type}.${id}`));
  const moved = ((json.moved ?? []) as { from: string; to: string }[]).map((m) => `moved ${m.from} -> ${m.to}`);
  return [...of("resource", ""), ...of("data", "data."), ...moved].sort();
}

test.each(stacks)("the Terraform addresses of stack %s are the recorded ones", (stack) => {
  const actual = addressesOf(stack);
  const file = join(fixtures, `${stack}.txt`);
  if (process.env.UPDATE_ADDRESSES) writeFileSync(file, `${actual.join("\n")}\n`);
  expect(actual.length).toBeGreaterThan(20);
  expect(actual).toEqual(readFileSync(file, "utf8").trim().split("\n"));
});
