/**
 * The plan review gate: reads `terraform show -json` plan output and reports, per resource, what
 * Terraform would do (create, update in place, replace and in which order, destroy, forget, read),
 * which attributes force each replacement, which resources hold data, and for task definitions the
 * decoded container-level change. It blocks a plan that would destroy or replace a stateful
 * resource, replace an ECS service, delete something in use before its replacement exists, or
 * roll an image back, unless that exact address is allowed.
 *
 * Pure logic: no file or process access. The CLI is `scripts/plan-review.ts` (`npm run plan:review`).
 * Format reference: https://developer.hashicorp.com/terraform/internals/json-format
 */

import { describeTaskDefinitionChange, diffTaskDefinition, type TaskDefinitionChange } from "./container-diff";

/**
 * Resource types that hold data Terraform cannot recreate from configuration, with what is lost
 * when the object is destroyed. Destroying or replacing one of these blocks the plan.
 *
 * Why each is here:
 * - Databases and their backups (`aws_db_instance`, `aws_rds_cluster`, DocumentDB, Neptune,
 *   Redshift, `aws_dynamodb_table`, Redis/Valkey replication groups, OpenSearch, snapshots,
 *   `aws_backup_vault`): the rows live in the resource; destroy deletes them, a final snapshot
 *   only exists if configured, and automated backups are deleted with an RDS instance by default.
 * - Storage (`aws_s3_bucket`, `aws_efs_file_system`, `aws_ebs_volume`): objects and files. A
 *   replaced bucket is a new, empty bucket. This includes the Terraform state bucket
 *   (bootstrap stack): losing it loses every environment's state.
 * - `aws_ecr_repository`: pushed images; the running task definitions reference them, so a
 *   replaced repository leaves services unable to pull their image (trap T1 again).
 * - `aws_secretsmanager_secret`: values are set outside Terraform (never in config or state, T10),
 *   so a recreated secret is empty; a replacement with the same name also fails while the old one
 *   sits in its recovery window.
 * - `aws_ssm_parameter`: SecureString values are set outside Terraform for the same reason, and a
 *   deleted parameter has no recovery window at all.
 * - `aws_kms_key`: destroy schedules key deletion; once it completes, everything encrypted under
 *   the key (database snapshots, secrets, objects) is unreadable for good.
 * - `aws_cloudwatch_log_group`: log events (application logs, VPC flow logs kept for audit) are
 *   deleted with the group; a rename is a replace.
 * - `aws_sqs_queue`, `aws_kinesis_stream`: messages and records in flight.
 * - `aws_cognito_user_pool`: user accounts; passwords cannot be exported and re-imported.
 * - `aws_route53_zone`: records not managed here are lost and a new zone gets new name servers,
 *   so the domain stops resolving until the registrar's delegation is changed.
 *
 * Not here on purpose: resources rebuilt from configuration alone (networking, IAM, load
 * balancers, ECS services and task definitions, `aws_rds_cluster_instance` whose storage belongs
 * to the cluster, bucket settings such as `aws_s3_bucket_versioning`, secret versions whose value
 * is in configuration).
 */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  aws_db_instance: "database storage",
  aws_rds_cluster: "database storage",
  aws_docdb_cluster: "database storage",
  aws_neptune_cluster: "graph database storage",
  aws_redshift_cluster: "data warehouse storage",
  aws_dynamodb_table: "table items",
  aws_elasticache_replication_group: "cached data and snapshots",
  aws_opensearch_domain: "search indices",
  aws_db_snapshot: "database backup",
  aws_db_cluster_snapshot: "database backup",
  aws_backup_vault: "backup recovery points",
  aws_s3_bucket: "objects (uploads, logs or Terraform state)",
  aws_efs_file_system: "files",
  aws_ebs_volume: "block storage",
  aws_ecr_repository: "container images",
  aws_secretsmanager_secret: "secret values set outside Terraform",
  aws_ssm_parameter: "parameter values set outside Terraform",
  aws_kms_key: "key material (data encrypted with it becomes unreadable)",
  aws_cloudwatch_log_group: "log events",
  aws_sqs_queue: "queued messages",
  aws_kinesis_stream: "stream records",
  aws_cognito_user_pool: "user accounts",
  aws_route53_zone: "DNS records and name-server delegation",
};

