/**
 * Monthly cost estimate of one synthesized environment stack: what the stack creates (sizes,
 * counts, classes, retention from cdk.tf.json) times the shipped price table (lib/cost/prices.json),
 * plus the usage assumptions from config (`cost` block). Infracost's method, with a shipped table
 * instead of its pricing API (these machines cannot reach it).
 *
 * Every resource type of the stack is either PRICED here or FREE (with the reason); the test fails
 * on any other type, so a new construct cannot add cost the estimate silently ignores.
 */
import type { EnvironmentConfig } from "../../config";
import { dataReferencesIn, instanceCount, resourcesOf, type Block, type StackJson, type StackResource } from "../stack-json";
import shippedPrices from "./prices.json";

export type CostAssumptions = EnvironmentConfig["cost"];

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly date: string;
  readonly basis: string;
  readonly checkedAt?: string;
}
export interface PriceTable {
  readonly date: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  readonly vcpus: Record<string, number>;
  readonly extendedSupport: Record<string, { standardSupportEnds: string; year3Starts: string }>;
  readonly regions: Record<string, Record<string, Price>>;
}
export const PRICES: PriceTable = shippedPrices;

export interface CostLine {
  readonly category: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  readonly priceKey: string;
}

export interface Estimate {
  readonly environment: string;
  readonly region: string;
  readonly priceTableDate: string;
  /** The day the estimate is for (decides MySQL Extended Support). */
  readonly asOf: string;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly assumptions: CostAssumptions;
}

/** Resource types that cost money, and what of them is priced. */
export const PRICED_TYPES: Readonly<Record<string, string>> = {
  aws_ecs_service: "Fargate vCPU and GB hours of desired_count tasks (on-demand or Spot by capacity provider strategy)",
  aws_lb: "load balancer hours, LCU hours from the request assumption, one public IPv4 address per zone",
  aws_nat_gateway: "NAT gateway hours and the data assumption",
  aws_eip: "public IPv4 address hours",
  aws_db_instance: "instance hours by class (x2 Multi-AZ), gp3 storage, backups beyond free, MySQL Extended Support",
  aws_elasticache_replication_group: "node hours by node type and engine, every node of the group (snapshot storage beyond one free copy is not estimated)",
  aws_cloudwatch_log_group: "ingestion (assumption) and storage over the retention",
  aws_cloudwatch_metric_alarm: "alarm metrics per month (a metric-math alarm bills each metric in its expression)",
  aws_cloudwatch_dashboard: "dashboard per month (the account's first 3 are free: not deducted, like every free tier here)",
  aws_appautoscaling_policy: "the two CloudWatch alarms AWS creates for each target-tracking policy",
  aws_secretsmanager_secret: "secret per month",
  aws_ecr_repository: "image storage (assumption)",
  aws_route53_record: "the hosted zone the records live in (the zone is not created by the stack, but billed)",
  aws_route53_zone: "hosted zone per month",
  aws_s3_bucket: "storage and requests (assumptions)",
};

