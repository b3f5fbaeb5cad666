/**
 * The state builder of the day-two test layer: turns an offline plan from an empty state into the
 * state of an environment "as applied", the way AWS would have returned every resource:
 * - every computed attribute the plan left unknown is filled (ids in AWS's formats, ARNs,
 *   endpoints, revisions, the RDS-managed master secret), deterministically from the resource
 *   address, so two runs build byte-identical states;
 * - container definitions get the defaults ECS adds when it registers a task definition
 *   (cpu 0, empty environment/mountPoints/volumesFrom/systemControls, hostPort = containerPort
 *   under awsvpc, essential true), as DescribeTaskDefinition returns them.
 * It then re-plans over that state and folds the plan in until Terraform plans no change
 * (values that depended on unknown ones become known once their sources are in state).
 *
 * Not a test file (no `.test.ts`): the jest global setup and the day-two tests use it.
 */
import { createHash } from "node:crypto";
import type { PlanJson, ProviderSchema, ResourceChange, SchemaBlock } from "../../lib/terraform";

const AWS_PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

export interface AsAppliedContext {
  readonly region: string;
  readonly accountId: string;
}

interface StateInstance {
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly attributes: Record<string, unknown>;
  /** Paths of sensitive values, in the state's format. */
  readonly sensitive: unknown[];
}

/** `after_sensitive` of a plan as the state's `sensitive_attributes` paths. */
function sensitivePaths(mark: unknown, path: unknown[] = []): unknown[][] {
  if (mark === true) return [path];
  if (Array.isArray(mark)) return mark.flatMap((m, i) => sensitivePaths(m, [...path, { type: "index", value: { value: i, type: "number" } }]));
  if (typeof mark === "object" && mark !== null) return Object.entries(mark).flatMap(([k, m]) => sensitivePaths(m, [...path, { type: "get_attr", value: k }]));
  return [];
}

function hash(text: string, length = 17): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Resource id prefixes AWS uses (EC2 and friends); other resources' ids are names or ARNs. */
const ID_PREFIX: Readonly<Record<string, string>> = {
  aws_vpc: "vpc",
  aws_subnet: "subnet",
  aws_security_group: "sg",
  aws_default_security_group: "sg",
  aws_internet_gateway: "igw",
  aws_egress_only_internet_gateway: "eigw",
  aws_nat_gateway: "nat",
  aws_eip: "eipalloc",
  aws_route_table: "rtb",
  aws_route_table_association: "rtbassoc",
  aws_vpc_security_group_ingress_rule: "sgr",
  aws_vpc_security_group_egress_rule: "sgr",
  aws_flow_log: "fl",
  aws_vpc_endpoint: "vpce",
};

const SERVICE_OF: Readonly<Record<string, string>> = {
  aws_ecs: "ecs",
  aws_lb: "elasticloadbalancing",
  aws_iam: "iam",
  aws_db: "rds",
  aws_s3: "s3",
  aws_ecr: "ecr",
  aws_cloudwatch: "logs",
  aws_secretsmanager: "secretsmanager",
  aws_acm: "acm",
  aws_kms: "kms",
  aws_appautoscaling: "application-autoscaling",
  aws_route53: "route53",
};

function serviceOf(type: string): string {
  const key = Object.keys(SERVICE_OF).find((prefix) => type.startsWith(prefix));
  return key ? SERVICE_OF[key] : "ec2";
}

/** A fake but well-formed value for an unknown string attribute. */
function fakeString(type: string, path: string, seed: string, ctx: AsAppliedContext, values: Record<string, unknown>): string {
  const leaf = path.split(".").pop() ?? path;
  if (leaf === "id" && ID_PREFIX[type]) return `${ID_PREFIX[type]}-${hash(seed)}`;
  if (leaf === "arn" || leaf.endsWith("_arn")) {
    if (type === "aws_ecs_task_definition" && leaf === "arn") return `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${values.family}:1`;
    if (type === "aws_ecs_task_definition" && leaf === "arn_without_revision") return `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${values.family}`;
    const name = typeof values.name === "string" ? values.name : hash(seed, 8);
    return `arn:aws:${serviceOf(type)}:${ctx.region}:${ctx.accountId}:${type.replace(/^aws_/, "")}/${name}`;
  }
  if (leaf === "id") return typeof values.name === "string" ? values.name : typeof values.identifier === "string" ? values.identifier : `${type.replace(/^aws_/, "")}-${hash(seed, 8)}`;
  if (leaf === "owner_id" || leaf === "account_id" || leaf === "registry_id") return ctx.accountId;
  if (leaf === "dns_name") return `${values.name ?? "lb"}-${parseInt(hash(seed, 8), 16)}.${ctx.region}.elb.amazonaws.com`;
  if (leaf === "zone_id" || leaf === "hosted_zone_id") return "Z32O12XQLNTSW2";
  if (leaf === "availability_zone") return `${ctx.region}a`;
  if (leaf === "ipv6_cidr_block") return `2a05:d018:${parseInt(hash(seed, 3), 16).toString(16)}::/56`;
  if (leaf === "name" || leaf === "key_name" || leaf.endsWith("_id") || leaf.endsWith("_name")) return `${leaf}-${hash(seed, 8)}`;
  // Other computed strings are settings AWS defaults; "" reads as "whatever AWS chose".
  return AWS_DEFAULTS[`${type}.${leaf}`] ?? "";
}