/**
 * Resource types that running things use, so AWS refuses to delete them (or deleting them first is
 * an outage): a destroy-before-create replacement of one of these hangs or breaks the environment.
 * Create-before-destroy replacements (with a `name_prefix` or a name that changes) are fine.
 */
export const IN_USE_TYPES: Readonly<Record<string, string>> = {
  aws_security_group: "a security group attached to running tasks, the load balancer or the database",
  aws_lb_target_group: "a target group a listener forwards to and a service registers in",
  aws_lb: "the load balancer serving the site",
  aws_lb_listener: "a listener serving the site",
  aws_lb_listener_rule: "a listener rule routing live traffic",
  aws_db_subnet_group: "the database's subnet group",
  aws_db_parameter_group: "the database's parameter group",
  aws_ecs_cluster: "the cluster the services run in",
  aws_subnet: "a subnet with running tasks, NAT gateways or the load balancer in it",
  aws_vpc: "the VPC everything runs in",
  aws_internet_gateway: "the internet gateway of the load balancer and NAT",
  aws_nat_gateway: "the NAT gateway the tasks reach the internet through",
  aws_acm_certificate: "the certificate the HTTPS listener serves",
  aws_iam_role: "a role running tasks or deploys use",
};

/** One resource instance change, as `terraform show -json` writes it in `resource_changes` and `resource_drift`. */
export interface PlanResourceChange {
  readonly address: string;
  /** Set when a `moved` block (or a state move) gave the resource a new address. */
  readonly previous_address?: string;
  readonly mode: string;
  readonly type: string;
  /** Set for a deposed object: the old half of a create-before-destroy replacement whose destroy did not finish. */
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    /** Paths into the object whose change forces the replacement; each step is an attribute name, map key or list index. */
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    readonly importing?: unknown;
    /** The object before and after (task definitions are decoded from these). */
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
  };
}

/** The parts of `terraform show -json` plan output the review reads. `PlanJson` from `lib/terraform` is one. */
export interface ReviewablePlan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly resource_drift?: readonly PlanResourceChange[];
  readonly errored?: boolean;
}

/** What Terraform would do to one resource instance. */
export type ChangeAction = "create" | "update" | "replace" | "destroy" | "forget" | "read" | "no-op" | "other";

/** The order of the two halves of a replacement. */
export type ReplaceOrder = "destroy-before-create" | "create-before-destroy" | "create-then-forget";

/**
 * The gate's verdict on one change. Blocked: a destroyed or replaced stateful resource, a replaced
 * ECS service, a destroy-before-create replacement of something in use ({@link IN_USE_TYPES}), or an
 * image rollback (a task definition whose new image tag is an older version).
 */
export type Gate = "pass" | "blocked" | "allowed";

export interface ReviewedChange {
  readonly address: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** Terraform's action list, unchanged. */
  readonly actions: readonly string[];
  /** Only for `replace`. */
  readonly replaceOrder?: ReplaceOrder;
  /** Attribute paths that force the replacement, e.g. `bucket`, `ingress[0].cidr_blocks`. Empty when none were reported (tainted, -replace). */
  readonly forcesReplacement: readonly string[];
  /** Why Terraform chose this action, in words (from `action_reason`), when it says. */
  readonly reason?: string;
  /** The deposed object's key, for a change to a deposed object. */
  readonly deposed?: string;
  /** The address before a `moved` block. */
  readonly movedFrom?: string;
  /** The change imports an existing object. */
  readonly importing: boolean;
  /** What the resource holds (from {@link STATEFUL_TYPES}); undefined when it is not stateful. */
  readonly stateful?: string;
  /** An existing object would be deleted: destroy, or either replace order. */
  readonly deletesObject: boolean;
  readonly gate: Gate;
  /** Why the gate stops this change (set whenever the gate is not "pass"). */
  readonly blockReason?: string;
  /** For a task definition update or replacement: the decoded container-level change. */
  readonly taskDefinition?: TaskDefinitionChange;
}