/** Resource types that cost nothing themselves (or whose cost is priced on another type), with the reason. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  aws_acm_certificate: "public ACM certificates are free",
  aws_acm_certificate_validation: "a Terraform wait, not an AWS resource",
  aws_appautoscaling_target: "free; its policies' alarms are priced",
  aws_db_parameter_group: "free",
  aws_db_subnet_group: "free",
  aws_default_security_group: "free",
  aws_ecr_lifecycle_policy: "free",
  aws_ecs_cluster: "free (Container Insights metrics are not priced: see README)",
  aws_ecs_cluster_capacity_providers: "free",
  aws_ecs_task_definition: "free; tasks are priced on their service (one-off tasks such as the migration run minutes per deploy: not priced)",
  aws_cloudwatch_event_rule: "EventBridge rules matching AWS service events (here: Secrets Manager via CloudTrail) deliver for free",
  aws_cloudwatch_event_target: "free: part of its rule",
  aws_cloudwatch_query_definition: "saved Logs Insights queries are free; running one bills the data scanned (on demand, not priced)",
  aws_flow_log: "priced as the ingestion of its log group",
  aws_iam_role: "free",
  aws_iam_role_policy: "free",
  aws_internet_gateway: "free (public IPv4 addresses are priced on the ALB and the EIPs)",
  aws_lambda_permission: "free (a resource policy on a function the stack does not create)",
  aws_lb_listener: "included in the load balancer hours",
  aws_lb_listener_rule: "included (the first 10 rule evaluations per request are free)",
  aws_lb_target_group: "included in the load balancer hours",
  aws_route: "free",
  aws_route_table: "free",
  aws_route_table_association: "free",
  aws_elasticache_subnet_group: "free",
  aws_s3_bucket_lifecycle_configuration: "free",
  aws_s3_bucket_ownership_controls: "free",
  aws_s3_bucket_policy: "free",
  aws_s3_bucket_public_access_block: "free",
  aws_s3_bucket_server_side_encryption_configuration: "free (SSE-S3)",
  aws_s3_bucket_versioning: "free (old versions are storage: part of the bucket assumption)",
  aws_scheduler_schedule: "the first 14 million invocations per month are free; the tasks it runs are priced under Compute (one minute each: Fargate's minimum charge)",
  aws_sqs_queue: "the first million requests a month are free, then USD 0.40 per million: depends on job volume, not estimated",
  aws_sqs_queue_policy: "free",
  aws_secretsmanager_secret_rotation: "free: a rotation schedule; RDS rotates its own managed secret, no Lambda runs (the secret itself is priced)",
  aws_security_group: "free",
  aws_service_discovery_http_namespace: "Service Connect has no charge of its own; Cloud Map bills registered instances (one per task) per month: cents, not priced",
  aws_sesv2_email_identity: "identities are free; SES bills each message sent (on demand, not priced)",
  aws_sesv2_email_identity_mail_from_attributes: "free",
  aws_sfn_state_machine:
    "a standard workflow bills $0.025 per 1,000 state transitions; a redeploy after a secret change is about 2 (plus retries) a few times a month: under a cent, not priced",
  aws_sns_topic: "free; its deliveries are on the subscriptions",
  aws_sns_topic_subscription: "e-mail notifications cost $2 per 100,000 (first 1,000 a month free), Lambda deliveries nothing: an alarm storm of 1,000 mails is $0.02, not priced",
  aws_subnet: "free",
  aws_vpc: "free",
  aws_vpc_security_group_egress_rule: "free",
  aws_vpc_security_group_ingress_rule: "free",
};

/** Resource types of a stack that are neither priced nor listed as free. */
export function unpricedTypes(stack: StackJson): string[] {
  return [...new Set(resourcesOf(stack).map((r) => r.type))].filter((t) => !(t in PRICED_TYPES) && !(t in FREE_TYPES)).sort();
}

export class CostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CostError";
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** What each pricer needs: the stack's resources, the prices, the assumptions and where to add lines. */
interface Pricing {
  readonly environment: string;
  /** Hours per month. */
  readonly H: number;
  readonly prices: PriceTable;
  readonly assumptions: CostAssumptions;
  readonly asOf: string;
  readonly ofType: (type: string) => StackResource[];
  readonly refOf: (value: unknown) => StackResource | undefined;
  /** Adds a cost line: `quantity` units at the price `priceKey` (times `factor`). */
  readonly line: (category: string, item: string, quantity: number, unit: string, priceKey: string, factor?: number) => void;
}

