/**
 * The graph model of one environment, built from its synthesized stack: which boxes a person needs
 * to see (zones and subnet tiers, load balancer, listeners and rules, services with their ports,
 * workers and schedules, database, buckets, repositories, secrets, certificate, DNS, NAT) and the
 * flows between them. Rendering (Graphviz, Mermaid) lives in render.ts.
 *
 * Every resource type of the stack is either DRAWN (it becomes, or is folded into, a node) or
 * IGNORED with a reason; the test fails on a type that is neither, so a new construct cannot slip
 * out of the picture unnoticed.
 */
import { dataOf, dataReferencesIn, literalForEachKeys, resourcesOf, type Block, type StackJson, type StackResource } from "../stack-json";

export type NodeKind =
  | "browser"
  | "dns"
  | "certificate"
  | "gateway"
  | "nat"
  | "subnets"
  | "load-balancer"
  | "listener"
  | "rule"
  | "service"
  | "worker"
  | "task"
  | "schedule"
  | "database"
  | "bucket"
  | "repository"
  | "secret"
  | "alarms"
  | "topic"
  | "subscriber"
  | "dashboard"
  | "event-rule"
  | "state-machine"
  | "queue";

/** Boxes the nodes sit in; `parent` nests them. */
export type GroupId = "aws" | "vpc" | "public" | "private" | "isolated" | "dns" | "regional" | "operations";

export interface DiagramNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** Lines of text; the first is the title. */
  readonly lines: readonly string[];
  readonly group?: GroupId;
  /** Terraform addresses this node stands for (several when resources are folded together). */
  readonly addresses: readonly string[];
}

export type EdgeKind = "request" | "data" | "dns" | "image" | "secret" | "egress" | "trigger" | "tls" | "notify";

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

export interface DiagramGroup {
  readonly id: GroupId;
  readonly label: string;
  readonly parent?: GroupId;
}