export interface PlanReview {
  readonly terraformVersion?: string;
  /** True when at least one stateful resource would be destroyed or replaced without an allow. */
  readonly blocked: boolean;
  /** Resource instance changes per action, no-ops and data source reads included. */
  readonly counts: Readonly<Record<ChangeAction, number>>;
  /** Managed resource changes worth reading: every action except no-op, plus no-ops that move or import. Most severe first. */
  readonly changes: readonly ReviewedChange[];
  /** Data sources Terraform can only read during apply. */
  readonly reads: readonly ReviewedChange[];
  /** The changes that block the plan. */
  readonly blocking: readonly ReviewedChange[];
  /** Destroyed or replaced stateful resources let through by an allow. */
  readonly allowed: readonly ReviewedChange[];
  /** Allowed addresses that are in the plan but not destroyed or replaced stateful resources, so the allow does nothing. */
  readonly unusedAllows: readonly string[];
  /** Changes made outside Terraform since the last apply (`resource_drift`): informational, never blocking. */
  readonly drift: readonly ReviewedChange[];
  /** Anything else a reviewer should know (an errored plan, an unknown action list). */
  readonly notes: readonly string[];
}

export interface ReviewOptions {
  /** Resource addresses, exactly as the plan shows them, whose destroy or replace is intended. Each must be in the plan. */
  readonly allow?: readonly string[];
  /**
   * Stateful resource types and what each holds.
   * @default STATEFUL_TYPES
   */
  readonly statefulTypes?: Readonly<Record<string, string>>;
}

/** The input is not `terraform show -json` plan output. */
export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanFormatError";
  }
}

/** The review was asked for something the plan cannot answer (an allow naming an address that is not in the plan). */
export class PlanReviewUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanReviewUsageError";
  }
}

const ACTIONS: readonly ChangeAction[] = ["create", "update", "replace", "destroy", "forget", "read", "no-op", "other"];

const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "tainted",
  replace_by_request: "replacement requested with -replace",
  replace_by_triggers: "replace_triggered_by",
  replace_because_cannot_update: "cannot be updated in place",
  delete_because_no_resource_config: "removed from configuration",
  delete_because_wrong_repetition: "count or for_each was added or removed",
  delete_because_count_index: "count index no longer exists",
  delete_because_each_key: "for_each key no longer exists",
  delete_because_no_module: "module removed from configuration",
  delete_because_no_move_target: "moved to an address that does not exist",
  read_because_config_unknown: "configuration known only during apply",
  read_because_dependency_pending: "depends on a pending change",
  read_because_check_nested: "inside a check block",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkChanges(value: unknown, key: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new PlanFormatError(`"${key}" must be an array, got ${typeof value}`);
  value.forEach((entry: unknown, i) => {
    const where = `${key}[${i}]`;
    if (!isRecord(entry)) throw new PlanFormatError(`${where} must be an object`);
    for (const field of ["address", "type", "mode"]) {
      if (typeof entry[field] !== "string") throw new PlanFormatError(`${where}.${field} must be a string`);
    }
    const change = entry.change;
    if (!isRecord(change) || !Array.isArray(change.actions) || !change.actions.every((a) => typeof a === "string")) {
      throw new PlanFormatError(`${where}.change.actions must be a list of action names`);
    }
  });
}

/**
 * Checks that parsed JSON is `terraform show -json` output of a saved plan and returns it typed.
 * @throws PlanFormatError naming what is missing (and recognising state output and other JSON)
 */
export function parsePlan(json: unknown): ReviewablePlan {
  if (!isRecord(json)) throw new PlanFormatError(`expected a JSON object, got ${Array.isArray(json) ? "an array" : typeof json}`);
  if (typeof json.format_version !== "string") throw new PlanFormatError(`no "format_version": not terraform show -json output`);
  const major = Number(json.format_version.split(".")[0]);
  if (!(major <= 1)) throw new PlanFormatError(`format_version ${json.format_version} is not supported (this review reads 0.x and 1.x)`);
  if (!("planned_values" in json) && !("resource_changes" in json)) {
    const what = "values" in json ? "state (terraform show -json of a state file)" : "something else";
    throw new PlanFormatError(`no "planned_values" or "resource_changes": this is ${what}, not a plan`);
  }
  checkChanges(json.resource_changes, "resource_changes");
  checkChanges(json.resource_drift, "resource_drift");
  return json as unknown as ReviewablePlan;
}