/** The estimate of one environment stack. `asOf` (YYYY-MM-DD) defaults to the price table's date. */
export function estimateStack(environment: string, region: string, stack: StackJson, assumptions: CostAssumptions, prices: PriceTable = PRICES, asOf: string = prices.date): Estimate {
  const regional = prices.regions[region];
  if (!regional) {
    throw new CostError(
      `Environment "${environment}": region "${region}" has no prices in lib/cost/prices.json; it has ${Object.keys(prices.regions).join(", ")}. Add the region with the source and date of each price.`,
    );
  }
  const price = (key: string): number => {
    const p = regional[key];
    if (!p) {
      const known = Object.keys(regional).filter((k) => k.split(".")[0] === key.split(".")[0]);
      throw new CostError(
        `Environment "${environment}": no price "${key}" for ${region} in lib/cost/prices.json (it has ${known.join(", ") || "none of that kind"}). Add it with its source and date, or choose a priced option.`,
      );
    }
    return p.usd;
  };
  const lines: CostLine[] = [];
  const all = resourcesOf(stack);
  const byAddress = new Map(all.map((r) => [r.address, r]));
  const pricing: Pricing = {
    environment,
    H: prices.hoursPerMonth,
    prices,
    assumptions,
    asOf,
    ofType: (type) => all.filter((r) => r.type === type),
    refOf: (value) => byAddress.get([...dataReferencesIn({ v: value })][0]),
    line: (category, item, quantity, unit, priceKey, factor = 1) => {
      const unitUsd = price(priceKey) * factor;
      lines.push({ category, item, quantity, unit, unitUsd, monthlyUsd: quantity * unitUsd, priceKey });
    },
  };
  for (const pricer of [priceFargate, priceScheduledTasks, priceLoadBalancers, priceNat, priceDatabases, priceCaches, priceMonitoring, priceAccountServices, priceBuckets]) {
    pricer(pricing);
  }
  const totalUsd = round2(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
  return { environment, region, priceTableDate: prices.date, asOf, lines, totalUsd, assumptions };
}

/** Fargate vCPU and GB hours of each service's desired tasks, split over its capacity providers. */
function priceFargate({ environment, H, ofType, refOf, line }: Pricing): void {
  const clusterDefault = ofType("aws_ecs_cluster_capacity_providers")[0]?.values.default_capacity_provider_strategy as Block[] | undefined;
  for (const service of ofType("aws_ecs_service")) {
    const task = refOf(service.values.task_definition);
    if (!task) throw new CostError(`Environment "${environment}": service ${service.address} has no task definition in the stack to size it`);
    const name = String(service.values.name ?? service.id);
    const vcpu = Number(task.values.cpu) / 1024;
    const gb = Number(task.values.memory) / 1024;
    const arch = String((task.values.runtime_platform as Block | undefined)?.cpu_architecture ?? "X86_64").toLowerCase();
    const count = Number(service.values.desired_count ?? 0);
    const strategy = (service.values.capacity_provider_strategy as Block[] | undefined) ?? (service.values.launch_type ? [{ capacity_provider: service.values.launch_type, weight: 1 }] : clusterDefault) ?? [{ capacity_provider: "FARGATE", weight: 1 }];
    for (const [provider, tasks] of splitTasks(count, strategy)) {
      if (tasks === 0) continue;
      const spot = provider === "FARGATE_SPOT";
      const kind = spot ? "fargateSpot" : "fargate";
      const label = `${name} ${spot ? "Spot " : ""}${tasks} x ${vcpu} vCPU / ${gb} GB (${arch})`;
      line("Compute", `${label}: vCPU`, tasks * vcpu * H, "vCPU-hours", `${kind}.${arch}.vcpuHour`);
      line("Compute", `${label}: memory`, tasks * gb * H, "GB-hours", `${kind}.${arch}.gbHour`);
    }
  }
}

/**
 * Tasks that EventBridge Scheduler starts (issue 14): runs per month from a rate expression, or from
 * a cron expression's minutes and hours (every day), each billed as one minute, Fargate's minimum
 * charge. One-time `at()` schedules and cron day or month restrictions are not counted.
 */
function priceScheduledTasks({ H, ofType, refOf, line }: Pricing): void {
  for (const schedule of ofType("aws_scheduler_schedule")) {
    if (schedule.values.state === "DISABLED") continue;
    const target = ((schedule.values.target as Block[] | Block | undefined) ?? []) as Block[] | Block;
    const first = Array.isArray(target) ? target[0] : target;
    const ecs = first?.ecs_parameters as Block[] | Block | undefined;
    const params = Array.isArray(ecs) ? ecs[0] : ecs;
    const task = params && refOf(params.task_definition_arn);
    const runs = runsPerMonth(String(schedule.values.schedule_expression ?? ""), H);
    if (!task || !runs) continue;
    const vcpu = Number(task.values.cpu) / 1024;
    const gb = Number(task.values.memory) / 1024;
    const arch = String((task.values.runtime_platform as Block | undefined)?.cpu_architecture ?? "X86_64").toLowerCase();
    const strategy = (params.capacity_provider_strategy as Block[] | undefined) ?? [];
    const kind = strategy.some((s) => s.capacity_provider === "FARGATE_SPOT") ? "fargateSpot" : "fargate";
    const hours = (runs * 1) / 60;
    const label = `${schedule.values.name} ${Math.round(runs)} runs x 1 min x ${vcpu} vCPU / ${gb} GB`;
    line("Compute", `${label}: vCPU`, hours * vcpu, "vCPU-hours", `${kind}.${arch}.vcpuHour`);
    line("Compute", `${label}: memory`, hours * gb, "GB-hours", `${kind}.${arch}.gbHour`);
  }
}

/** Runs a month of a Scheduler expression (see priceScheduledTasks); 0 when it cannot be counted. */
export function runsPerMonth(expression: string, hoursPerMonth: number): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return (hoursPerMonth * { minute: 60, hour: 1, day: 1 / 24 }[rate[2] as "minute" | "hour" | "day"]) / Number(rate[1]);
  const cron = /^cron\((\S+) (\S+) \S+ \S+ \S+ \S+\)$/.exec(expression);
  if (!cron) return 0;
  const count = (field: string, all: number) => (field === "*" ? all : /^\d+(,\d+)*$/.test(field) ? field.split(",").length : /^\*\/(\d+)$/.test(field) ? Math.ceil(all / Number(field.slice(2))) : 0);
  return count(cron[1], 60) * count(cron[2], 24) * (hoursPerMonth / 24);
}

