/**
 * The emulator's known gaps: attributes that moto 5.2 does not store or returns in another form, so
 * the plan after an apply shows them as changes although nothing changed. Each entry names the
 * resource type, the attributes, and why. A diff on any other attribute, or on any other resource,
 * is a real finding and fails the test.
 */
import type { PlanJson } from "../terraform";

export interface EmulatorGap {
  readonly type: string;
  /** Top-level attributes whose difference is the gap. */
  readonly attributes: readonly string[];
  readonly reason: string;
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    type: "aws_vpc_security_group_ingress_rule",
    attributes: ["referenced_security_group_id", "description"],
    reason: "moto returns a referenced group as <account>/sg-... and does not store rule descriptions",
  },
  {
    type: "aws_vpc_security_group_egress_rule",
    attributes: ["referenced_security_group_id", "description"],
    reason: "moto returns a referenced group as <account>/sg-... and does not store rule descriptions",
  },
  {
    type: "aws_db_parameter_group",
    attributes: ["parameter"],
    reason: "moto does not return the parameters set on a DB parameter group (DescribeDBParameters lists none)",
  },
];

export interface PlanFinding {
  readonly address: string;
  readonly actions: readonly string[];
  /** Attributes that differ between state and configuration (known values only). */
  readonly attributes: readonly string[];
  /** The gap that explains it, when one does. */
  readonly gap?: EmulatorGap;
}

function differing(before: Record<string, unknown>, after: Record<string, unknown>, unknown: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !unknown[k] && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

/** Every managed resource the plan would change, each with the gap that explains it (if any). */
export function planFindings(plan: PlanJson): PlanFinding[] {
  const findings: PlanFinding[] = [];
  for (const change of plan.resource_changes ?? []) {
    const c = change as unknown as { address: string; mode: string; type: string; change: { actions: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null; after_unknown?: Record<string, unknown> } };
    if (c.mode !== "managed" || (c.change.actions.length === 1 && ["no-op", "read"].includes(c.change.actions[0]))) continue;
    const attributes = c.change.before && c.change.after ? differing(c.change.before, c.change.after, c.change.after_unknown ?? {}) : ["(whole resource)"];
    const gap = EMULATOR_GAPS.find((g) => g.type === c.type && attributes.every((a) => g.attributes.includes(a)));
    findings.push({ address: c.address, actions: c.change.actions, attributes, gap });
  }
  return findings;
}

/** Findings that no documented gap explains: each one is a perpetual diff or a real change. */
export function unexplained(plan: PlanJson): PlanFinding[] {
  return planFindings(plan).filter((f) => !f.gap);
}
