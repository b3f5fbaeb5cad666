/**
 * Guardrail rules: for every rule a compliant case, a non-compliant case with its message, and a
 * waived case; then the engine on the real stacks (shipped configs pass with their waivers).
 */
import { RULE_IDS } from "../../constructs/rules/ids";
import { RULES, evaluate, indexResources, type ResourceView, type Rule } from "../../constructs/rules";
import { isGuardrailFailure } from "../../constructs/rules/engine";
import type { EnvironmentInput } from "../../config";
import { buildStacks, englishDocs, fullSynth, production, staging } from "../helpers";

let n = 0;
/** A synthesized resource for a rule to look at. */
function view(type: string, config: Record<string, any>, options: { id?: string; mode?: "resource" | "data"; path?: string } = {}): ResourceView {
  const logicalId = options.id ?? `r${n++}`;
  return { mode: options.mode ?? "resource", type, logicalId, path: options.path ?? `thing/${logicalId}`, config };
}
const ref = (target: ResourceView, attribute = "id") => `\${${target.mode === "data" ? "data." : ""}${target.type}.${target.logicalId}.${attribute}}`;
const containers = (defs: Record<string, unknown>[]) => ({ container_definitions: JSON.stringify(defs) });
const goodContainer = { name: "app", readonlyRootFilesystem: true, logConfiguration: { logDriver: "awslogs" }, environment: [{ name: "LOG_LEVEL", value: "info" }] };