export interface DiagramModel {
  readonly environment: string;
  readonly region: string;
  readonly groups: readonly DiagramGroup[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

/** Resource types that appear in the picture, as a node or folded into one. */
export const DRAWN_TYPES = [
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_nat_gateway",
  "aws_eip",
  "aws_lb",
  "aws_lb_listener",
  "aws_lb_listener_rule",
  "aws_lb_target_group",
  "aws_ecs_service",
  "aws_ecs_task_definition",
  "aws_scheduler_schedule",
  "aws_db_instance",
  "aws_s3_bucket",
  "aws_ecr_repository",
  "aws_secretsmanager_secret",
  "aws_acm_certificate",
  "aws_acm_certificate_validation",
  "aws_route53_record",
  // Operations (issue 13): one box for all alarms, the topic and its subscribers, the dashboard with
  // the saved queries, and the redeploy-on-secret-change path (rule with its target, state machine).
  "aws_cloudwatch_metric_alarm",
  "aws_sns_topic",
  "aws_sns_topic_subscription",
  "aws_lambda_permission",
  "aws_cloudwatch_dashboard",
  "aws_cloudwatch_query_definition",
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
  "aws_sfn_state_machine",
  "aws_secretsmanager_secret_rotation",
  // Issue 14: the queue and the dead-letter queues (the scheduler's, the queue's).
  "aws_sqs_queue",
] as const;

/** Resource types left out of the picture on purpose, each with the reason. */
export const IGNORED_TYPES: Readonly<Record<string, string>> = {
  aws_appautoscaling_policy: "scaling settings: shown as the service's min-max count",
  aws_appautoscaling_target: "scaling settings: shown as the service's min-max count",
  aws_cloudwatch_log_group: "every service and the database log to CloudWatch; a box per log group adds noise",
  aws_db_parameter_group: "database settings",
  aws_db_subnet_group: "shown by placing the database in the isolated subnets",
  aws_default_security_group: "locked down, used by nothing",
  aws_ecr_lifecycle_policy: "repository settings",
  aws_ecs_cluster: "the box the services run in is the private tier",
  aws_ecs_cluster_capacity_providers: "shown as the services' Fargate / Fargate Spot label",
  aws_flow_log: "network logging detail",
  aws_iam_role: "permissions: shown as the flows they allow (bucket, secrets)",
  aws_iam_role_policy: "permissions: shown as the flows they allow (bucket, secrets)",
  aws_route: "shown as the flows private tier -> NAT -> internet gateway",
  aws_route_table: "shown as the flows private tier -> NAT -> internet gateway",
  aws_route_table_association: "shown as the flows private tier -> NAT -> internet gateway",
  aws_s3_bucket_lifecycle_configuration: "bucket settings",
  aws_s3_bucket_ownership_controls: "bucket settings",
  aws_s3_bucket_policy: "bucket settings",
  aws_s3_bucket_public_access_block: "bucket settings",
  aws_s3_bucket_server_side_encryption_configuration: "bucket settings",
  aws_s3_bucket_versioning: "bucket settings (versioning is shown on the bucket)",
  aws_security_group: "shown as the flows they allow",
  aws_sqs_queue_policy: "queue settings (TLS only)",
  aws_vpc_security_group_egress_rule: "shown as the flows they allow",
  aws_vpc_security_group_ingress_rule: "shown as the flows they allow",
};

const TIERS = ["public", "private", "isolated"] as const;
type Tier = (typeof TIERS)[number];

const safeId = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");

/** `str(r, key)`: a string attribute of a resource. */
const str = (r: StackResource, key: string) => r.values[key] as string;

/** What every part of the picture reads (the stack) and writes (nodes, edges, groups). */
interface DiagramContext {
  readonly byAddress: ReadonlyMap<string, StackResource>;
  readonly data: ReadonlyMap<string, Block>;
  readonly ofType: (type: string) => StackResource[];
  /** Terraform address -> node id. */
  readonly nodeOf: Map<string, string>;
  readonly add: (node: DiagramNode) => void;
  readonly edge: (from: string | undefined, to: string | undefined, kind: EdgeKind, label?: string) => void;
  readonly groups: DiagramGroup[];
  readonly nodes: DiagramNode[];
  readonly edges: DiagramEdge[];
}

/** Builds the picture of one synthesized environment stack. */
export function buildDiagram(environment: string, region: string, stack: StackJson): DiagramModel {
  const ctx = diagramContext(stack, [
    { id: "dns", label: "Route 53 (hosted zone)" },
    { id: "aws", label: `AWS ${region}` },
    { id: "regional", label: "Regional services", parent: "aws" },
  ]);
  ctx.add({ id: "browser", kind: "browser", lines: ["Browser"], addresses: [] });
  addNetwork(ctx);
  addLoadBalancers(ctx);
  addQueues(ctx);
  const usedTaskDefinitions = addServices(ctx);
  addRoutes(ctx);
  addDataStores(ctx);
  addCertificatesAndDns(ctx);
  addFlows(ctx, usedTaskDefinitions);
  buildOperations(ctx);
  const { groups, nodes, edges } = ctx;
  return { environment, region, groups: groups.filter((g) => (g.id === "dns" || g.id === "operations" ? nodes.some((n) => n.group === g.id) : true)), nodes, edges };
}

function diagramContext(stack: StackJson, groups: DiagramGroup[]): DiagramContext {
  const all = resourcesOf(stack);
  const data = dataOf(stack);
  const byAddress = new Map(all.map((r) => [r.address, r]));
  const ofType = (type: string) => all.filter((r) => r.type === type);
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const nodeOf = new Map<string, string>(); // address -> node id
  const add = (node: DiagramNode) => {
    nodes.push(node);
    node.addresses.forEach((a) => nodeOf.set(a, node.id));
  };
  const edge = (from: string | undefined, to: string | undefined, kind: EdgeKind, label?: string) => {
    if (!from || !to || from === to) return;
    if (edges.some((e) => e.from === from && e.to === to && e.kind === kind)) return;
    edges.push({ from, to, kind, label });
  };
  return { byAddress, data, ofType, nodeOf, add, edge, groups, nodes, edges };
}

/** Everything a resource reaches through references, following IAM roles, their policies and policy documents. */
function reach({ byAddress, data, ofType }: DiagramContext, start: StackResource): Set<string> {
  const seen = new Set<string>();
  const queue = [start.address];
  while (queue.length) {
    const address = queue.shift()!;
    if (seen.has(address)) continue;
    seen.add(address);
    const values = address.startsWith("data.") ? data.get(address) : byAddress.get(address)?.values;
    if (!values) continue;
    for (const ref of dataReferencesIn(values)) {
      const type = ref.replace(/^data\./, "").split(".")[0];
      if (["aws_ecs_task_definition", "aws_iam_role", "aws_iam_policy_document"].includes(type)) queue.push(ref);
      else seen.add(ref);
    }
    // Inline policies point at their role, not the other way round.
    if (address.split(".")[0] === "aws_iam_role") {
      for (const policy of ofType("aws_iam_role_policy")) {
        if (dataReferencesIn(policy.values).has(address)) queue.push(policy.address);
      }
    }
  }
  return seen;
}

/** Network: VPC, tiers with their subnets per zone, internet gateway, NAT gateways. */
function addNetwork({ byAddress, ofType, nodeOf, add, edge, groups }: DiagramContext): void {
  const vpc = ofType("aws_vpc")[0];
  const subnets = ofType("aws_subnet");
  const tierOf = (s: StackResource): Tier => {
    const tag = (s.values.tags as Record<string, string> | undefined)?.Tier;
    if (tag === "public" || tag === "private" || tag === "isolated") return tag;
    return s.id.startsWith("network_public") ? "public" : s.id.startsWith("network_isolated") ? "isolated" : "private";
  };
  if (vpc) {
    groups.push({ id: "vpc", label: `VPC ${str(vpc, "cidr_block")}${vpc.values.assign_generated_ipv6_cidr_block ? " + IPv6" : ""}`, parent: "aws" });
    const tierLabel: Record<Tier, string> = {
      public: "Public subnets (internet-facing)",
      private: "Private subnets (outbound via NAT)",
      isolated: "Isolated subnets (no route out)",
    };
    for (const tier of TIERS) {
      const inTier = subnets.filter((s) => tierOf(s) === tier).sort((a, b) => str(a, "availability_zone").localeCompare(str(b, "availability_zone")));
      if (!inTier.length) continue;
      groups.push({ id: tier, label: tierLabel[tier], parent: "vpc" });
      add({
        id: `subnets_${tier}`,
        kind: "subnets",
        group: tier,
        lines: [`${tier} subnets`, ...inTier.map((s) => `${str(s, "availability_zone")}  ${str(s, "cidr_block")}`)],
        addresses: [vpc.address, ...inTier.map((s) => s.address)],
      });
    }
  }
  for (const igw of ofType("aws_internet_gateway")) {
    add({ id: "igw", kind: "gateway", group: "vpc", lines: ["Internet gateway", vpc ? "IPv4 + IPv6" : ""].filter(Boolean), addresses: [igw.address] });
  }
  for (const nat of ofType("aws_nat_gateway")) {
    const subnet = byAddress.get([...dataReferencesIn({ s: nat.values.subnet_id })][0]);
    const eip = [...dataReferencesIn({ a: nat.values.allocation_id })][0];
    add({
      id: safeId(nat.id),
      kind: "nat",
      group: "public",
      lines: [`NAT gateway`, subnet ? str(subnet, "availability_zone") : "", eip ? "Elastic IP" : ""].filter(Boolean),
      addresses: [nat.address, ...(eip ? [eip] : [])],
    });
    edge("subnets_private", safeId(nat.id), "egress", "0.0.0.0/0");
    edge(safeId(nat.id), "igw", "egress");
  }
  // EIPs not attached to a NAT gateway still appear.
  for (const eip of ofType("aws_eip").filter((e) => !nodeOf.has(e.address))) {
    add({ id: safeId(eip.id), kind: "nat", group: "public", lines: ["Elastic IP"], addresses: [eip.address] });
  }
}

/** Load balancer and listeners. */
function addLoadBalancers({ ofType, nodeOf, add, edge }: DiagramContext): void {
  for (const lb of ofType("aws_lb")) {
    add({
      id: safeId(lb.id),
      kind: "load-balancer",
      group: "public",
      lines: [`Load balancer ${str(lb, "name")}`, `${lb.values.internal ? "internal" : "internet-facing"}, ${lb.values.ip_address_type ?? "ipv4"}`],
      addresses: [lb.address],
    });
    edge("browser", "igw", "request", "HTTPS");
    edge("igw", safeId(lb.id), "request");
  }
  for (const listener of ofType("aws_lb_listener")) {
    const lbId = nodeOf.get([...dataReferencesIn({ l: listener.values.load_balancer_arn })][0]);
    const action = (listener.values.default_action as Block[] | undefined)?.[0] ?? {};
    const redirect = action.redirect as Block | undefined;
    const lines = [`${listener.values.protocol} :${listener.values.port}`];
    if (redirect) lines.push(`redirect to ${redirect.protocol} :${redirect.port}`);
    if (listener.values.ssl_policy) lines.push(String(listener.values.ssl_policy));
    add({ id: safeId(listener.id), kind: "listener", group: "public", lines, addresses: [listener.address] });
    edge(lbId, safeId(listener.id), "request");
  }
}

/** Services (with a load balancer), workers (without), one-off task definitions, schedules; returns the task definitions services use. */
function addServices({ byAddress, ofType, nodeOf, add, edge }: DiagramContext): Set<string> {
  const usedTaskDefinitions = new Set<string>();
  for (const service of ofType("aws_ecs_service")) {
    const taskDefinition = byAddress.get([...dataReferencesIn({ t: service.values.task_definition })][0]);
    if (taskDefinition) usedTaskDefinitions.add(taskDefinition.address);
    const targetGroups = ((service.values.load_balancer as Block[] | undefined) ?? []).flatMap((lb) => [...dataReferencesIn(lb)]);
    const ports = ((service.values.load_balancer as Block[] | undefined) ?? []).map((lb) => `:${lb.container_port}`);
    const spot = ((service.values.capacity_provider_strategy as Block[] | undefined) ?? []).some((s) => s.capacity_provider === "FARGATE_SPOT");
    const scaling = ofType("aws_appautoscaling_target").find((t) => dataReferencesIn({ r: t.values.resource_id }).has(service.address) || t.values.resource_id === `service/${service.values.name}`);
    const count = scaling ? `${service.values.desired_count} tasks, scales ${scaling.values.min_capacity}-${scaling.values.max_capacity}` : `${service.values.desired_count} task${service.values.desired_count === 1 ? "" : "s"}`;
    const size = taskDefinition ? `${Number(taskDefinition.values.cpu) / 1024} vCPU, ${Number(taskDefinition.values.memory) / 1024} GB` : "";
    const worker = targetGroups.length === 0;
    add({
      id: safeId(service.id),
      kind: worker ? "worker" : "service",
      group: "private",
      lines: [
        `${worker ? "Worker" : "Service"} ${service.values.name}${ports.length ? ` ${ports.join(" ")}` : ""}`,
        `${spot ? "Fargate Spot" : "Fargate"}, ${count}`,
        size,
      ].filter(Boolean),
      addresses: [service.address, ...(taskDefinition ? [taskDefinition.address] : []), ...targetGroups],
    });
  }
  for (const task of ofType("aws_ecs_task_definition").filter((t) => !usedTaskDefinitions.has(t.address))) {
    add({
      id: safeId(task.id),
      kind: "task",
      group: "private",
      lines: [`One-off task ${task.values.family}`, "same image and secrets as its service", `${Number(task.values.cpu) / 1024} vCPU, ${Number(task.values.memory) / 1024} GB`],
      addresses: [task.address],
    });
  }
  for (const schedule of ofType("aws_scheduler_schedule")) {
    add({
      id: safeId(schedule.id),
      kind: "schedule",
      group: "regional",
      lines: [`Schedule ${schedule.values.name ?? schedule.id}`, String(schedule.values.schedule_expression ?? "")].filter(Boolean),
      addresses: [schedule.address],
    });
    for (const ref of dataReferencesIn(schedule.values)) {
      if (ref.startsWith("aws_sqs_queue.")) edge(safeId(schedule.id), nodeOf.get(ref), "data", "failed starts");
      else edge(safeId(schedule.id), nodeOf.get(ref), "trigger", "runs");
    }
  }
  return usedTaskDefinitions;
}

/** Listener default actions and rules forward to target groups, i.e. to the services that register in them. */
function addRoutes({ ofType, nodeOf, add, edge }: DiagramContext): void {
  // Target groups lead to the services that register in them.
  const serviceOfTargetGroup = new Map<string, StackResource>();
  for (const service of ofType("aws_ecs_service")) {
    for (const lb of (service.values.load_balancer as Block[] | undefined) ?? []) {
      for (const tg of dataReferencesIn(lb)) serviceOfTargetGroup.set(tg, service);
    }
  }
  for (const listener of ofType("aws_lb_listener")) {
    for (const ref of dataReferencesIn({ a: listener.values.default_action })) {
      const service = serviceOfTargetGroup.get(ref);
      if (service) edge(safeId(listener.id), safeId(service.id), "request", "default");
    }
  }
  for (const rule of ofType("aws_lb_listener_rule")) {
    const conditions = ((rule.values.condition as Block[] | undefined) ?? []).map((c) => {
      if (c.path_pattern) return `path ${((c.path_pattern as Block).values as string[]).join(", ")}`;
      if (c.host_header) return `host ${((c.host_header as Block).values as string[]).join(", ")}`;
      return Object.keys(c).join(", ");
    });
    add({ id: safeId(rule.id), kind: "rule", group: "public", lines: [`Rule ${rule.values.priority}`, ...conditions], addresses: [rule.address] });
    edge(nodeOf.get([...dataReferencesIn({ l: rule.values.listener_arn })][0]), safeId(rule.id), "request");
    for (const ref of dataReferencesIn({ a: rule.values.action })) {
      const service = serviceOfTargetGroup.get(ref);
      if (service) edge(safeId(rule.id), safeId(service.id), "request");
    }
  }
}

/** Database (with its managed master password secret), buckets, repositories, secrets. */
function addDataStores({ ofType, nodeOf, add, edge }: DiagramContext): void {
  for (const db of ofType("aws_db_instance")) {
    add({
      id: safeId(db.id),
      kind: "database",
      group: "isolated",
      lines: [`RDS ${db.values.engine} ${db.values.engine_version}`, String(db.values.instance_class), `${db.values.multi_az ? "Multi-AZ" : "Single-AZ"}, ${db.values.allocated_storage} GiB ${db.values.storage_type ?? ""}`.trim()],
      addresses: [db.address],
    });
    if (db.values.manage_master_user_password) {
      add({ id: `${safeId(db.id)}_secret`, kind: "secret", group: "regional", lines: ["Secret: database master password", "managed by RDS"], addresses: [] });
    }
  }
  for (const bucket of ofType("aws_s3_bucket")) {
    const versioning = ofType("aws_s3_bucket_versioning").find((v) => dataReferencesIn(v.values).has(bucket.address));
    const status = (versioning?.values.versioning_configuration as Block | undefined)?.status;
    add({
      id: safeId(bucket.id),
      kind: "bucket",
      group: "regional",
      lines: [`S3 ${bucket.path.split("/")[0] === "load-balancer" ? "access logs" : bucket.path.split("/")[0]}`, String(bucket.values.bucket ?? bucket.values.bucket_prefix ?? ""), status === "Enabled" ? "versioned" : ""].filter(Boolean),
      addresses: [bucket.address],
    });
  }
  // Load balancer access logs.
  for (const lb of ofType("aws_lb")) {
    const logs = lb.values.access_logs as Block | undefined;
    if (logs?.enabled) edge(safeId(lb.id), nodeOf.get([...dataReferencesIn(logs)][0]), "data", "access logs");
  }
  for (const repo of ofType("aws_ecr_repository")) {
    add({ id: safeId(repo.id), kind: "repository", group: "regional", lines: [`ECR ${repo.values.name}`, `tags ${String(repo.values.image_tag_mutability ?? "MUTABLE").toLowerCase()}`], addresses: [repo.address] });
  }
  for (const secret of ofType("aws_secretsmanager_secret")) {
    add({ id: safeId(secret.id), kind: "secret", group: "regional", lines: [`Secret ${secret.values.name}`], addresses: [secret.address] });
  }
}

/** Certificate and DNS records. */
function addCertificatesAndDns({ ofType, nodeOf, add, edge }: DiagramContext): void {
  const certificates = ofType("aws_acm_certificate");
  for (const cert of certificates) {
    const validation = ofType("aws_acm_certificate_validation").filter((v) => dataReferencesIn(v.values).has(cert.address));
    const names = [cert.values.domain_name, ...((cert.values.subject_alternative_names as string[] | undefined) ?? [])];
    add({
      id: safeId(cert.id),
      kind: "certificate",
      group: "regional",
      lines: ["ACM certificate", ...names.map(String), `validated by ${cert.values.validation_method ?? "DNS"}`],
      addresses: [cert.address, ...validation.map((v) => v.address)],
    });
    for (const listener of ofType("aws_lb_listener")) {
      const refs = dataReferencesIn({ c: listener.values.certificate_arn });
      if ([...refs].some((r) => r === cert.address || validation.some((v) => v.address === r))) edge(safeId(cert.id), safeId(listener.id), "tls", "TLS");
    }
  }
  // Alias records with the same names and target are one box (A + AAAA).
  const records = ofType("aws_route53_record");
  const aliasKey = (r: StackResource) => JSON.stringify([literalForEachKeys(r.values) ?? r.values.name, [...dataReferencesIn(r.values.alias as Block)]]);
  for (const record of records) {
    if (nodeOf.has(record.address)) continue;
    const alias = record.values.alias as Block | undefined;
    const validates = certificates.find((c) => dataReferencesIn(record.values).has(c.address));
    const same = alias ? records.filter((r) => r.values.alias && aliasKey(r) === aliasKey(record)) : [record];
    const names = literalForEachKeys(record.values) ?? (typeof record.values.name === "string" && !record.values.name.includes("${") ? [record.values.name] : []);
    add({
      id: safeId(record.id),
      kind: "dns",
      group: "dns",
      lines: validates
        ? ["Certificate validation records", "CNAME per name"]
        : [`${same.map((r) => r.values.type).join(" + ")}${alias ? " alias" : ""}`, ...names],
      addresses: same.map((r) => r.address),
    });
    if (validates) edge(safeId(record.id), safeId(validates.id), "dns", "validates");
    if (alias) {
      edge("browser", safeId(record.id), "dns", "DNS lookup");
      edge(safeId(record.id), nodeOf.get([...dataReferencesIn(alias)][0]), "dns", "alias");
    }
  }
}

/** SQS queues (issue 14), each with an edge to the dead-letter queue its redrive policy names. */
function addQueues({ ofType, add, edge }: DiagramContext): void {
  const queues = ofType("aws_sqs_queue");
  for (const queue of queues) {
    const encrypted = queue.values.kms_master_key_id ? "SSE-KMS" : queue.values.sqs_managed_sse_enabled ? "SSE-SQS" : "";
    add({ id: safeId(queue.id), kind: "queue", group: "regional", lines: [`SQS ${queue.values.name}`, encrypted].filter(Boolean), addresses: [queue.address] });
  }
  for (const queue of queues) {
    const redrive = String(queue.values.redrive_policy ?? "");
    const dead = queues.find((q) => q !== queue && redrive.includes(`:${q.values.name}"`));
    if (dead) edge(safeId(queue.id), safeId(dead.id), "data", "dead letters");
  }
}

/** Flows out of services and tasks: database, buckets, secrets, image pulls. */
function addFlows(ctx: DiagramContext, usedTaskDefinitions: ReadonlySet<string>): void {
  const { byAddress, ofType, nodeOf, edge } = ctx;
  for (const runner of [...ofType("aws_ecs_service"), ...ofType("aws_ecs_task_definition").filter((t) => !usedTaskDefinitions.has(t.address))]) {
    const from = nodeOf.get(runner.address)!;
    const task = runner.type === "aws_ecs_service" ? byAddress.get([...dataReferencesIn({ t: runner.values.task_definition })][0]) : runner;
    const taskText = JSON.stringify(task?.values ?? {});
    for (const address of reach(ctx, runner)) {
      const type = address.split(".")[0];
      const to = nodeOf.get(address);
      if (type === "aws_db_instance") {
        edge(from, to, "data", "MySQL");
        if (runner.type === "aws_ecs_task_definition") continue; // one-off tasks: same image and secrets as their service
        if (taskText.includes(`${address}.master_user_secret`)) edge(from, `${to}_secret`, "secret");
      } else if (type === "aws_s3_bucket") edge(from, to, "data", "objects");
      else if (runner.type === "aws_ecs_task_definition") continue;
      else if (type === "aws_ecr_repository") edge(to, from, "image", "pull");
      else if (type === "aws_secretsmanager_secret") edge(from, to, "secret");
    }
    // Secrets referenced by ARN and images by repository URL (computed from config, so not Terraform references).
    for (const secret of runner.type === "aws_ecs_service" ? ofType("aws_secretsmanager_secret") : []) {
      if (taskText.includes(`:secret:${secret.values.name}`)) edge(from, safeId(secret.id), "secret");
    }
    // The queue a service sends to and works off, by its name in the container environment (computed from config).
    for (const queue of runner.type === "aws_ecs_service" ? ofType("aws_sqs_queue") : []) {
      if (new RegExp(`"value":"[^"]*\\b${queue.values.name}"`).test(taskText.replace(/\\"/g, '"'))) edge(from, safeId(queue.id), "data", "messages");
    }
    for (const repository of runner.type === "aws_ecs_service" ? ofType("aws_ecr_repository") : []) {
      const pulled = new RegExp(`/${repository.values.name}[:@]`).test(taskText);
      if (pulled) edge(nodeOf.get(repository.address), from, "image", "pull");
    }
  }
}

/** The resource types of a stack that neither appear in the picture nor are ignored with a reason. */
export function unaccountedTypes(stack: StackJson): string[] {
  const drawn = new Set<string>(DRAWN_TYPES);
  return [...new Set(resourcesOf(stack).map((r) => r.type))].filter((t) => !drawn.has(t) && !(t in IGNORED_TYPES)).sort();
}

/**
 * The "Operations" box: all alarms as ONE node with their count (18 boxes would drown the picture),
 * the alarm topic and its subscribers, the dashboard with the saved Logs Insights queries, and the
 * redeploy path: a secret changes -> EventBridge rule -> state machine -> the ECS service it rolls.
 * Rotation schedules are folded into the secret they rotate.
 */
function buildOperations(ctx: DiagramContext): void {
  ctx.groups.push({ id: "operations", label: "Operations", parent: "aws" });
  foldRotations(ctx);
  addAlarmNotifications(ctx);
  addDashboards(ctx);
  addRedeployPath(ctx);
}

const refsIn = (value: unknown) => [...dataReferencesIn({ v: value })];

/** Rotation schedules: folded into the secret node they rotate (the RDS-managed one has no resource of its own). */
function foldRotations({ ofType, nodeOf, add, nodes }: DiagramContext): void {
  for (const rotation of ofType("aws_secretsmanager_secret_rotation")) {
    const target = refsIn(rotation.values.secret_id)[0];
    const days = (rotation.values.rotation_rules as Block | undefined)?.automatically_after_days;
    const id = target && target.split(".")[0] === "aws_db_instance" ? `${nodeOf.get(target)}_secret` : target ? nodeOf.get(target) : undefined;
    const index = nodes.findIndex((n) => n.id === id);
    if (index < 0) {
      add({ id: safeId(rotation.id), kind: "secret", group: "regional", lines: ["Secret rotation", days ? `every ${days} days` : ""].filter(Boolean), addresses: [rotation.address] });
      continue;
    }
    const node = nodes[index];
    nodes[index] = { ...node, lines: [...node.lines, days ? `rotated every ${days} days` : "rotated"], addresses: [...node.addresses, rotation.address] };
    nodeOf.set(rotation.address, node.id);
  }
}

/** All alarms as one node, the alarm topic and its subscribers (with their Lambda permissions). */
function addAlarmNotifications({ ofType, nodeOf, add, edge }: DiagramContext): void {
  const alarms = ofType("aws_cloudwatch_metric_alarm");
  const topics = ofType("aws_sns_topic");
  for (const topic of topics) {
    const subscriptions = ofType("aws_sns_topic_subscription").filter((s) => refsIn(s.values.topic_arn).includes(topic.address));
    add({
      id: safeId(topic.id),
      kind: "topic",
      group: "operations",
      lines: ["SNS alarm topic", String(topic.values.name ?? topic.id), subscriptions.length ? "" : "no subscribers"].filter(Boolean),
      addresses: [topic.address],
    });
    for (const subscription of subscriptions) {
      const lambda = subscription.values.protocol === "lambda";
      const endpoint = String(subscription.values.endpoint ?? "");
      const permissions = ofType("aws_lambda_permission").filter((p) => p.values.function_name === endpoint);
      add({
        id: safeId(subscription.id),
        kind: "subscriber",
        group: "operations",
        lines: lambda ? ["Lambda subscriber", endpoint.split(":").pop() ?? endpoint] : [`${String(subscription.values.protocol)} subscriber`, endpoint],
        addresses: [subscription.address, ...(lambda ? permissions.map((p) => p.address) : [])],
      });
      edge(safeId(topic.id), safeId(subscription.id), "notify");
    }
  }
  // Lambda permissions not matched to a subscription still belong to the topic's box.
  for (const permission of ofType("aws_lambda_permission").filter((p) => !nodeOf.has(p.address))) {
    add({ id: safeId(permission.id), kind: "subscriber", group: "operations", lines: ["Lambda permission", String(permission.values.function_name ?? "")], addresses: [permission.address] });
  }
  if (alarms.length) {
    const math = alarms.filter((a) => ((a.values.metric_query as Block[] | undefined) ?? []).length > 0).length;
    add({
      id: "alarms",
      kind: "alarms",
      group: "operations",
      lines: [`CloudWatch alarms (${alarms.length})`, "services, load balancer, database, redeploy", math ? `${math} with metric math` : ""].filter(Boolean),
      addresses: alarms.map((a) => a.address),
    });
    for (const topic of topics) {
      if (alarms.some((a) => JSON.stringify(a.values.alarm_actions ?? []).includes(topic.address))) edge("alarms", safeId(topic.id), "notify", "fires / clears");
    }
  }
}

/** The dashboard with the saved Logs Insights queries (or the queries alone). */
function addDashboards({ ofType, add }: DiagramContext): void {
  const queries = ofType("aws_cloudwatch_query_definition");
  for (const dashboard of ofType("aws_cloudwatch_dashboard")) {
    add({
      id: safeId(dashboard.id),
      kind: "dashboard",
      group: "operations",
      lines: ["CloudWatch dashboard", String(dashboard.values.dashboard_name), queries.length ? `${queries.length} saved Logs Insights queries` : ""].filter(Boolean),
      addresses: [dashboard.address, ...queries.map((q) => q.address)],
    });
  }
  if (!ofType("aws_cloudwatch_dashboard").length && queries.length) {
    add({ id: "saved_queries", kind: "dashboard", group: "operations", lines: [`${queries.length} saved Logs Insights queries`], addresses: queries.map((q) => q.address) });
  }
}

/** Redeploy on secret change: secrets -> rule (with its targets) -> state machine -> services. */
function addRedeployPath({ ofType, nodeOf, add, edge }: DiagramContext): void {
  for (const machine of ofType("aws_sfn_state_machine")) {
    add({ id: safeId(machine.id), kind: "state-machine", group: "operations", lines: ["Step Functions: redeploy", String(machine.values.name), "ECS UpdateService, force new deployment"], addresses: [machine.address] });
  }
  const services = ofType("aws_ecs_service");
  const secrets = ofType("aws_secretsmanager_secret");
  for (const rule of ofType("aws_cloudwatch_event_rule")) {
    const targets = ofType("aws_cloudwatch_event_target").filter((t) => refsIn(t.values.rule).includes(rule.address));
    add({ id: safeId(rule.id), kind: "event-rule", group: "operations", lines: ["EventBridge rule", String(rule.values.name), "secret rotated or new value"], addresses: [rule.address, ...targets.map((t) => t.address)] });
    const pattern = String(rule.values.event_pattern ?? "");
    for (const secret of secrets) {
      if (pattern.includes(`:secret:${secret.values.name}-`) || pattern.includes(`${secret.address}.`)) edge(safeId(secret.id), safeId(rule.id), "trigger", "changed");
    }
    for (const db of ofType("aws_db_instance")) {
      if (pattern.includes(`${db.address}.master_user_secret`)) edge(`${nodeOf.get(db.address)}_secret`, safeId(rule.id), "trigger", "changed");
    }
    for (const target of targets) {
      const to = nodeOf.get(refsIn(target.values.arn)[0] ?? "");
      edge(safeId(rule.id), to, "trigger", "starts");
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(String(target.values.input ?? "{}")) as Record<string, unknown>;
      } catch {
        input = {};
      }
      const service = services.find((s) => s.values.name === input.service);
      if (to && service) edge(to, nodeOf.get(service.address), "trigger", "redeploy");
    }
  }
}