/** Computed settings whose value AWS returns (an empty or made-up value would read as a change). */
const AWS_DEFAULTS: Readonly<Record<string, string>> = {
  "aws_lb_target_group.protocol_version": "HTTP1",
  "aws_lb_target_group.ip_address_type": "ipv4",
  "aws_lb_target_group.load_balancing_algorithm_type": "round_robin",
  "aws_lb_target_group.load_balancing_anomaly_mitigation": "off",
  "aws_lb_target_group.load_balancing_cross_zone_enabled": "use_load_balancer_configuration",
};

/** Values AWS returns for whole unknown attributes or blocks that matter to the plan. */
function knownShapes(type: string, key: string, ctx: AsAppliedContext, values: Record<string, unknown>, seed: string): unknown {
  if (type === "aws_db_instance" && key === "master_user_secret") {
    return [{ kms_key_id: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${hash(seed, 8)}`, secret_arn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:rds!db-${hash(seed, 8)}-AbCdEf`, secret_status: "active" }];
  }
  if (type === "aws_db_instance" && key === "address") return `${values.identifier}.c${hash(seed, 10)}.${ctx.region}.rds.amazonaws.com`;
  if (type === "aws_db_instance" && key === "endpoint") return `${values.identifier}.c${hash(seed, 10)}.${ctx.region}.rds.amazonaws.com:3306`;
  if (type === "aws_db_instance" && key === "port") return 3306;
  if (type === "aws_ecs_task_definition" && key === "revision") return 1;
  if (type === "aws_acm_certificate" && key === "resource_record_name") return `_${hash(seed, 32)}.${values.domain_name}.`;
  if (type === "aws_acm_certificate" && key === "resource_record_type") return "CNAME";
  if (type === "aws_acm_certificate" && key === "resource_record_value") return `_${hash(`${seed}v`, 32)}.xlfgrmvvlj.acm-validations.aws.`;
  if (type === "aws_ecr_repository" && key === "repository_url") return `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${values.name}`;
  return undefined;
}

/** The schema block of an object-typed attribute (`["list", ["object", {...}]]`), so its elements can be filled like a block's. */
function objectBlock(attrType: unknown): SchemaBlock | undefined {
  if (!Array.isArray(attrType)) return undefined;
  const [kind, inner] = attrType;
  if ((kind === "list" || kind === "set") && Array.isArray(inner) && inner[0] === "object") {
    return { attributes: Object.fromEntries(Object.entries(inner[1] as Record<string, unknown>).map(([k, t]) => [k, { type: t }])) };
  }
  if (kind === "object") return { attributes: Object.fromEntries(Object.entries(inner as Record<string, unknown>).map(([k, t]) => [k, { type: t }])) };
  return undefined;
}

function typeDefault(attrType: unknown): unknown {
  if (attrType === "number") return 0;
  if (attrType === "bool") return false;
  if (Array.isArray(attrType)) {
    const [kind] = attrType;
    if (kind === "list" || kind === "set") return [];
    if (kind === "map") return {};
    if (kind === "object") return null;
  }
  return "";
}