/** Load balancers: hours, LCUs, one public IPv4 address per zone (subnet). */
function priceLoadBalancers({ H, assumptions, ofType, line }: Pricing): void {
  for (const lb of ofType("aws_lb")) {
    const name = String(lb.values.name ?? lb.id);
    line("Load balancer", `${name}: hours`, H, "hours", "alb.hour");
    const seconds = H * 3600;
    const newConnectionsLcu = assumptions.requestsPerMonth / seconds / 25; // 25 new connections per second per LCU, one per request
    const bytesLcu = (assumptions.requestsPerMonth * assumptions.averageResponseKiB) / 1024 / 1024 / H; // 1 GB per hour per LCU
    const lcu = Math.max(newConnectionsLcu, bytesLcu);
    line("Load balancer", `${name}: ${lcu.toFixed(3)} LCU (requests, response size)`, lcu * H, "LCU-hours", "alb.lcuHour");
    if (!lb.values.internal) {
      const zones = ((lb.values.subnets as unknown[] | undefined) ?? (lb.values.subnet_mapping as unknown[] | undefined) ?? []).length;
      line("Public IPv4", `${name}: ${zones} addresses (one per zone)`, zones * H, "address-hours", "ipv4.hour");
    }
  }
}

/** NAT gateways and Elastic IPs. */
function priceNat({ H, assumptions, ofType, line }: Pricing): void {
  const nats = ofType("aws_nat_gateway");
  if (nats.length) {
    line("NAT", `${nats.length} NAT gateway${nats.length > 1 ? "s" : ""}: hours`, nats.length * H, "hours", "nat.hour");
    line("NAT", `data processed (assumption)`, assumptions.natDataGiBPerMonth, "GB", "nat.gb");
  }
  const eips = ofType("aws_eip").reduce((n, r) => n + instanceCount(r.values), 0);
  if (eips) line("Public IPv4", `${eips} Elastic IP${eips > 1 ? "s" : ""} (NAT)`, eips * H, "address-hours", "ipv4.hour");
}

