/** The plan review gate, part 1: what a plan says (types, parsing, action classification). See index.ts. */
import { type TaskDefinitionChange } from "../container-diff";


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

export const ACTIONS: readonly ChangeAction[] = ["create", "update", "replace", "destroy", "forget", "read", "no-op", "other"];

export const REASONS: Readonly<Record<string, string>> = {
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

