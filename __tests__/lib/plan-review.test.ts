/**
 * The plan review gate (lib/plan-review.ts, scripts/plan-review.ts).
 *
 * Fixtures in fixtures/plans/ are real `terraform show -json` output of Terraform 1.11 with the
 * AWS provider 5.100.0, planned offline (-refresh=false) against seeded state files:
 * - mixed.json: every action kind in one plan (create, update, both replace orders, tainted,
 *   destroy, for_each key dropped, moved, removed/forget, data source read, no-op);
 * - safe-changes.json: changes the gate lets through;
 * - deposed.json: deposed objects left by a failed create_before_destroy;
 * - bootstrap-create-only.json: the project's bootstrap stack, planned by lib/terraform;
 * - state-not-a-plan.json: `terraform show -json` of a state file.
 * Drift cannot be produced offline (it needs a refresh against AWS), so it is hand-written below.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlanJson } from "../../lib/terraform";
import {
  PlanFormatError,
  PlanReviewUsageError,
  STATEFUL_TYPES,
  classifyActions,
  formatPath,
  parsePlan,
  reviewPlan,
  shellQuote,
  toMarkdown,
  toText,
  type PlanResourceChange,
  type PlanReview,
  type ReviewablePlan,
  type ReviewedChange,
} from "../../lib/plan-review";
import { main } from "../../scripts/plan-review";

const root = join(__dirname, "..", "..");
const fixturePath = (name: string): string => join(root, "__tests__", "fixtures", "plans", `${name}.json`);
const fixture = (name: string): PlanJson => JSON.parse(readFileSync(fixturePath(name), "utf8"));

const mixed = fixture("mixed");
const STATEFUL_BLOCKING = ["aws_db_instance.db", 'aws_ssm_parameter.config["LEGACY_FLAG"]', "aws_s3_bucket.uploads"];
/** The tainted security group is replaced destroy-before-create: in use, so it blocks too. */
const BLOCKING = [...STATEFUL_BLOCKING, "aws_security_group.db"];

function change(review: PlanReview, address: string, deposed?: string): ReviewedChange {
  const found = [...review.changes, ...review.reads].find((c) => c.address === address && c.deposed === deposed);
  if (!found) throw new Error(`${address} is not in the review`);
  return found;
}

/** A minimal, format-correct resource change for cases no offline plan can produce. */
function rc(address: string, actions: string[], extra: Partial<PlanResourceChange> = {}): PlanResourceChange {
  const [type] = address.replace(/^data\./, "").split(".");
  return { address, mode: address.startsWith("data.") ? "data" : "managed", type, change: { actions }, ...extra };
}

function plan(changes: PlanResourceChange[], extra: Partial<ReviewablePlan> = {}): ReviewablePlan {
  return { format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes, ...extra };
}

describe("reading plan JSON", () => {
  test.each(["mixed", "safe-changes", "deposed", "bootstrap-create-only"])("accepts the real plan %s.json", (name) => {
    expect(() => parsePlan(fixture(name))).not.toThrow();
  });

  test("recognises terraform show -json of a state file as not a plan", () => {
    expect(() => parsePlan(fixture("state-not-a-plan"))).toThrow(PlanFormatError);
    expect(() => parsePlan(fixture("state-not-a-plan"))).toThrow(/this is state \(terraform show -json of a state file\), not a plan/);
  });

  test.each([
    [[], /expected a JSON object, got an array/],
    [{ resource_changes: [] }, /no "format_version"/],
    [{ format_version: "2.0", planned_values: {} }, /format_version 2\.0 is not supported/],
    [{ format_version: "1.2", resource_changes: [{ address: "a.b", type: "a", mode: "managed", change: {} }] }, /resource_changes\[0\]\.change\.actions must be a list/],
    [{ format_version: "1.2", resource_changes: [{ type: "a", mode: "managed", change: { actions: [] } }] }, /resource_changes\[0\]\.address must be a string/],
  ])("rejects %j", (json, message) => {
    expect(() => parsePlan(json)).toThrow(message);
  });

  test("the harness's PlanJson type is reviewable as it is (what the real-Terraform test passes)", () => {
    const real: PlanJson = fixture("bootstrap-create-only");
    expect(reviewPlan(real).blocked).toBe(false);
  });
});