/** Database instances: instance hours, gp3 storage, backups beyond the free copy, MySQL Extended Support. */
function priceDatabases({ environment, H, prices, assumptions, asOf, ofType, line }: Pricing): void {
  for (const db of ofType("aws_db_instance")) {
    const cls = String(db.values.instance_class);
    const copies = db.values.multi_az ? 2 : 1;
    const az = copies === 2 ? "Multi-AZ" : "Single-AZ";
    const engine = String(db.values.engine);
    const name = String(db.values.identifier ?? db.id);
    line("Database", `${name} ${cls} ${az}`, copies * H, "instance-hours", `rds.${engine}.${cls}.hour`);
    const storage = Number(db.values.allocated_storage ?? 0);
    if (db.values.storage_type && db.values.storage_type !== "gp3") {
      throw new CostError(`Environment "${environment}": ${name} uses storage_type ${db.values.storage_type}; the estimate prices gp3 only`);
    }
    line("Database", `${name} gp3 storage ${storage} GB ${az}`, copies * storage, "GB-months", "rds.gp3.gbMonth");
    const retention = Number(db.values.backup_retention_period ?? 0);
    // One full copy (free up to 100% of the volume) plus the daily changes of the other retained days.
    const billedBackup = retention > 1 ? storage * (assumptions.databaseChangePercentPerDay / 100) * (retention - 1) : 0;
    line("Database", `${name} backups beyond free (${retention} days)`, billedBackup, "GB-months", "rds.backup.gbMonth");
    const support = prices.extendedSupport[`${engine} ${majorVersion(String(db.values.engine_version ?? ""))}`];
    if (support && asOf > support.standardSupportEnds) {
      const year = asOf >= support.year3Starts ? "year3" : "year1";
      const vcpus = prices.vcpus[cls];
      if (!vcpus) throw new CostError(`Environment "${environment}": the vCPU count of ${cls} is not in lib/cost/prices.json (vcpus); Extended Support is billed per vCPU`);
      line(
        "Database",
        `${name} ${engine} ${db.values.engine_version} Extended Support (standard support ended ${support.standardSupportEnds}), ${vcpus} vCPU x ${copies}`,
        vcpus * copies * H,
        "vCPU-hours",
        `rds.extendedSupport.${year}.vcpuHour`,
      );
    }
  }
}

/** ElastiCache replication groups: every node (primary and replicas) by the hour. */
function priceCaches({ H, ofType, line }: Pricing): void {
  for (const cache of ofType("aws_elasticache_replication_group")) {
    const nodeType = String(cache.values.node_type);
    const nodes = Number(cache.values.num_cache_clusters ?? 1);
    const engine = String(cache.values.engine ?? "redis");
    const name = String(cache.values.replication_group_id ?? cache.id);
    // AWS bills Valkey nodes 20% below Redis OSS nodes of the same type.
    line("Cache", `${name} ${nodes} x ${nodeType} (${engine})`, nodes * H, "node-hours", `elasticache.redis.${nodeType}.hour`, engine === "valkey" ? 0.8 : 1);
  }
}

/** CloudWatch log groups (ingestion, storage), alarm metrics and dashboards. */
function priceMonitoring({ environment, assumptions, ofType, line }: Pricing): void {
  for (const group of ofType("aws_cloudwatch_log_group")) {
    const name = String(group.values.name ?? group.id);
    const retentionDays = Number(group.values.retention_in_days ?? 0);
    const storedMonths = retentionDays > 0 ? retentionDays / (365 / 12) : 12; // never-expire groups: a year's worth
    line("Logs", `${name}: ingestion`, assumptions.logIngestGiBPerGroupPerMonth, "GB", "logs.ingestGb");
    line("Logs", `${name}: storage (${retentionDays || "unlimited"} days)`, assumptions.logIngestGiBPerGroupPerMonth * storedMonths, "GB-months", "logs.storageGbMonth");
  }
  // Standard-resolution alarms bill per metric: one for a single-metric alarm, each metric (not the
  // expressions) of a metric-math alarm. Target-tracking policies create two single-metric alarms.
  const alarmResources = ofType("aws_cloudwatch_metric_alarm");
  for (const alarm of alarmResources) {
    const queries = (alarm.values.metric_query as Block[] | undefined) ?? [];
    const periods = [alarm.values.period, ...queries.map((q) => (q.metric as Block | undefined)?.period)].filter((p) => p !== undefined).map(Number);
    if (periods.some((p) => p < 60)) {
      throw new CostError(`Environment "${environment}": alarm ${alarm.values.alarm_name ?? alarm.address} has a period under 60 s (high resolution); the estimate prices standard-resolution alarms only`);
    }
  }
  const metricsOf = (alarm: StackResource) => {
    const queries = (alarm.values.metric_query as Block[] | undefined) ?? [];
    return queries.length ? queries.filter((q) => q.metric).length : 1;
  };
  const targetTracking = 2 * ofType("aws_appautoscaling_policy").filter((p) => p.values.policy_type === "TargetTrackingScaling").length;
  const alarmCount = alarmResources.reduce((n, r) => n + instanceCount(r.values), 0) + targetTracking;
  const alarmMetrics = alarmResources.reduce((n, r) => n + instanceCount(r.values) * metricsOf(r), 0) + targetTracking;
  if (alarmMetrics) {
    line("Monitoring", `${alarmCount} CloudWatch alarms, ${alarmMetrics} alarm metrics (metric math: each metric; incl. 2 per target-tracking policy)`, alarmMetrics, "alarm metrics", "cloudwatch.alarmMonth");
  }
  const dashboards = ofType("aws_cloudwatch_dashboard").length;
  if (dashboards) line("Monitoring", `${dashboards} CloudWatch dashboard${dashboards > 1 ? "s" : ""} (the account's first 3 are free: not deducted)`, dashboards, "dashboards", "cloudwatch.dashboardMonth");
}