/** Fills the unknown parts of `value` (marked in `unknown`) using the schema `block`. */
function fill(type: string, value: Record<string, unknown>, unknown: unknown, block: SchemaBlock | undefined, seed: string, ctx: AsAppliedContext, root: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  if (typeof unknown !== "object" || unknown === null) return out;
  for (const [key, mark] of Object.entries(unknown as Record<string, unknown>)) {
    const here = `${seed}.${key}`;
    const attr = block?.attributes?.[key];
    const nested = block?.block_types?.[key];
    if (mark === true) {
      const shaped = knownShapes(type, key, ctx, { ...root, ...value }, here);
      if (shaped !== undefined) out[key] = shaped;
      else if (attr) out[key] = attr.type === "string" ? fakeString(type, key, here, ctx, root) : typeDefault(attr.type);
      else if (nested) out[key] = nested.nesting_mode === "single" ? null : [];
      continue;
    }
    if (Array.isArray(mark) && Array.isArray(out[key])) {
      out[key] = (out[key] as unknown[]).map((element, i) =>
        mark[i] === true
          ? attr?.type === "string" || (Array.isArray(attr?.type) && attr?.type[1] === "string")
            ? fakeString(type, key, `${here}[${i}]`, ctx, root)
            : element
          : typeof element === "object" && element !== null
            ? fill(type, element as Record<string, unknown>, mark[i], nested?.block ?? objectBlock(attr?.type), `${here}[${i}]`, ctx, root)
            : element,
      );
      continue;
    }
    if (typeof mark === "object" && mark !== null && typeof out[key] === "object" && out[key] !== null && !Array.isArray(out[key])) {
      out[key] = fill(type, out[key] as Record<string, unknown>, mark, nested?.block ?? objectBlock(attr?.type), here, ctx, root);
    }
  }
  return out;
}

/** A container definition as ECS returns it from DescribeTaskDefinition (its defaults spelled out). */
export function asEcsReturns(containerDefinitions: string, networkMode: unknown): string {
  const containers = JSON.parse(containerDefinitions) as Record<string, unknown>[];
  return JSON.stringify(
    containers.map((c) => ({
      cpu: 0,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      portMappings: [],
      essential: true,
      ...c,
      ...(Array.isArray(c.portMappings)
        ? { portMappings: (c.portMappings as Record<string, unknown>[]).map((p) => ({ ...p, ...(networkMode === "awsvpc" ? { hostPort: p.containerPort } : {}), protocol: p.protocol ?? "tcp" })) }
        : {}),
    })),
  );
}

/** The state attributes of one planned change, as applied. */
function applied(rc: ResourceChange, schema: ProviderSchema, ctx: AsAppliedContext): Record<string, unknown> {
  const block = schema.resource_schemas[rc.type]?.block;
  const attributes = fill(rc.type, rc.change.after ?? {}, rc.change.after_unknown, block, rc.address, ctx, rc.change.after ?? {});
  if (rc.type === "aws_ecs_task_definition" && typeof attributes.container_definitions === "string" && attributes.container_definitions.startsWith("[")) {
    attributes.container_definitions = asEcsReturns(attributes.container_definitions, attributes.network_mode);
  }
  return attributes;
}

function stateOf(instances: ReadonlyMap<string, StateInstance>, schema: ProviderSchema, outputs: Record<string, unknown>, terraformVersion: string): object {
  const groups = new Map<string, { type: string; name: string; instances: StateInstance[] }>();
  for (const instance of instances.values()) {
    const key = `${instance.type}.${instance.name}`;
    const group = groups.get(key) ?? { type: instance.type, name: instance.name, instances: [] };
    group.instances.push(instance);
    groups.set(key, group);
  }
  return {
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: "as-applied-state",
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value, type: typeof value === "string" ? "string" : ["object", {}] }])),
    resources: [...groups.values()]
      .sort((a, b) => `${a.type}.${a.name}`.localeCompare(`${b.type}.${b.name}`))
      .map((g) => ({
        mode: "managed",
        type: g.type,
        name: g.name,
        ...(g.instances.some((i) => i.index !== undefined) ? { each: typeof g.instances[0].index === "number" ? "list" : "map" } : {}),
        provider: AWS_PROVIDER,
        instances: g.instances.map((i) => ({
          ...(i.index !== undefined ? { index_key: i.index } : {}),
          schema_version: schema.resource_schemas[i.type]?.version ?? 0,
          attributes: i.attributes,
          sensitive_attributes: i.sensitive,
          dependencies: [],
        })),
      })),
  };
}

/** One unknown value that the configuration sets to another resource's attribute (`aws_subnet.a.id`). */
interface Reference {
  readonly address: string;
  /** Path inside the instance's attributes: [key] or [block, index, key], plus an element index for lists. */
  readonly path: (string | number)[];
  /** One target for a single value; for a whole unknown list attribute, one per element. */
  readonly targets: { readonly target: string; readonly attribute: readonly (string | number)[] }[];
  readonly list: boolean;
}