describe("action kinds", () => {
  test.each([
    [["create"], "create", undefined],
    [["update"], "update", undefined],
    [["delete"], "destroy", undefined],
    [["delete", "create"], "replace", "destroy-before-create"],
    [["create", "delete"], "replace", "create-before-destroy"],
    [["create", "forget"], "replace", "create-then-forget"],
    [["forget"], "forget", undefined],
    [["read"], "read", undefined],
    [["no-op"], "no-op", undefined],
    [["delete", "explode"], "other", undefined],
  ])("%j is %s %s", (actions, action, replaceOrder) => {
    expect(classifyActions(actions)).toEqual(replaceOrder ? { action, replaceOrder } : { action });
  });

  const review = reviewPlan(mixed);

  test("counts every resource instance by action, no-ops included", () => {
    expect(review.counts).toEqual({ create: 2, update: 2, replace: 3, destroy: 3, forget: 1, read: 1, "no-op": 2, other: 0 });
  });

  test("create", () => {
    expect(change(review, "aws_iam_role.task")).toMatchObject({ action: "create", deletesObject: false, gate: "pass" });
  });

  test("update in place", () => {
    expect(change(review, "aws_ecr_repository.api")).toMatchObject({ action: "update", forcesReplacement: [], gate: "pass" });
  });

  test("replace, destroy before create, with the attribute that forces it", () => {
    expect(change(review, "aws_s3_bucket.uploads")).toMatchObject({ action: "replace", replaceOrder: "destroy-before-create", forcesReplacement: ["bucket"], deletesObject: true });
  });

  test("replace, create before destroy (lifecycle create_before_destroy)", () => {
    expect(change(review, "aws_security_group.app")).toMatchObject({ action: "replace", replaceOrder: "create-before-destroy", forcesReplacement: ["name"] });
  });

  test("replace of a tainted resource: no attribute forces it, the reason says why", () => {
    expect(change(review, "aws_security_group.db")).toMatchObject({ action: "replace", forcesReplacement: [], reason: "tainted" });
  });

  test("destroy, with Terraform's reason", () => {
    expect(change(review, "aws_security_group.old")).toMatchObject({ action: "destroy", reason: "removed from configuration", gate: "pass" });
    expect(change(review, 'aws_ssm_parameter.config["LEGACY_FLAG"]')).toMatchObject({ action: "destroy", reason: "for_each key no longer exists" });
  });

  test("forget (removed block with destroy = false) keeps the object, so it never blocks", () => {
    expect(change(review, "aws_cloudwatch_log_group.legacy")).toMatchObject({ action: "forget", stateful: "log events", deletesObject: false, gate: "pass" });
  });

  test("data source reads are listed separately, not as changes", () => {
    expect(review.reads.map((c) => c.address)).toEqual(["data.aws_iam_policy_document.logs-policy"]);
    expect(review.changes.some((c) => c.action === "read")).toBe(false);
  });

  test("no-ops are hidden (counted only), except a move", () => {
    const shown = review.changes.map((c) => c.address);
    expect(shown).not.toContain("aws_cloudwatch_log_group.app-logs");
    expect(change(review, "aws_iam_role.execution")).toMatchObject({ action: "no-op", movedFrom: "aws_iam_role.exec_role" });
    expect(shown).toHaveLength(12);
  });

  test("most severe first: blocked, then destroy, replace, update, create", () => {
    expect(review.changes.slice(0, 4).map((c) => c.address)).toEqual(BLOCKING);
    expect(review.changes.map((c) => c.action)).toEqual(["destroy", "destroy", "replace", "replace", "destroy", "replace", "update", "update", "create", "create", "forget", "no-op"]);
  });

  test.each([
    [["bucket"], "bucket"],
    [["ingress", 0, "cidr_blocks"], "ingress[0].cidr_blocks"],
    [["tags", "cost center"], 'tags["cost center"]'],
  ])("replace path %j reads %s", (steps, text) => {
    expect(formatPath(steps)).toBe(text);
  });
});

