/**
 * The shape of a guardrail rule. One rule per file; each looks at the synthesized configuration of
 * one resource (snake_case attributes, references as "${type.id.attr}" strings) and the rest of the
 * stack, and returns compliant, non-compliant (with what is wrong) or not applicable.
 */

/** One synthesized resource or data source, as Terraform will see it. */
export interface ResourceView {
  /** `resource` or `data`. */
  readonly mode: "resource" | "data";
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical id in the synthesized JSON. */
  readonly logicalId: string;
  /** Construct path relative to the stack, e.g. `database/instance`. */
  readonly path: string;
  /** Synthesized attributes (snake_case), including `lifecycle`, `depends_on`, `count`. */
  readonly config: Readonly<Record<string, any>>;
}

/** The whole stack, for rules that look at related resources (a bucket and its policy). */
export interface StackIndex {
  readonly stackName: string;
  readonly resources: readonly ResourceView[];
  ofType(type: string, mode?: ResourceView["mode"]): ResourceView[];
  /** Resources of `type` whose attribute `attribute` refers to `target` (`${target.type}.${target.logicalId}.…`). */
  referencing(target: ResourceView, type: string, attribute: string): ResourceView[];
  /** The resource or data source a `${...}` reference string points at. */
  resolveReference(value: unknown): ResourceView | undefined;
}

export type RuleResult = { readonly status: "compliant" } | { readonly status: "non-compliant"; readonly problem: string } | { readonly status: "not-applicable" };

export const compliant: RuleResult = { status: "compliant" };
export const notApplicable: RuleResult = { status: "not-applicable" };
export const nonCompliant = (problem: string): RuleResult => ({ status: "non-compliant", problem });
/** Compliant when `ok`, otherwise non-compliant with `problem`. */
export const expect = (ok: boolean, problem: string): RuleResult => (ok ? compliant : nonCompliant(problem));

export interface Rule {
  /** Security Hub control id (e.g. `ECS.2`) or a project rule id (`SG.1`, `ENV.3`). */
  readonly id: string;
  /** What the rule checks, in one line. */
  readonly title: string;
  /** How to make a non-compliant resource compliant. */
  readonly fix: string;
  /** Terraform types the rule looks at. */
  readonly types: readonly string[];
  /** Data sources instead of resources. @default "resource" */
  readonly mode?: ResourceView["mode"];
  check(resource: ResourceView, stack: StackIndex): RuleResult;
}

/** A rule that does not apply to one resource or one environment, for a written reason. */
export interface Waiver {
  readonly rule: string;
  /** Construct path (relative to the stack) of the resource, or a prefix of it, e.g. `database`. @default every resource */
  readonly resource?: string;
  readonly reason: string;
}

/** Container definitions of an `aws_ecs_task_definition`, decoded; undefined when not literal JSON. */
export function containersOf(resource: ResourceView): Record<string, any>[] | undefined {
  try {
    return JSON.parse(resource.config.container_definitions);
  } catch {
    return undefined;
  }
}

/** Compliant when every container of a task definition passes `ok`; the problem names the others. */
export function everyContainer(resource: ResourceView, ok: (container: Record<string, any>) => boolean, problem: (names: string) => string): RuleResult {
  const containers = containersOf(resource);
  if (!containers) return notApplicable;
  const failing = containers.filter((c) => !ok(c)).map((c) => c.name);
  return expect(failing.length === 0, problem(failing.join(", ")));
}
