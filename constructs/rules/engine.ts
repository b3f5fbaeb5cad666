import { Annotations, type IAspect, type TerraformResource, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { ResourceView, Rule, StackIndex, Waiver } from "./rule";

/** A rule's verdict on one resource after waivers. */
export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly status: "non-compliant" | "waived";
  readonly problem: string;
  readonly reason?: string;
}

/** Everything Terraform will see of a stack, indexed for the rules. */
export function indexStack(stack: TerraformStack): StackIndex & { readonly constructs: ReadonlyMap<ResourceView, IConstruct> } {
  const constructs = new Map<ResourceView, IConstruct>();
  const byPath = new Map(stack.node.findAll().map((node) => [node.node.path, node]));
  // The stack exactly as it will be synthesized: tokens resolved, overrides applied.
  const synthesized = stack.toTerraform() as Record<string, Record<string, Record<string, Record<string, any>>> | undefined>;
  for (const mode of ["resource", "data"] as const) {
    for (const [type, byId] of Object.entries(synthesized[mode] ?? {})) {
      for (const [logicalId, config] of Object.entries(byId)) {
        const path: string = config["//"]?.metadata?.path ?? "";
        const construct = byPath.get(path);
        if (!construct) continue;
        constructs.set({ mode, type, logicalId, path: path.slice(stack.node.path.length + 1), config }, construct);
      }
    }
  }
  return { ...indexResources(stack.node.id, [...constructs.keys()]), constructs };
}

/** The queries rules use over a list of synthesized resources. */
export function indexResources(stackName: string, resources: readonly ResourceView[]): StackIndex {
  const address = (r: ResourceView) => `${r.mode === "data" ? "data." : ""}${r.type}.${r.logicalId}`;
  const byAddress = new Map(resources.map((r) => [address(r), r]));
  const refersTo = (value: unknown, target: ResourceView): boolean =>
    Array.isArray(value) ? value.some((v) => refersTo(v, target)) : typeof value === "string" && value.includes(`\${${address(target)}.`);
  return {
    stackName,
    resources,
    ofType: (type, mode = "resource") => resources.filter((r) => r.type === type && r.mode === mode),
    referencing: (target, type, attribute) => resources.filter((r) => r.type === type && refersTo(r.config[attribute], target)),
    resolveReference: (value) => {
      const match = typeof value === "string" ? /^\$\{((?:data\.)?[\w-]+\.[\w-]+)\./.exec(value) : null;
      return match ? byAddress.get(match[1]) : undefined;
    },
  };
}

function matches(waiver: Waiver, rule: Rule, resource: ResourceView): boolean {
  return waiver.rule === rule.id && (waiver.resource === undefined || resource.path === waiver.resource || resource.path.startsWith(`${waiver.resource}/`));
}

/** Runs `rules` over a stack; returns violations and waived violations, and the waivers that matched nothing. */
export function evaluate(index: StackIndex, rules: readonly Rule[], waivers: readonly Waiver[]): { findings: Finding[]; unusedWaivers: Waiver[] } {
  const used = new Set<Waiver>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const resource of index.resources.filter((r) => r.mode === (rule.mode ?? "resource") && rule.types.includes(r.type))) {
      const result = rule.check(resource, index);
      if (result.status !== "non-compliant") continue;
      const waiver = waivers.find((w) => matches(w, rule, resource));
      if (waiver) used.add(waiver);
      findings.push({ rule: rule.id, path: resource.path, status: waiver ? "waived" : "non-compliant", problem: result.problem, reason: waiver?.reason });
    }
  }
  return { findings, unusedWaivers: waivers.filter((w) => !used.has(w)) };
}

/**
 * Applies the guardrail rules to one stack at synth time. A violation is an error annotation on the
 * offending construct (so `cdktf synth` fails) naming the rule, what is wrong and how to fix it; a
 * waived violation is recorded in the resource's and the stack's `//` metadata in cdk.tf.json, so a
 * reviewer sees it. A waiver that matches no violation is an error too: stale waivers hide nothing.
 */
export class Guardrails implements IAspect {
  constructor(
    private readonly rules: readonly Rule[],
    private readonly waivers: readonly Waiver[],
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const index = indexStack(node);
    const { findings, unusedWaivers } = evaluate(index, this.rules, this.waivers);
    const rulesById = new Map(this.rules.map((r) => [r.id, r]));
    const constructAt = new Map([...index.constructs].map(([view, construct]) => [view.path, construct]));
    for (const finding of findings.filter((f) => f.status === "non-compliant")) {
      const rule = rulesById.get(finding.rule)!;
      Annotations.of(constructAt.get(finding.path)!).addError(
        `[${rule.id}] ${rule.title}: ${finding.problem}. Fix: ${rule.fix}. ` +
          `Or waive it with a reason in config guardrails.waivers: { rule: "${rule.id}", resource: "${finding.path}", reason: "..." }`,
      );
    }
    const waived = findings.filter((f) => f.status === "waived");
    for (const path of new Set(waived.map((f) => f.path))) {
      const here = waived.filter((f) => f.path === path);
      const construct = constructAt.get(path)!;
      for (const f of here) Annotations.of(construct).addInfo(`[${f.rule}] waived: ${f.reason}`);
      (construct as TerraformResource).addOverride("//.guardrail_waivers", here.map(({ rule, reason }) => ({ rule, reason })));
    }
    for (const waiver of unusedWaivers) {
      Annotations.of(node).addError(`guardrails.waivers: the waiver ${JSON.stringify(waiver)} matches no violation in stack ${index.stackName}; remove it or fix its rule id / resource path`);
    }
    if (waived.length) node.addOverride("//.guardrail_waivers", waived.map(({ rule, path, reason }) => ({ rule, resource: path, reason })));
  }
}

/** True for the error CDKTF throws at synth when a construct carries an error annotation (a rule violation). */
export function isGuardrailFailure(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Encountered Annotations with level "ERROR"');
}