describe("the gate", () => {
  test("blocks a plan that destroys or replaces stateful resources, and names them", () => {
    const review = reviewPlan(mixed);
    expect(review.blocked).toBe(true);
    expect(review.blocking.map((c) => c.address)).toEqual(BLOCKING);
    expect(review.blocking.map((c) => c.stateful)).toEqual(["database storage", "parameter values set outside Terraform", "objects (uploads, logs or Terraform state)", undefined]);
    expect(change(review, "aws_security_group.db").blockReason).toBe("deletes a security group attached to running tasks, the load balancer or the database before its replacement exists");
  });

  test("lets through replacements and destroys of stateless resources and updates of stateful ones", () => {
    const review = reviewPlan(fixture("safe-changes"));
    expect(review.blocked).toBe(false);
    expect(review.changes.map((c) => [c.address, c.action, c.gate])).toEqual([
      ["aws_security_group.old", "destroy", "pass"],
      ["aws_security_group.app", "replace", "pass"],
      ["aws_ecr_repository.api", "update", "pass"],
      ["aws_s3_bucket.assets", "create", "pass"],
    ]);
  });

  test("the real bootstrap plan passes; the state bucket it creates is marked stateful, informational only", () => {
    const review = reviewPlan(fixture("bootstrap-create-only"));
    expect(review.blocked).toBe(false);
    expect(review.changes.filter((c) => c.stateful).map((c) => [c.type, c.action, c.gate])).toEqual([["aws_s3_bucket", "create", "pass"]]);
  });

  test("--allow with every blocked address lets the plan through and keeps them visible", () => {
    const review = reviewPlan(mixed, { allow: BLOCKING });
    expect(review.blocked).toBe(false);
    expect(review.allowed.map((c) => c.address)).toEqual(BLOCKING);
    expect(review.unusedAllows).toEqual([]);
  });

  test("--allow lets through exactly the named resource, nothing else", () => {
    const review = reviewPlan(mixed, { allow: ["aws_s3_bucket.uploads"] });
    expect(review.blocked).toBe(true);
    expect(review.blocking.map((c) => c.address)).toEqual([...BLOCKING.slice(0, 2), BLOCKING[3]]);
    expect(change(review, "aws_s3_bucket.uploads").gate).toBe("allowed");
  });

  test("--allow naming an address that is not in the plan is a usage error that lists what could be allowed", () => {
    expect(() => reviewPlan(mixed, { allow: ["aws_s3_bucket.upload"] })).toThrow(PlanReviewUsageError);
    expect(() => reviewPlan(mixed, { allow: ["aws_s3_bucket.upload"] })).toThrow(
      '--allow "aws_s3_bucket.upload": no resource with that address in the plan. --allow takes a resource address exactly as the plan shows it; ' +
        'changes this plan would block: aws_db_instance.db, aws_ssm_parameter.config["LEGACY_FLAG"], aws_s3_bucket.uploads, aws_security_group.db.',
    );
    expect(() => reviewPlan(fixture("safe-changes"), { allow: ["aws_db_instance.db"] })).toThrow(/this plan destroys or replaces no stateful resource, so no --allow is needed/);
  });

  test("--allow naming a resource the plan does not destroy is reported as having no effect", () => {
    const review = reviewPlan(mixed, { allow: ["aws_ecr_repository.api"] });
    expect(review.unusedAllows).toEqual(["aws_ecr_repository.api"]);
    expect(toText(review)).toContain("Note: --allow aws_ecr_repository.api has no effect");
  });

  test("a deposed stateful object about to be deleted blocks; its address allows it", () => {
    const review = reviewPlan(fixture("deposed"));
    expect(review.blocking).toEqual([expect.objectContaining({ address: "aws_db_instance.db", deposed: "1d5a3c7e", action: "destroy" })]);
    expect(change(review, "aws_security_group.app", "9b2e4f60")).toMatchObject({ action: "destroy", gate: "pass" });
    expect(change(review, "aws_db_instance.db")).toMatchObject({ action: "create", gate: "pass" });
    expect(reviewPlan(fixture("deposed"), { allow: ["aws_db_instance.db"] }).blocked).toBe(false);
  });

  test("every listed stateful type blocks a destroy; the list covers what this project creates", () => {
    for (const type of ["aws_db_instance", "aws_s3_bucket", "aws_ecr_repository", "aws_secretsmanager_secret", "aws_ssm_parameter", "aws_kms_key", "aws_cloudwatch_log_group"]) {
      expect(STATEFUL_TYPES[type]).toBeDefined();
    }
    const review = reviewPlan(plan(Object.keys(STATEFUL_TYPES).map((type) => rc(`${type}.x`, ["delete"]))));
    expect(review.blocking).toHaveLength(Object.keys(STATEFUL_TYPES).length);
  });

  test("the stateful list can be replaced", () => {
    const review = reviewPlan(plan([rc("aws_s3_bucket.a", ["delete"]), rc("aws_eip.nat", ["delete"])]), { statefulTypes: { aws_eip: "a public IP address" } });
    expect(review.blocking.map((c) => c.address)).toEqual(["aws_eip.nat"]);
  });

  test("an unknown action list containing delete is treated as destructive", () => {
    const review = reviewPlan(plan([rc("aws_db_instance.db", ["delete", "teleport"])]));
    expect(review.blocked).toBe(true);
    expect(review.notes).toEqual(['aws_db_instance.db: unrecognised action list [delete, teleport]; treated as destructive if it contains "delete".']);
  });

  test("drift (changes made outside Terraform) is reported quietly and never blocks", () => {
    const drifted: ReviewablePlan = {
      ...fixture("safe-changes"),
      resource_drift: [rc("aws_s3_bucket.uploads", ["delete"]), rc("aws_ecr_repository.api", ["update"])],
    };
    const review = reviewPlan(drifted);
    expect(review.blocked).toBe(false);
    expect(review.drift.map((c) => [c.address, c.action, c.gate])).toEqual([
      ["aws_s3_bucket.uploads", "destroy", "pass"],
      ["aws_ecr_repository.api", "update", "pass"],
    ]);
    expect(toText(review)).toContain("Changed outside Terraform since the last apply (informational): aws_s3_bucket.uploads (deleted), aws_ecr_repository.api (updated)");
    expect(toMarkdown(review)).toContain("<summary>Changed outside Terraform since the last apply (2, informational)</summary>");
  });

  test("an import is shown even without other changes (import blocks need AWS, so no offline fixture)", () => {
    const review = reviewPlan(plan([rc("aws_ecr_repository.api", ["no-op"], { change: { actions: ["no-op"], importing: { id: "webapp-staging-backend" } } })]));
    expect(review.changes).toEqual([expect.objectContaining({ address: "aws_ecr_repository.api", importing: true, gate: "pass" })]);
    expect(toMarkdown(review)).toContain("| `aws_ecr_repository.api` | import |");
  });

  test("an errored plan carries a note", () => {
    expect(reviewPlan(plan([], { errored: true })).notes).toEqual(["Terraform reported errors while planning: this plan is incomplete and cannot be applied."]);
  });
});