type Expressions = Record<string, unknown>;

/**
 * The attributes an expression refers to. Terraform lists a nested reference together with its
 * prefixes (`x.master_user_secret[0].secret_arn`, `x.master_user_secret[0]`, `x.master_user_secret`):
 * only the most specific one counts, as a path (`["master_user_secret", 0, "secret_arn"]`).
 */
function attributeReferences(expression: unknown): { target: string; attribute: (string | number)[] }[] {
  const refs = (expression as { references?: string[] } | undefined)?.references ?? [];
  const specific = refs.filter((r) => !refs.some((other) => other !== r && (other.startsWith(`${r}.`) || other.startsWith(`${r}[`))));
  return specific
    .map((r) => /^(aws_[a-z0-9_]+\.[^.[\]]+)\.([a-z0-9_]+(?:\[\d+\]|\.[a-z0-9_]+)*)$/.exec(r))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ target: m[1], attribute: [...m[2].matchAll(/([a-z0-9_]+)|\[(\d+)\]/g)].map((p) => (p[2] !== undefined ? Number(p[2]) : p[1])) }));
}

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined), value);
}

/** References for the unknown values of one change, found in the plan's configuration. */
function referencesOf(rc: ResourceChange, expressions: Expressions | undefined, block: SchemaBlock | undefined): Reference[] {
  if (!expressions || rc.index !== undefined) return [];
  const out: Reference[] = [];
  // `type` is the schema type of the attribute at `path` (undefined inside blocks' lists).
  const visit = (mark: unknown, expression: unknown, path: (string | number)[], type: unknown, blk: SchemaBlock | undefined) => {
    if (mark === true) {
      const refs = attributeReferences(expression);
      const isList = Array.isArray(type) && (type[0] === "list" || type[0] === "set");
      if (isList && refs.length > 0 && !Array.isArray(expression)) out.push({ address: rc.address, path, targets: refs, list: true });
      else if (type === "string" && refs.length === 1) out.push({ address: rc.address, path, targets: refs, list: false });
      return;
    }
    if (Array.isArray(mark)) {
      if (Array.isArray(expression)) {
        // A nested block: each element is an object of expressions.
        mark.forEach((m, i) => visitObject(m, expression[i], [...path, i], blk));
        return;
      }
      const refs = attributeReferences(expression);
      if (refs.length === mark.length) mark.forEach((m, i) => m === true && out.push({ address: rc.address, path: [...path, i], targets: [refs[i]], list: false }));
    }
  };
  const visitObject = (mark: unknown, expression: unknown, path: (string | number)[], blk: SchemaBlock | undefined) => {
    if (typeof mark !== "object" || mark === null || typeof expression !== "object" || expression === null) return;
    for (const [k, m] of Object.entries(mark)) {
      const nested = blk?.block_types?.[k]?.block;
      visit(m, (expression as Record<string, unknown>)[k], [...path, k], blk?.attributes?.[k]?.type, nested);
    }
  };
  visitObject(rc.change.after_unknown ?? {}, expressions, [], block);
  return out;
}

function setPath(value: Record<string, unknown>, path: readonly (string | number)[], to: unknown): boolean {
  let node: unknown = value;
  for (const step of path.slice(0, -1)) {
    node = (node as Record<string | number, unknown> | undefined)?.[step];
    if (typeof node !== "object" || node === null) return false;
  }
  const last = path[path.length - 1];
  const parent = node as Record<string | number, unknown>;
  if (JSON.stringify(parent[last]) === JSON.stringify(to)) return false;
  parent[last] = to;
  return true;
}

/** Copies referenced values into the instances that reference them, until nothing changes (chains resolve too). */
function resolveReferences(instances: Map<string, StateInstance>, references: readonly Reference[]): void {
  for (let pass = 0; pass < 10; pass++) {
    let changed = false;
    for (const ref of references) {
      const source = instances.get(ref.address);
      const values = ref.targets.map((t) => valueAt(instances.get(t.target)?.attributes, t.attribute));
      if (!source || values.some((v) => v === undefined || v === null)) continue;
      if (setPath(source.attributes, ref.path, ref.list ? values : values[0])) changed = true;
    }
    if (!changed) return;
  }
}

/**
 * `validation_record_fqdns = [for key, val in aws_route53_record.<name> : val.fqdn]`, the documented
 * way to wait for DNS validation: a for-expression the reference resolver cannot follow, so the
 * fqdns are collected here from the record's instances as they are in the state. Without it the
 * validation would only settle one more plan later (the chain certificate -> record -> validation).
 */