/** Per-item monthly services: secrets, ECR repositories, Route53 hosted zones. */
function priceAccountServices({ assumptions, ofType, line }: Pricing): void {
  // Secrets: explicit ones plus the RDS-managed master password.
  const secrets = ofType("aws_secretsmanager_secret").length + ofType("aws_db_instance").filter((d) => d.values.manage_master_user_password).length;
  if (secrets) line("Secrets", `${secrets} Secrets Manager secrets (incl. RDS-managed master password)`, secrets, "secrets", "secretsmanager.secretMonth");

  const repositories = ofType("aws_ecr_repository").length;
  if (repositories) line("Registry", `${repositories} ECR repositories x ${assumptions.imageGiBPerRepository} GB (assumption)`, repositories * assumptions.imageGiBPerRepository, "GB-months", "ecr.gbMonth");

  // Route53: zones the stack writes records into (created here or not); queries to alias records of AWS resources are free.
  const zones = new Set([...ofType("aws_route53_zone").map((z) => z.address), ...ofType("aws_route53_record").map((r) => String(r.values.zone_id))]);
  if (zones.size) line("DNS", `${zones.size} hosted zone${zones.size > 1 ? "s" : ""} (alias queries to the ALB are free)`, zones.size, "zones", "route53.zoneMonth");
}

/** S3 buckets: storage and requests from the assumptions. */
function priceBuckets({ assumptions, ofType, line }: Pricing): void {
  for (const bucket of ofType("aws_s3_bucket")) {
    const name = String(bucket.values.bucket ?? bucket.id);
    line("Storage", `${name}: ${assumptions.bucketGiB} GB (assumption)`, assumptions.bucketGiB, "GB-months", "s3.standard.gbMonth");
    line("Storage", `${name}: PUT requests (assumption)`, assumptions.bucketPutRequestsPerMonth / 1000, "1,000 requests", "s3.put.per1000");
    line("Storage", `${name}: GET requests (assumption)`, assumptions.bucketGetRequestsPerMonth / 1000, "1,000 requests", "s3.get.per1000");
  }
}

/** "8.0.39" -> "8.0". */
function majorVersion(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/**
 * How ECS places `count` tasks over a capacity provider strategy: each provider's `base` first (in
 * order), the rest by `weight` (rounded, the remainder to the first provider with weight).
 */
export function splitTasks(count: number, strategy: readonly Block[]): [string, number][] {
  const result = new Map<string, number>(strategy.map((s) => [String(s.capacity_provider), 0]));
  let left = count;
  for (const s of strategy) {
    const base = Math.min(Number(s.base ?? 0), left);
    result.set(String(s.capacity_provider), base);
    left -= base;
  }
  const totalWeight = strategy.reduce((n, s) => n + Number(s.weight ?? 0), 0);
  if (left > 0 && totalWeight > 0) {
    let assigned = 0;
    for (const s of strategy) {
      const share = Math.floor((left * Number(s.weight ?? 0)) / totalWeight);
      result.set(String(s.capacity_provider), result.get(String(s.capacity_provider))! + share);
      assigned += share;
    }
    const first = strategy.find((s) => Number(s.weight ?? 0) > 0)!;
    result.set(String(first.capacity_provider), result.get(String(first.capacity_provider))! + left - assigned);
  }
  return [...result.entries()];
}