/** A bucket with everything PrivateBucket gives it (optionally leaving one part out). */
function bucketWith(omit?: string): ResourceView[] {
  const bucket = view("aws_s3_bucket", { bucket: "b", lifecycle: { prevent_destroy: true } }, { id: "bucket" });
  const doc = view(
    "aws_iam_policy_document",
    { statement: [{ effect: "Deny", actions: ["s3:*"], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }] },
    { id: "doc", mode: "data" },
  );
  const parts: Record<string, ResourceView> = {
    policy: view("aws_s3_bucket_policy", { bucket: ref(bucket), policy: ref(doc, "json") }),
    block: view("aws_s3_bucket_public_access_block", { bucket: ref(bucket), block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
    ownership: view("aws_s3_bucket_ownership_controls", { bucket: ref(bucket), rule: { object_ownership: "BucketOwnerEnforced" } }),
    lifecycle: view("aws_s3_bucket_lifecycle_configuration", { bucket: ref(bucket), rule: [] }),
    logging: view("aws_s3_bucket_logging", { bucket: ref(bucket), target_bucket: "logs" }),
  };
  return [bucket, doc, ...Object.entries(parts).filter(([k]) => k !== omit).map(([, v]) => v)];
}

const vpc = view("aws_vpc", { cidr_block: "10.0.0.0/16" }, { id: "vpc" });
const lbSg = view("aws_security_group", { name: "alb", description: "load balancer" }, { id: "albsg" });
const appSg = view("aws_security_group", { name: "app", description: "app" }, { id: "appsg" });
const lb = view("aws_lb", { security_groups: [ref(lbSg)] }, { id: "lb" });
const service = (config: Record<string, any>) => view("aws_ecs_service", { desired_count: 2, deployment_circuit_breaker: { enable: true, rollback: true }, ...config }, { id: "svc" });
const db = (config: Record<string, any>) =>
  view("aws_db_instance", {
    publicly_accessible: false,
    storage_encrypted: true,
    multi_az: true,
    deletion_protection: true,
    enabled_cloudwatch_logs_exports: ["error", "slowquery"],
    backup_retention_period: 7,
    copy_tags_to_snapshot: true,
    skip_final_snapshot: false,
    final_snapshot_identifier: "db-final",
    lifecycle: { prevent_destroy: true },
    ...config,
  });
const ingress = (config: Record<string, any>, group = appSg) => view("aws_vpc_security_group_ingress_rule", { security_group_id: ref(group), ip_protocol: "tcp", description: "x", ...config });

/** [rule id, compliant resources, non-compliant resources, message]; the first resource of each list is the one checked. */
const CASES: [string, ResourceView[], ResourceView[], RegExp][] = [
  ["ECS.2", [service({ network_configuration: { assign_public_ip: false } })], [service({ network_configuration: { assign_public_ip: true } })], /assign_public_ip is true/],
  ["ECS.4", [view("aws_ecs_task_definition", containers([goodContainer]))], [view("aws_ecs_task_definition", containers([{ ...goodContainer, privileged: true }]))], /container\(s\) app run privileged/],
  ["ECS.5", [view("aws_ecs_task_definition", containers([goodContainer]))], [view("aws_ecs_task_definition", containers([{ ...goodContainer, readonlyRootFilesystem: false }]))], /app can write to their root filesystem/],
  ["ECS.8", [view("aws_ecs_task_definition", containers([goodContainer]))], [view("aws_ecs_task_definition", containers([{ ...goodContainer, environment: [{ name: "DB_PASSWORD", value: "x" }] }]))], /DB_PASSWORD look like secrets/],
  ["ECS.9", [view("aws_ecs_task_definition", containers([goodContainer]))], [view("aws_ecs_task_definition", containers([{ name: "app" }]))], /app have no log configuration/],
  ["ECS.12", [view("aws_ecs_cluster", { setting: [{ name: "containerInsights", value: "enabled" }] })], [view("aws_ecs_cluster", { setting: [{ name: "containerInsights", value: "disabled" }] })], /containerInsights is not enabled/],
  [
    "SQS.1",
    [view("aws_sqs_queue", { sqs_managed_sse_enabled: true }), view("aws_sqs_queue", { kms_master_key_id: "arn:aws:kms:eu-west-1:111111111111:key/k" })],
    [view("aws_sqs_queue", { sqs_managed_sse_enabled: false })],
    /neither sqs_managed_sse_enabled nor kms_master_key_id/,
  ],
  ["ECR.1", [view("aws_ecr_repository", { image_scanning_configuration: { scan_on_push: true } })], [view("aws_ecr_repository", {})], /scan_on_push is not true/],
  ["ECR.2", [view("aws_ecr_repository", { image_tag_mutability: "IMMUTABLE" })], [view("aws_ecr_repository", {})], /image_tag_mutability is MUTABLE \(the default\)/],
  (() => {
    const repo = view("aws_ecr_repository", {}, { id: "repo" });
    return ["ECR.3", [repo, view("aws_ecr_lifecycle_policy", { repository: ref(repo, "name") })], [view("aws_ecr_repository", {})], /no lifecycle policy/] as [string, ResourceView[], ResourceView[], RegExp];
  })(),
  ["ELB.1", [view("aws_lb_listener", { protocol: "HTTP", default_action: [{ type: "redirect", redirect: { protocol: "HTTPS" } }] })], [view("aws_lb_listener", { protocol: "HTTP", default_action: [{ type: "forward" }] })], /does not redirect to HTTPS/],
  ["ELB.4", [view("aws_lb", { drop_invalid_header_fields: true })], [view("aws_lb", {})], /drop_invalid_header_fields is not true/],
  ["ELB.5", [view("aws_lb", { access_logs: { enabled: true } })], [view("aws_lb", {})], /access logs are off/],
  ["ELB.6", [view("aws_lb", { enable_deletion_protection: true })], [view("aws_lb", { enable_deletion_protection: false })], /deletion protection is off/],
  ["ELB.12", [view("aws_lb", { desync_mitigation_mode: "strictest" })], [view("aws_lb", { desync_mitigation_mode: "monitor" })], /desync_mitigation_mode is monitor/],
  ["ELB.17", [view("aws_lb_listener", { protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" })], [view("aws_lb_listener", { protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-2016-08" })], /ssl_policy is ELBSecurityPolicy-2016-08/],
  ["RDS.2", [db({})], [db({ publicly_accessible: true })], /publicly_accessible is true/],
  ["RDS.3", [db({})], [db({ storage_encrypted: false })], /storage_encrypted is not true/],
  ["RDS.5", [db({})], [db({ multi_az: false })], /multi_az is not true/],
  ["RDS.8", [db({})], [db({ deletion_protection: false })], /deletion_protection is not true/],
  ["RDS.9", [db({})], [db({ enabled_cloudwatch_logs_exports: ["error"] })], /slowquery not exported/],
  ["RDS.11", [db({})], [db({ backup_retention_period: 1 })], /backup_retention_period is 1/],
  ["RDS.13", [db({})], [db({ auto_minor_version_upgrade: false })], /auto_minor_version_upgrade is false/],
  ["RDS.17", [db({})], [db({ copy_tags_to_snapshot: false })], /copy_tags_to_snapshot is not true/],
  ["S3.5", bucketWith(), bucketWith("policy"), /no bucket policy denies requests without TLS/],
  ["S3.8", bucketWith(), bucketWith("block"), /public access is not fully blocked/],
  ["S3.9", bucketWith(), bucketWith("logging"), /server access logging is off/],
  ["S3.12", bucketWith(), bucketWith("ownership"), /object ownership is not BucketOwnerEnforced/],
  ["S3.13", bucketWith(), bucketWith("lifecycle"), /no lifecycle configuration/],
  ["EC2.2", [vpc, view("aws_default_security_group", { vpc_id: ref(vpc), ingress: [], egress: [] })], [vpc], /the default security group is not adopted/],
  ["EC2.6", [vpc, view("aws_flow_log", { vpc_id: ref(vpc) })], [vpc], /no flow log/],
  ["EC2.15", [view("aws_subnet", { map_public_ip_on_launch: false })], [view("aws_subnet", { map_public_ip_on_launch: true })], /map_public_ip_on_launch is true/],
  ["EC2.19", [ingress({ cidr_ipv4: "10.0.0.0/8", from_port: 22, to_port: 22 })], [ingress({ cidr_ipv4: "0.0.0.0/0", from_port: 3300, to_port: 3400 })], /port\(s\) 3306, 3389 are open to the internet/],
  ["SG.1", [appSg], [view("aws_security_group", { name: "x", description: "Managed by Terraform" })], /no description/],
  ["SG.2", [ingress({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 }, lbSg), lbSg, lb], [ingress({ cidr_ipv4: "0.0.0.0/0", from_port: 8000, to_port: 8000 }), appSg, lbSg, lb], /a security group not used by the load balancer is open to the internet/],
  [
    "IAM.1",
    [view("aws_iam_policy_document", { statement: [{ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }, { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] }, { mode: "data" })],
    [view("aws_iam_policy_document", { statement: [{ sid: "Broad", actions: ["s3:GetObject"], resources: ["*"] }] }, { mode: "data" })],
    /statement Broad allows s3:GetObject on "\*"/,
  ],
  ["LOG.1", [view("aws_cloudwatch_log_group", { retention_in_days: 30 })], [view("aws_cloudwatch_log_group", {})], /no retention: events are kept forever/],
  ["ENV.1", [db({})], [db({ lifecycle: { prevent_destroy: false } })], /lifecycle\.prevent_destroy is not true/],
  ["ENV.2", [db({})], [db({ skip_final_snapshot: true })], /no final snapshot on deletion/],
  (() => {
    const svc = service({ desired_count: 2 });
    return [
      "ENV.3",
      [svc, view("aws_appautoscaling_target", { resource_id: `service/c/${ref(svc, "name")}`, min_capacity: 2 })],
      [svc, view("aws_appautoscaling_target", { resource_id: `service/c/${ref(svc, "name")}`, min_capacity: 1 })],
      /runs as few as 1 task\(s\)/,
    ] as [string, ResourceView[], ResourceView[], RegExp];
  })(),
  ["ENV.6", [view("aws_secretsmanager_secret", { recovery_window_in_days: 30 })], [view("aws_secretsmanager_secret", { recovery_window_in_days: 0 })], /recovery_window_in_days is 0/],
  ["ENV.4", [service({})], [service({ deployment_circuit_breaker: { enable: true, rollback: false } })], /no circuit breaker with rollback/],
  [
    "ENV.5",
    [view("aws_ecs_task_definition", containers([{ ...goodContainer, environment: [{ name: "APP_DEBUG", value: "false" }, { name: "NODE_ENV", value: "production" }] }]))],
    [view("aws_ecs_task_definition", containers([{ ...goodContainer, environment: [{ name: "APP_DEBUG", value: "true" }, { name: "RAILS_ENV", value: "development" }] }]))],
    /container app sets APP_DEBUG="true", app sets RAILS_ENV="development"/,
  ],
  ...opsCases(),
  ...cacheCases(),
];

/** ElastiCache.1-7 and the cache's ENV.2 (final snapshot): what the cache construct emits, and one setting off. */
function cacheCases(): [string, ResourceView[], ResourceView[], RegExp][] {
  const cache = (config: Record<string, any>) =>
    view("aws_elasticache_replication_group", {
      engine: "valkey",
      engine_version: "8.0",
      snapshot_retention_limit: 7,
      auto_minor_version_upgrade: "true",
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      subnet_group_name: "webapp-production-cache",
      final_snapshot_identifier: "webapp-production-cache-final-x",
      ...config,
    });
  return [
    ["ElastiCache.1", [cache({})], [cache({ snapshot_retention_limit: 0 })], /snapshot_retention_limit is 0/],
    ["ElastiCache.2", [cache({})], [cache({ auto_minor_version_upgrade: "false" })], /auto_minor_version_upgrade is off/],
    ["ElastiCache.3", [cache({})], [cache({ automatic_failover_enabled: false, multi_az_enabled: false })], /automatic_failover_enabled is false, multi_az_enabled is false/],
    ["ElastiCache.4", [cache({})], [cache({ at_rest_encryption_enabled: "false" })], /at_rest_encryption_enabled is not true/],
    ["ElastiCache.5", [cache({})], [cache({ transit_encryption_mode: "preferred" })], /transit_encryption_mode is preferred/],
    ["ElastiCache.6", [cache({ engine: "redis", engine_version: "5.0.6", auth_token: "x" })], [cache({ engine: "redis", engine_version: "5.0.6" })], /Redis OSS 5\.0\.6 without AUTH or RBAC/],
    ["ElastiCache.7", [cache({})], [cache({ subnet_group_name: "default" })], /subnet_group_name is "default"/],
  ];
}

/** OPS.1-3: deployment alarms that exist, alarms that page someone, no master user secret in a task. */
function opsCases(): [string, ResourceView[], ResourceView[], RegExp][] {
  const topic = view("aws_sns_topic", { name: "alarms" }, { id: "topic" });
  const lonelyTopic = view("aws_sns_topic", { name: "quiet" }, { id: "quiet" });
  const subscription = view("aws_sns_topic_subscription", { topic_arn: ref(topic, "arn"), protocol: "email", endpoint: "ops@example.com" });
  const alarm = (target: ResourceView) => view("aws_cloudwatch_metric_alarm", { alarm_name: "a", alarm_actions: [ref(target, "arn")] }, { id: `alarm_${target.logicalId}` });
  const deployAlarm = alarm(topic);
  const balanced = { load_balancer: [{ container_name: "backend", container_port: 8000, target_group_arn: "tg" }] };
  const withAlarms = (alarms: Record<string, unknown> | undefined) => view("aws_ecs_service", { desired_count: 2, alarms, ...balanced }, { id: "svc_ops" });
  const task = (valueFrom: string) => view("aws_ecs_task_definition", containers([{ ...goodContainer, secrets: [{ name: "DB_PASSWORD", valueFrom }] }]));
  return [
    [
      "OPS.1",
      [withAlarms({ alarm_names: [ref(deployAlarm, "alarm_name")], enable: true, rollback: true }), deployAlarm],
      [withAlarms({ alarm_names: [ref(deployAlarm, "alarm_name")], enable: true, rollback: false }), deployAlarm],
      /has no deployment alarms with rollback/,
    ],
    ["OPS.2", [alarm(topic), topic, subscription], [alarm(lonelyTopic), lonelyTopic, topic, subscription], /its SNS topic has no subscriber/],
    [
      "OPS.3",
      [task("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user:password::")],
      [task("${aws_db_instance.database_instance_1.master_user_secret[0].secret_arn}:password::")],
      /DB_PASSWORD read the RDS master user secret/,
    ],
  ];
}

const ruleById = new Map(RULES.map((r) => [r.id, r]));
const run = (rule: Rule, views: ResourceView[]) => rule.check(views[0], indexResources("test", views));

describe("the cache under the data rules", () => {
  test("ENV.2: a cache without a final snapshot fails, with one passes", () => {
    const rule = ruleById.get("ENV.2")!;
    expect(run(rule, [view("aws_elasticache_replication_group", { final_snapshot_identifier: "c-final-x" })])).toEqual({ status: "compliant" });
    expect(run(rule, [view("aws_elasticache_replication_group", {})])).toEqual({ status: "non-compliant", problem: "no final snapshot on deletion" });
  });

  test("ElastiCache.6 does not apply to Valkey or to Redis OSS 6 and newer (AUTH is set out of band there)", () => {
    const rule = ruleById.get("ElastiCache.6")!;
    for (const [engine, version] of [["valkey", "8.0"], ["redis", "7.1"], ["redis", "6.2"]]) {
      expect(run(rule, [view("aws_elasticache_replication_group", { engine, engine_version: version })])).toEqual({ status: "not-applicable" });
    }
  });
});

describe("every rule", () => {
  test("has a case here, and ids are unique", () => {
    expect(CASES.map(([id]) => id).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  test("config validates waiver ids against RULE_IDS, the plain-data list of exactly these ids", () => {
    expect(RULE_IDS).toEqual(RULES.map((r) => r.id));
  });

  describe.each(CASES)("%s", (id, good, bad, message) => {
    const rule = ruleById.get(id)!;

    test("compliant", () => {
      expect(run(rule, good)).toEqual({ status: "compliant" });
    });

    test("non-compliant, saying what is wrong", () => {
      const result = run(rule, bad);
      expect(result.status).toBe("non-compliant");
      expect(result.status === "non-compliant" && result.problem).toMatch(message);
    });

    test("waived with a reason", () => {
      const subject = bad[0];
      const { findings, unusedWaivers } = evaluate(indexResources("test", bad), [rule], [{ rule: id, resource: subject.path, reason: "a reason that is long enough" }]);
      expect(findings.filter((f) => f.path === subject.path)).toEqual([
        expect.objectContaining({ rule: id, status: "waived", reason: "a reason that is long enough" }),
      ]);
      expect(unusedWaivers).toEqual([]);
    });
  });
});

describe("not applicable", () => {
  test("ELB.17 ignores HTTP listeners; ELB.1 ignores HTTPS listeners", () => {
    expect(run(ruleById.get("ELB.17")!, [view("aws_lb_listener", { protocol: "HTTP" })])).toEqual({ status: "not-applicable" });
    expect(run(ruleById.get("ELB.1")!, [view("aws_lb_listener", { protocol: "HTTPS" })])).toEqual({ status: "not-applicable" });
  });

  test("OPS.3 ignores task definitions whose containers are not literal JSON", () => {
    expect(run(ruleById.get("OPS.3")!, [view("aws_ecs_task_definition", { container_definitions: "${jsonencode(local.x)}" })])).toEqual({ status: "not-applicable" });
  });

  test("OPS.1 and OPS.2 name what is missing: unknown alarm names, alarms without a topic", () => {
    const lb = { load_balancer: [{ container_name: "backend", container_port: 8000, target_group_arn: "tg" }] };
    const svc = view("aws_ecs_service", { alarms: { alarm_names: ["elsewhere-5xx"], enable: true, rollback: true }, ...lb });
    expect(run(ruleById.get("OPS.1")!, [svc])).toEqual({ status: "non-compliant", problem: "deployment alarm(s) elsewhere-5xx are not alarms of this stack" });
    expect(run(ruleById.get("OPS.1")!, [view("aws_ecs_service", lb)])).toEqual({ status: "non-compliant", problem: "has no deployment alarms with rollback" });
    // A queue worker has no load balancer, so no request signal to alarm on: not applicable.
    expect(run(ruleById.get("OPS.1")!, [view("aws_ecs_service", {})])).toEqual({ status: "not-applicable" });
    expect(run(ruleById.get("OPS.2")!, [view("aws_cloudwatch_metric_alarm", { alarm_actions: [] })])).toEqual({ status: "non-compliant", problem: "notifies no SNS topic of this stack" });
  });

  test("OPS.2 ignores scaling triggers: alarms whose only actions are scaling policies page nobody by design", () => {
    const policy = view("aws_appautoscaling_policy", { name: "scale-out" }, { id: "scaleout" });
    const trigger = view("aws_cloudwatch_metric_alarm", { alarm_name: "backlog", alarm_actions: [ref(policy, "arn")] });
    expect(run(ruleById.get("OPS.2")!, [trigger, policy])).toEqual({ status: "not-applicable" });
  });

  test("SQS.1 accepts a KMS key instead of SSE-SQS, and a queue that says nothing is non-compliant", () => {
    expect(run(ruleById.get("SQS.1")!, [view("aws_sqs_queue", { kms_master_key_id: "arn:aws:kms:eu-west-1:111111111111:key/k" })])).toEqual({ status: "compliant" });
    expect(run(ruleById.get("SQS.1")!, [view("aws_sqs_queue", {})]).status).toBe("non-compliant");
  });

  test("SG.2 ignores rules that are not open to the internet", () => {
    expect(run(ruleById.get("SG.2")!, [ingress({ referenced_security_group_id: ref(lbSg), from_port: 8000, to_port: 8000 })])).toEqual({ status: "not-applicable" });
  });
});

describe("waivers", () => {
  const rule = ruleById.get("RDS.5")!;
  const bad = [db({ multi_az: false })];

  test("a waiver for another resource does not apply", () => {
    const { findings, unusedWaivers } = evaluate(indexResources("test", bad), [rule], [{ rule: "RDS.5", resource: "elsewhere", reason: "a reason that is long enough" }]);
    expect(findings[0].status).toBe("non-compliant");
    expect(unusedWaivers).toHaveLength(1);
  });

  test("a waiver without a resource applies to the whole environment", () => {
    expect(evaluate(indexResources("test", bad), [rule], [{ rule: "RDS.5", reason: "a reason that is long enough" }]).findings[0].status).toBe("waived");
  });
});

describe("on the real stacks", () => {
  const withoutWaivers = (input: EnvironmentInput): EnvironmentInput => ({ ...input, guardrails: { waivers: [] } });

  test("the shipped staging and production configurations pass every rule with their documented waivers", () => {
    const { environments } = buildStacks();
    for (const stack of environments) expect(() => fullSynth(stack)).not.toThrow();
  });

  test("waived violations are listed in the synthesized output, with their reasons", () => {
    const json = fullSynth(buildStacks([staging]).environments[0]);
    const waivers = (json as any)["//"].guardrail_waivers as { rule: string; resource: string; reason: string }[];
    expect(waivers).toContainEqual({ rule: "RDS.5", resource: "database/instance", reason: expect.stringContaining("single-AZ") });
    const db = Object.values(json.resource!.aws_db_instance)[0] as any;
    expect(db["//"].guardrail_waivers.map((w: { rule: string }) => w.rule).sort()).toEqual(["ENV.1", "ENV.2", "RDS.11", "RDS.5", "RDS.8"]);
  });

  test("production is held to OPS.1-3: without subscribers, or on the master user, synth fails", () => {
    const silent = { ...production, monitoring: { ...production.monitoring, subscribers: [] } };
    expect(() => fullSynth(buildStacks([silent]).environments[0])).toThrow(/\[production\/alarms\/backend-target-5xx\] \[OPS\.2\][^\n]*its SNS topic has no subscriber/);
    const master = { ...production, database: { ...production.database, applicationCredentials: "master" as const } };
    expect(() => fullSynth(buildStacks([master]).environments[0])).toThrow(/\[OPS\.3\][^\n]*DB_PASSWORD read the RDS master user secret/);
  });

  test("production has only the waivers every environment has", () => {
    const json = fullSynth(buildStacks([production]).environments[0]);
    expect([...new Set(((json as any)["//"].guardrail_waivers as { rule: string }[]).map((w) => w.rule))].sort()).toEqual(["ECS.5", "S3.9"]);
  });

  test("without its waivers, staging fails synth with the construct path, the rule, what is wrong and how to fix it", () => {
    const stack = buildStacks([withoutWaivers(staging)]).environments[0];
    let error: unknown;
    try {
      fullSynth(stack);
    } catch (e) {
      error = e;
    }
    expect(isGuardrailFailure(error)).toBe(true);
    expect((error as Error).message).toContain(
      '[staging/database/instance] [RDS.5] databases run Multi-AZ: multi_az is not true. Fix: set database.multiAz: true. Or waive it with a reason in config guardrails.waivers: { rule: "RDS.5", resource: "database/instance"',
    );
  });

  test("production invariants: turning off deletion protection fails synth (ENV/RDS rules)", () => {
    const unprotected = { ...production, database: { ...production.database, deletionProtection: false, preventDestroy: false } };
    expect(() => fullSynth(buildStacks([unprotected]).environments[0])).toThrow(/\[RDS\.8\] databases have deletion protection[\s\S]*\[ENV\.1\]/);
  });

  test("a waiver that matches nothing fails synth", () => {
    const stale = { ...production, guardrails: { waivers: [...production.guardrails!.waivers!, { rule: "RDS.5", reason: "production is single-AZ for now, really" }] } };
    expect(() => fullSynth(buildStacks([stale]).environments[0])).toThrow(/the waiver .*"rule":"RDS\.5".* matches no violation in stack production/);
  });

  test("a waiver needs a known rule and a reason (config)", () => {
    expect(() => buildStacks([{ ...staging, guardrails: { waivers: [{ rule: "RDS.99", reason: "x" }] } }])).toThrow(
      /guardrails\.waivers\.0\.rule: got "RDS\.99"; must be a guardrail rule id[\s\S]*guardrails\.waivers\.0\.reason: got "x"; is not a reason \(1 character after trimming spaces\)/,
    );
  });
});

describe("docs", () => {
  test("the README's Guardrails table has a row for every rule", () => {
    const readme = englishDocs();
    const missing = RULES.filter((r) => !readme.includes(`| ${r.id} | ${r.title} |`)).map((r) => r.id);
    expect(missing).toEqual([]);
  });
});