describe("Markdown for pull requests", () => {
  const markdown = toMarkdown(reviewPlan(mixed), { command: "npm run plan:review -- staging.json" });

  test("heading and a one-line verdict", () => {
    expect(markdown.startsWith("### Terraform plan review\n\n")).toBe(true);
    expect(markdown).toContain(
      '⛔ **Blocked**: 4 changes would break what is running or lose data: `aws_db_instance.db`, `aws_ssm_parameter.config["LEGACY_FLAG"]`, `aws_s3_bucket.uploads`, `aws_security_group.db`.',
    );
    expect(toMarkdown(reviewPlan(fixture("safe-changes")))).toContain("✅ **Passed**: no stateful resource would be destroyed or replaced.");
    expect(toMarkdown(reviewPlan(mixed, { allow: BLOCKING }))).toContain("✅ **Passed with allowances**: 4 blocking changes allowed by --allow:");
    expect(toMarkdown(reviewPlan(mixed, { allow: STATEFUL_BLOCKING }))).toContain("⛔ **Blocked**: 1 change would break what is running or lose data: `aws_security_group.db`.");
    expect(toMarkdown(reviewPlan(plan([rc("aws_vpc.main", ["no-op"])], {})))).toContain("✅ **Passed**: no changes.");
  });

  test("a counts table by action", () => {
    expect(markdown).toContain(
      ["| action | count |", "|---|---:|", "| create | 2 |", "| update in place | 2 |", "| replace | 3 |", "| destroy | 3 |", "| forget | 1 |", "| read (data sources) | 1 |", "| no change (not listed) | 2 |"].join("\n"),
    );
  });

  test("a changes table with action, replacement order, forcing attributes and stateful marker", () => {
    expect(markdown).toContain("| | address | action | forces replacement | stateful |");
    expect(markdown).toContain("| `-/+` | `aws_s3_bucket.uploads` | replace (destroy before create) | `bucket` | ⛔ objects (uploads, logs or Terraform state) |");
    expect(markdown).toContain("| `+/-` | `aws_security_group.app` | replace (create before destroy) | `name` |  |");
    expect(markdown).toContain("| `-` | `aws_db_instance.db` | destroy; removed from configuration |  | ⛔ database storage |");
    expect(markdown).toContain("| `+` | `aws_s3_bucket.logs` | create |  | 🗄️ objects (uploads, logs or Terraform state) |");
    expect(markdown).toContain("|  | `aws_iam_role.execution` | moved from aws_iam_role.exec_role |  |  |");
    expect(markdown).not.toContain("aws_cloudwatch_log_group.app-logs");
  });

  test("data source reads fold into <details>", () => {
    expect(markdown).toContain("<details>\n<summary>Data sources read during apply (1)</summary>\n\n- `data.aws_iam_policy_document.logs-policy`: configuration known only during apply\n\n</details>");
  });

  test("says which allow flags would unblock it, shell-quoted", () => {
    expect(markdown).toContain(
      "```sh\nnpm run plan:review -- staging.json --allow aws_db_instance.db --allow 'aws_ssm_parameter.config[\"LEGACY_FLAG\"]' --allow aws_s3_bucket.uploads --allow aws_security_group.db\n```",
    );
  });

  test("allowed resources stay visible and marked", () => {
    expect(toMarkdown(reviewPlan(mixed, { allow: ["aws_db_instance.db"] }))).toContain("| `-` | `aws_db_instance.db` | destroy; removed from configuration |  | ⚠️ database storage (allowed) |");
  });

  test("a long list folds into <details>, with destroys and replacements kept visible", () => {
    const many = plan([...Array.from({ length: 20 }, (_, i) => rc(`aws_iam_role.r${i}`, ["create"])), rc("aws_ecr_repository.api", ["delete"])]);
    const md = toMarkdown(reviewPlan(many));
    expect(md).toContain("**Destroyed or replaced** (1):");
    expect(md).toContain("<details>\n<summary>All 21 changes</summary>");
    expect(md.indexOf("`aws_ecr_repository.api`")).toBeLessThan(md.indexOf("<summary>All 21 changes</summary>"));
    expect(md.indexOf("`aws_iam_role.r0`")).toBeGreaterThan(md.indexOf("<summary>All 21 changes</summary>"));
  });

  test("addresses with a pipe or backtick do not break the table", () => {
    const md = toMarkdown(reviewPlan(plan([rc('aws_s3_bucket.b["a|b"]', ["create"]), rc('aws_s3_bucket.c["x`y"]', ["create"])])));
    expect(md).toContain('| `+` | `aws_s3_bucket.b["a\\|b"]` | create |');
    expect(md).toContain('| `+` | `` aws_s3_bucket.c["x`y"] `` | create |');
  });

  test("a custom title", () => {
    expect(toMarkdown(reviewPlan(mixed), { title: "Plan review: staging" })).toMatch(/^### Plan review: staging\n/);
  });
});

describe("text for terminals", () => {
  const text = toText(reviewPlan(mixed), { command: "npm run plan:review -- plan.json" });

  test("verdict, counts and one line per change with Terraform's symbols", () => {
    expect(text).toContain('BLOCKED: 4 changes would break what is running or lose data: aws_db_instance.db, aws_ssm_parameter.config["LEGACY_FLAG"], aws_s3_bucket.uploads, aws_security_group.db.');
    expect(text).toContain("2 to create, 2 to update, 3 to replace, 3 to destroy, 1 to forget, 1 data source to read, 2 unchanged");
    expect(text).toMatch(/-\/\+ aws_s3_bucket\.uploads +replace \(destroy before create\); forces replacement: bucket {2}\[stateful: objects \(uploads, logs or Terraform state\)\] BLOCKED/);
    expect(text).toMatch(/\+\/- aws_security_group\.app +replace \(create before destroy\); forces replacement: name\n/);
    expect(text).toMatch(/-\/\+ aws_security_group\.db +replace \(destroy before create\); tainted\n +BLOCKED: deletes a security group .* before its replacement exists\n/);
    expect(text).toContain("Data sources read during apply: data.aws_iam_policy_document.logs-policy");
    expect(text).toContain(`If this is intended, re-run with:\n  npm run plan:review -- plan.json --allow aws_db_instance.db --allow 'aws_ssm_parameter.config["LEGACY_FLAG"]' --allow aws_s3_bucket.uploads --allow aws_security_group.db\n`);
  });

  test("shell quoting", () => {
    expect(shellQuote("aws_s3_bucket.b")).toBe("aws_s3_bucket.b");
    expect(shellQuote(`module.m.aws_s3_bucket.b["it's"]`)).toBe(`'module.m.aws_s3_bucket.b["it'\\''s"]'`);
  });
});

describe("CLI arguments (in process)", () => {
  function run(...argv: string[]): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = main(argv, (t) => (out += t), (t) => (err += t));
    return { code, out, err };
  }

  test("prints the review; exit 1 when blocked, 0 when allowed", () => {
    expect(run(fixturePath("mixed"))).toMatchObject({ code: 1, err: "" });
    const allowed = run(fixturePath("mixed"), ...BLOCKING.flatMap((a) => ["--allow", a]), "--format", "markdown", "--title", "staging");
    expect(allowed.code).toBe(0);
    expect(allowed.out).toMatch(/^### staging\n\n✅ \*\*Passed with allowances\*\*/);
  });

  test.each([
    [["--format", "markdown"], /^plan-review: <plan\.json> is missing: pass one file written by terraform show -json\n$/],
    [["a.json", "b.json"], /^plan-review: expected one <plan\.json>, got 2: a\.json b\.json\n$/],
    [["/nonexistent/plan.json"], /^plan-review: <plan\.json> "\/nonexistent\/plan\.json" does not exist; create it with: terraform plan -out=plan\.tfplan && terraform show -json plan\.tfplan > plan\.json\n$/],
    [["--alow", "x", "plan.json"], /^plan-review: Unknown option '--alow'; options are --allow <address> \(repeatable\), --format text\|markdown, --title <text>\n$/],
    [["plan.json", "--allow"], /^plan-review: Option '--allow <value>' argument missing; options are --allow/],
    [[fixturePath("mixed"), "--format", "html"], /^plan-review: --format "html": allowed values are text, markdown\n$/],
    [[fixturePath("state-not-a-plan")], /is not terraform show -json plan output: no "planned_values" or "resource_changes": this is state/],
    [[fixturePath("mixed"), "--allow", "aws_s3_bucket.upload"], /^plan-review: --allow "aws_s3_bucket\.upload": no resource with that address in the plan\./],
    [[fixturePath("mixed"), "--allow", ""], /^plan-review: --allow needs a resource address, got ""\n$/],
  ])("usage error: %j", (argv, message) => {
    const result = run(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toMatch(message);
    expect(result.err.trimEnd().split("\n")).toHaveLength(1);
  });

  test("a file that is not JSON, and a binary plan file, are usage errors that say how to make the JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "plan-review-"));
    writeFileSync(join(dir, "plan.txt"), "Plan: 1 to add, 0 to change, 0 to destroy.");
    writeFileSync(join(dir, "plan.tfplan"), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    expect(run(join(dir, "plan.txt"))).toMatchObject({ code: 2, err: expect.stringMatching(/is not JSON \(.*\); create it with: terraform plan -out/) });
    expect(run(join(dir, "plan.tfplan"))).toMatchObject({ code: 2, err: expect.stringContaining("is a binary plan file, not JSON; convert it with: terraform show -json") });
  });

  test("--help", () => {
    expect(run("--help")).toMatchObject({ code: 0, out: expect.stringContaining("Exit codes: 0 passed, 1 blocked") });
  });
});

describe("CLI process exit codes (npx tsx scripts/plan-review.ts)", () => {
  const cli = (...argv: string[]) => spawnSync(join(root, "node_modules", ".bin", "tsx"), ["scripts/plan-review.ts", ...argv], { cwd: root, encoding: "utf8" });

  test("0: no stateful resource destroyed or replaced", () => {
    const result = cli("__tests__/fixtures/plans/safe-changes.json");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("PASSED: no stateful resource would be destroyed or replaced.");
  }, 30_000);

  test("1: blocked, with the flags that would unblock it", () => {
    const result = cli("__tests__/fixtures/plans/mixed.json", "--format", "markdown");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("⛔ **Blocked**");
    expect(result.stdout).toContain("npm run plan:review -- __tests__/fixtures/plans/mixed.json --allow aws_db_instance.db");
  }, 30_000);

  test("0: every blocked resource allowed", () => {
    const result = cli("__tests__/fixtures/plans/deposed.json", "--allow", "aws_db_instance.db");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("PASSED WITH ALLOWANCES: 1 stateful resource would be destroyed or replaced, allowed by --allow: aws_db_instance.db.");
  }, 30_000);

  test("2: an --allow that is not in the plan, one line on stderr", () => {
    const result = cli("__tests__/fixtures/plans/deposed.json", "--allow", "aws_db_instance.database");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'plan-review: --allow "aws_db_instance.database": no resource with that address in the plan. --allow takes a resource address exactly as the plan shows it; stateful resources this plan destroys or replaces: aws_db_instance.db.\n',
    );
  }, 30_000);
});