/** Terraform's action list as one action, plus the replacement order for the three replace forms. */
export function classifyActions(actions: readonly string[]): { action: ChangeAction; replaceOrder?: ReplaceOrder } {
  switch (actions.join(",")) {
    case "create":
      return { action: "create" };
    case "update":
      return { action: "update" };
    case "delete":
      return { action: "destroy" };
    case "delete,create":
      return { action: "replace", replaceOrder: "destroy-before-create" };
    case "create,delete":
      return { action: "replace", replaceOrder: "create-before-destroy" };
    case "create,forget":
      return { action: "replace", replaceOrder: "create-then-forget" };
    case "forget":
      return { action: "forget" };
    case "read":
      return { action: "read" };
    case "no-op":
      return { action: "no-op" };
    default:
      return { action: "other" };
  }
}

/** One `replace_paths` entry as an attribute path: `["ingress", 0, "cidr_blocks"]` → `ingress[0].cidr_blocks`. */
export function formatPath(steps: readonly (string | number)[]): string {
  return steps
    .map((step, i) => {
      if (typeof step === "number") return `[${step}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) return i === 0 ? step : `.${step}`;
      return `[${JSON.stringify(step)}]`;
    })
    .join("");
}

function reviewChange(rc: PlanResourceChange, statefulTypes: Readonly<Record<string, string>>, allow: ReadonlySet<string>): ReviewedChange {
  const { action, replaceOrder } = classifyActions(rc.change.actions);
  const stateful = rc.mode === "managed" ? statefulTypes[rc.type] : undefined;
  // Terraform's own advice: scan for "delete" to catch every form that deletes an object, future ones included.
  const deletesObject = rc.mode === "managed" && rc.change.actions.includes("delete");
  const taskDefinition = rc.mode === "managed" && rc.type === "aws_ecs_task_definition" ? diffTaskDefinition(rc.change.before, rc.change.after, rc.change.after_unknown) : undefined;
  const blockReason = blockReasonOf(rc, { stateful, deletesObject, action, replaceOrder, taskDefinition });
  const gate: Gate = blockReason ? (allow.has(rc.address) ? "allowed" : "blocked") : "pass";
  const forcesReplacement = [...new Set((rc.change.replace_paths ?? []).map(formatPath))];
  const reason = rc.action_reason && !(rc.action_reason === "replace_because_cannot_update" && forcesReplacement.length > 0) ? (REASONS[rc.action_reason] ?? rc.action_reason) : undefined;
  return {
    address: rc.address,
    type: rc.type,
    action,
    actions: rc.change.actions,
    ...(replaceOrder ? { replaceOrder } : {}),
    forcesReplacement,
    ...(reason ? { reason } : {}),
    ...(rc.deposed ? { deposed: rc.deposed } : {}),
    ...(rc.previous_address ? { movedFrom: rc.previous_address } : {}),
    importing: rc.change.importing !== undefined && rc.change.importing !== null,
    ...(stateful ? { stateful } : {}),
    deletesObject,
    gate,
    ...(blockReason ? { blockReason } : {}),
    ...(taskDefinition && (taskDefinition.containers.length > 0 || taskDefinition.unknown || taskDefinition.taskCpu || taskDefinition.taskMemory) ? { taskDefinition } : {}),
  };
}

function blockReasonOf(
  rc: PlanResourceChange,
  c: { stateful?: string; deletesObject: boolean; action: ChangeAction; replaceOrder?: ReplaceOrder; taskDefinition?: TaskDefinitionChange },
): string | undefined {
  if (rc.mode !== "managed") return undefined;
  if (c.stateful && c.deletesObject) return `destroys ${c.stateful}`;
  if (rc.type === "aws_ecs_service" && c.action === "replace") return "replaces a running ECS service (an outage)";
  const inUse = IN_USE_TYPES[rc.type];
  if (inUse && c.replaceOrder === "destroy-before-create") return `deletes ${inUse} before its replacement exists`;
  const rollback = c.taskDefinition?.containers.filter((ch) => ch.image?.older);
  if (rollback?.length) return `rolls back the image of ${rollback.map((ch) => `${ch.name} (${ch.image?.from} → ${ch.image?.to})`).join(", ")}`;
  return undefined;
}

const GATE_RANK: Readonly<Record<Gate, number>> = { blocked: 0, allowed: 1, pass: 2 };
const ACTION_RANK: Readonly<Record<ChangeAction, number>> = { destroy: 0, replace: 1, other: 2, update: 3, create: 4, forget: 5, "no-op": 6, read: 7 };

/** Most severe first: blocked, allowed, then destroy, replace, update, create; plan (address) order within. */
function bySeverity(a: ReviewedChange, b: ReviewedChange): number {
  return GATE_RANK[a.gate] - GATE_RANK[b.gate] || ACTION_RANK[a.action] - ACTION_RANK[b.action];
}

function describeAllowTargets(changes: readonly ReviewedChange[]): string {
  const targets = [...new Set(changes.filter((c) => c.gate !== "pass").map((c) => c.address))];
  if (targets.length === 0) return "this plan destroys or replaces no stateful resource, so no --allow is needed";
  const shown = targets.slice(0, 10).join(", ");
  const what = changes.filter((c) => c.gate !== "pass").every((c) => c.stateful) ? "stateful resources this plan destroys or replaces" : "changes this plan would block";
  return `${what}: ${shown}${targets.length > 10 ? `, and ${targets.length - 10} more` : ""}`;
}

/**
 * Reviews a plan: classifies every resource change, marks stateful resources and decides whether
 * the plan is blocked. A stateful resource being created or updated is informational only.
 * @throws PlanReviewUsageError when an allowed address is not in the plan
 */
export function reviewPlan(plan: ReviewablePlan, options: ReviewOptions = {}): PlanReview {
  const statefulTypes = options.statefulTypes ?? STATEFUL_TYPES;
  const allow = new Set(options.allow ?? []);
  const all = (plan.resource_changes ?? []).map((rc) => reviewChange(rc, statefulTypes, allow));

  const inPlan = new Set(all.map((c) => c.address));
  const missing = [...allow].filter((address) => !inPlan.has(address));
  if (missing.length > 0) {
    throw new PlanReviewUsageError(
      `--allow ${missing.map((a) => JSON.stringify(a)).join(", ")}: no resource with that address in the plan. ` +
        `--allow takes a resource address exactly as the plan shows it; ${describeAllowTargets([...all].sort(bySeverity))}.`,
    );
  }

  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ChangeAction, number>;
  for (const change of all) counts[change.action] += 1;

  const managed = all.filter((c) => c.action !== "read");
  const changes = managed.filter((c) => c.action !== "no-op" || c.movedFrom !== undefined || c.importing).sort(bySeverity);
  const blocking = changes.filter((c) => c.gate === "blocked");
  const allowed = changes.filter((c) => c.gate === "allowed");
  const acted = new Set(allowed.map((c) => c.address));
  const notes: string[] = [];
  if (plan.errored) notes.push("Terraform reported errors while planning: this plan is incomplete and cannot be applied.");
  for (const change of changes.filter((c) => c.action === "other")) {
    notes.push(`${change.address}: unrecognised action list [${change.actions.join(", ")}]; treated as destructive if it contains "delete".`);
  }
  return {
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    blocked: blocking.length > 0,
    counts,
    changes,
    reads: all.filter((c) => c.action === "read"),
    blocking,
    allowed,
    unusedAllows: [...allow].filter((address) => !acted.has(address)),
    drift: (plan.resource_drift ?? []).map((rc) => ({ ...reviewChange(rc, statefulTypes, new Set()), gate: "pass" as const })),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Quotes an address for a POSIX shell when it needs it: `aws_ssm_parameter.config["X"]` → `'aws_ssm_parameter.config["X"]'`. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.\-/:=@]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `--allow` flags that would let the blocked changes through. */
export function allowFlags(review: PlanReview): string {
  return [...new Set(review.blocking.map((c) => c.address))].map((a) => `--allow ${shellQuote(a)}`).join(" ");
}

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
