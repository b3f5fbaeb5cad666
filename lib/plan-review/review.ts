/** The plan review gate, part 2: the verdict on each change (stateful, in use, rollback) and the allow list. See index.ts. */
import { diffTaskDefinition, type TaskDefinitionChange } from "../container-diff";
import { ACTIONS, IN_USE_TYPES, REASONS, STATEFUL_TYPES, classifyActions, formatPath, type ChangeAction, type Gate, type PlanResourceChange, type PlanReview, type ReplaceOrder, type ReviewOptions, type ReviewablePlan, type ReviewedChange, PlanReviewUsageError } from "./parse";

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