function resolveCertificateValidations(instances: Map<string, StateInstance>, expressions: Map<string, Expressions>): void {
  for (const [address, instance] of instances) {
    if (instance.type !== "aws_acm_certificate_validation") continue;
    const refs = ((expressions.get(address)?.validation_record_fqdns as { references?: string[] } | undefined)?.references ?? []).filter((r) => /^aws_route53_record\.[^.[\]]+$/.test(r));
    if (refs.length !== 1) continue;
    const fqdns = [...instances.entries()].filter(([a]) => a.startsWith(`${refs[0]}[`)).map(([, record]) => record.attributes.fqdn);
    if (fqdns.length && fqdns.every((f) => typeof f === "string")) instance.attributes.validation_record_fqdns = [...fqdns].sort();
  }
}

function configurationExpressions(plan: PlanJson): Map<string, Expressions> {
  const resources = ((plan.configuration as { root_module?: { resources?: { address: string; expressions?: Expressions }[] } }).root_module?.resources ?? []);
  return new Map(resources.map((r) => [r.address, r.expressions ?? {}]));
}

/** Whether a plan changes no managed resource and no output ("No changes"). */
export function isNoOp(plan: PlanJson): boolean {
  return changingOf(plan).length === 0;
}

/** The managed resources and the outputs a plan changes, as `address [actions]` and `output.name [actions]`. */
export function changingOf(plan: PlanJson): string[] {
  const resources = (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.join() !== "no-op").map((c) => `${c.address} [${c.change.actions}]`);
  const outputs = Object.entries(plan.output_changes ?? {}).filter(([, o]) => (o.actions ?? ["no-op"]).join() !== "no-op").map(([name, o]) => `output.${name} [${o.actions}]`);
  return [...resources, ...outputs];
}

/**
 * Builds the as-applied state of a stack from its first plan (from an empty state): fills the
 * plan's unknowns; the caller re-plans over {@link state} and folds each plan in with {@link fold}
 * until it is "No changes" (values that depended on unknown ones become known once their sources
 * are in state; two or three plans in practice).
 */
export class AsAppliedBuilder {
  private readonly instances = new Map<string, StateInstance>();
  private outputs: Record<string, unknown> = {};
  private readonly expressions: Map<string, Expressions>;

  constructor(
    private readonly firstPlan: PlanJson,
    private readonly schema: ProviderSchema,
    private readonly ctx: AsAppliedContext,
  ) {
    this.expressions = configurationExpressions(firstPlan);
    this.fold(firstPlan);
  }

  /** Takes what a plan over the current state would still change as applied. */
  fold(plan: PlanJson): void {
    const references: Reference[] = [];
    for (const rc of plan.resource_changes ?? []) {
      if (rc.mode !== "managed") continue;
      const actions = rc.change.actions.join();
      if (actions === "no-op") continue;
      if (actions === "delete") {
        this.instances.delete(rc.address);
        continue;
      }
      this.instances.set(rc.address, {
        type: rc.type,
        name: rc.name,
        ...(rc.index !== undefined ? { index: rc.index } : {}),
        attributes: applied(rc, this.schema, this.ctx),
        sensitive: sensitivePaths(rc.change.after_sensitive),
      });
      references.push(...referencesOf(rc, this.expressions.get(rc.address), this.schema.resource_schemas[rc.type]?.block));
    }
    resolveReferences(this.instances, references);
    resolveCertificateValidations(this.instances, this.expressions);
    // An output that is only a resource attribute (an ARN, a name) is read from the state being
    // built when the plan left it unknown (its resource was replaced in that plan).
    const outputExpressions = (this.firstPlan.configuration as { root_module?: { outputs?: Record<string, { expression?: unknown }> } }).root_module?.outputs ?? {};
    this.outputs = Object.fromEntries(
      Object.entries(plan.output_changes ?? {})
        .map(([name, o]): [string, unknown] => {
          if (o.after_unknown !== true) return [name, o.after];
          const refs = attributeReferences(outputExpressions[name]?.expression);
          return [name, refs.length === 1 ? valueAt(this.instances.get(refs[0].target)?.attributes, refs[0].attribute) : undefined];
        })
        .filter(([, value]) => value !== undefined && value !== null),
    );
  }

  /** The state as built so far (Terraform state format 4). */
  state(): object {
    return stateOf(this.instances, this.schema, this.outputs, this.firstPlan.terraform_version);
  }
}
