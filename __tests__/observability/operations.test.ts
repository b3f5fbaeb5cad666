/**
 * Issue 13, operations: database credentials that survive rotation (T15), alarms that page someone,
 * logs that answer questions, a MySQL that is still supported. Synth assertions on both environments.
 */
import { TerraformStack, Testing } from "cdktf";
import { Database } from "../../constructs/data/database";
import { PropsError } from "../../constructs/core/errors";
import { MYSQL_VERSIONS, mysqlMajor, supportWarning } from "../../constructs/data/mysql-versions";
import { Naming } from "../../constructs/core/naming";
import { Network } from "../../constructs/network/network";
import { secretMatchers } from "../../constructs/observability/secret-rotation-redeploy";
import { definitionProblems } from "../../lib/offline-stepfunctions";
import { ConfigError, loadEnvironment, type EnvironmentInput } from "../../config";
import { messageOf, policyDocument, production, resourceList, resources, staging, synthEnvironment, type Synth } from "../helpers";

const envs: [string, EnvironmentInput][] = [
  ["staging", staging],
  ["production", production],
];
const synths = Object.fromEntries(envs.map(([name, input]) => [name, synthEnvironment(input).json])) as Record<string, Synth>;
const fresh = synthEnvironment({ ...staging, database: { ...staging.database, engineVersion: undefined, engineLifecycleSupport: "open-source-rds-extended-support-disabled" } }).json;
const one = <T = Record<string, any>>(json: Synth, type: string): T => {
  const list = resourceList(json, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0] as T;
};
const SCALING_TRIGGERS = ["worker-default-queue-backlog", "worker-default-queue-empty"];
const alarmsOf = (json: Synth) => Object.fromEntries(resourceList(json, "aws_cloudwatch_metric_alarm").map((a: any) => [a.alarm_name, a])) as Record<string, any>;

describe("MySQL versions (item 3)", () => {
  test("new environments get 8.4 with the mysql8.4 parameter group family, in a group named for it", () => {
    const db = one(fresh, "aws_db_instance");
    const group = one(fresh, "aws_db_parameter_group");
    expect(db).toMatchObject({ engine_version: "8.4", engine_lifecycle_support: "open-source-rds-extended-support-disabled", allow_major_version_upgrade: false });
    expect(group).toMatchObject({ family: "mysql8.4", name: "webapp-staging-mysql84", lifecycle: { create_before_destroy: true } });
  });

  test.each(envs)("%s stays pinned to 8.0 (its 8.0 group keeps its name and description), extended support explicit", (name) => {
    const db = one(synths[name], "aws_db_instance");
    expect(db).toMatchObject({ engine_version: "8.0", engine_lifecycle_support: "open-source-rds-extended-support", allow_major_version_upgrade: false });
    expect(one(synths[name], "aws_db_parameter_group")).toMatchObject({
      family: "mysql8.0",
      name: `webapp-${name}-mysql80`,
      description: `MySQL 8.0 settings of webapp-${name}: utf8mb4, TLS required`,
    });
  });

  test("a major upgrade is allowed only when config says so, applied now so the old parameter group can go", () => {
    expect(one(synths.staging, "aws_db_instance")).toMatchObject({ apply_immediately: false });
    const json = synthEnvironment({ ...staging, database: { ...staging.database, engineVersion: "8.4", allowMajorVersionUpgrade: true, applyImmediately: true } }).json;
    expect(one(json, "aws_db_instance")).toMatchObject({ engine_version: "8.4", allow_major_version_upgrade: true, apply_immediately: true });
    expect(one(json, "aws_db_parameter_group")).toMatchObject({ family: "mysql8.4", name: "webapp-staging-mysql84" });
  });

  test("config refuses versions and lifecycle values RDS or this project do not support", () => {
    expect(messageOf(() => loadEnvironment({ ...staging, database: { ...staging.database, engineVersion: "9.1" } }), ConfigError)).toMatch(
      /environment "staging"[\s\S]*database\.engineVersion: got "9\.1"; must be MySQL 8\.4 or 8\.0/,
    );
    expect(messageOf(() => loadEnvironment({ ...staging, database: { ...staging.database, engineLifecycleSupport: "forever" as never } }), ConfigError)).toMatch(
      /database\.engineLifecycleSupport: got "forever"; must be open-source-rds-extended-support or open-source-rds-extended-support-disabled/,
    );
  });

  test("the Database construct refuses an unknown major version with its id", () => {
    const s = new TerraformStack(Testing.app(), "t");
    const naming = new Naming("p", "e", "111111111111");
    const network = new Network(s, "network", { naming, vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], natGateways: 1, flowLogs: { enabled: false, retentionDays: 1 } });
    expect(messageOf(() => new Database(s, "db", { naming, network, instanceClass: "db.t4g.micro", allocatedStorageGiB: 20, engineVersion: "5.7" }), PropsError)).toBe(
      'Database "db": MySQL engine version "5.7" is not one of the known major versions: 8.0, 8.4',
    );
  });

  test("the support table knows each accepted major version, its family and a parseable end date", () => {
    expect(MYSQL_VERSIONS.map((v) => v.major)).toEqual(["8.0", "8.4"]);
    for (const v of MYSQL_VERSIONS) expect(Number.isNaN(Date.parse(v.endOfStandardSupport))).toBe(false);
    expect(mysqlMajor("8.4.3").parameterGroupFamily).toBe("mysql8.4");
  });

  test("the preview warns past the end of standard support, and some months before it, never for a supported version", () => {
    const after = new Date("2026-11-29T12:00:00Z");
    expect(supportWarning("production", "8.0", "open-source-rds-extended-support", after)).toBe(
      'production: MySQL 8.0 is past the end of RDS standard support (2026-07-31); the instance runs in paid RDS Extended Support. Plan the upgrade to 8.4 (README "Operations": upgrading MySQL). Source: Amazon RDS User Guide, Supported MySQL major versions on Amazon RDS.',
    );
    expect(supportWarning("staging", "8.0.39", "open-source-rds-extended-support-disabled", after)).toMatch(/RDS will upgrade the major version by itself/);
    expect(supportWarning("staging", "8.0", "open-source-rds-extended-support", new Date("2026-05-01T00:00:00Z"))).toMatch(/leaves RDS standard support on 2026-07-31 \(91 days\)/);
    expect(supportWarning("staging", "8.0", "open-source-rds-extended-support", new Date("2025-01-01T00:00:00Z"))).toBeUndefined();
    expect(supportWarning("staging", "8.4", "open-source-rds-extended-support", after)).toBeUndefined();
  });
});

describe("slow query log (item 4)", () => {
  test.each(envs)("%s: the parameter group writes the slow query log to a file, with long_query_time from config", (name) => {
    const params = Object.fromEntries((one(synths[name], "aws_db_parameter_group").parameter as { name: string; value: string }[]).map((p) => [p.name, p.value]));
    expect(params).toMatchObject({ slow_query_log: "1", long_query_time: "1", log_output: "FILE", require_secure_transport: "ON" });
  });

  test("long_query_time follows config", () => {
    const json = synthEnvironment({ ...staging, database: { ...staging.database, longQueryTimeSeconds: 0.5 } }).json;
    expect(one(json, "aws_db_parameter_group").parameter).toContainEqual({ name: "long_query_time", value: "0.5" });
  });
});

describe("credentials that survive rotation (item 1, T15)", () => {
  test.each(envs)("%s: RDS rotates the master secret on the schedule in config, without a Lambda", (name) => {
    const rotation = one(synths[name], "aws_secretsmanager_secret_rotation");
    expect(rotation.secret_id).toMatch(/^\$\{aws_db_instance\..*\.master_user_secret\[0\]\.secret_arn\}$/);
    expect(rotation.rotation_rules).toEqual({ automatically_after_days: 30 });
    expect(rotation.rotation_lambda_arn).toBeUndefined();
    expect(resources(synths[name], "aws_lambda_function")).toEqual({});
  });

  test("the rotation schedule is config", () => {
    const json = synthEnvironment({ ...production, database: { ...production.database, masterPasswordRotationDays: 7 } }).json;
    expect(one(json, "aws_secretsmanager_secret_rotation").rotation_rules).toEqual({ automatically_after_days: 7 });
  });

  test.each(envs)("%s: the application user's secret exists, empty: no secret value in code or state", (name) => {
    const names = resourceList(synths[name], "aws_secretsmanager_secret").map((s: any) => s.name);
    expect(names).toContain(`webapp/${name}/database/app-user`);
    expect(resources(synths[name], "aws_secretsmanager_secret_version")).toEqual({});
    expect(synths[name].output?.db_app_user_secret_name.value).toBe(`webapp/${name}/database/app-user`);
  });

  test.each(envs)("%s: no task reads the master secret; the execution role cannot read it", (name) => {
    const tasks = resourceList(synths[name], "aws_ecs_task_definition");
    for (const task of tasks) expect(task.container_definitions).not.toMatch(/master_user_secret/);
    const doc = policyDocument(synths[name], "backend-service_execution-role-permissions");
    expect(JSON.stringify(doc)).not.toMatch(/master_user_secret/);
  });

  test.each(envs)("%s: a secret change starts a state machine that force-deploys the service through the ECS SDK integration", (name) => {
    const json = synths[name];
    const machine = one(json, "aws_sfn_state_machine");
    expect(machine.name).toBe(`webapp-${name}-redeploy-on-secret-change`);
    const definition = JSON.parse(machine.definition);
    expect(definition.States.ForceNewDeployment).toMatchObject({
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
      Parameters: { Cluster: `webapp-${name}-cluster`, "Service.$": "$.service", ForceNewDeployment: true },
    });
    // Only the backend reads secrets (APP_KEY, the app user); the frontend reads none and gets no rule.
    // Staging's queue worker reads the backend's secrets and gets a rule of its own (issue 14).
    const rules = resourceList(json, "aws_cloudwatch_event_rule");
    expect(rules.map((r) => r.name)).toEqual([`webapp-${name}-backend-secret-changed`, ...(name === "staging" ? ["webapp-staging-worker-default-secret-changed"] : [])]);
    if (name === "staging") expect(rules[1].event_pattern).toBe(rules[0].event_pattern);
    const rule = rules[0] as Record<string, any>;
    expect(rule.name).toBe(`webapp-${name}-backend-secret-changed`);
    const pattern = JSON.parse(rule.event_pattern);
    const prefixes = [{ prefix: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/${name}/APP_KEY-` }, { prefix: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/${name}/database/app-user-` }];
    expect(pattern).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS Service Event via CloudTrail", "AWS API Call via CloudTrail"],
      detail: {
        $or: [
          { eventName: ["RotationSucceeded"], additionalEventData: { SecretId: prefixes } },
          { eventName: ["PutSecretValue", "UpdateSecret"], responseElements: { arn: prefixes } },
        ],
      },
    });
    const targets = resourceList(json, "aws_cloudwatch_event_target") as Record<string, any>[];
    expect(targets.map((t) => JSON.parse(t.input))).toEqual([{ service: `webapp-${name}-backend` }, ...(name === "staging" ? [{ service: "webapp-staging-worker-default" }] : [])]);
    for (const target of targets) expect(target.arn).toMatch(/^\$\{aws_sfn_state_machine\..*\.arn\}$/);
  });

  test.each(envs)("%s: both roles reach only this environment's services and state machine", (name) => {
    const json = synths[name];
    const stepPolicy = policyDocument(json, "state-machine-role-permissions");
    expect(stepPolicy.statement).toEqual([
      {
        sid: "RedeployServices",
        actions: ["ecs:UpdateService"],
        resources: [
          `arn:aws:ecs:eu-west-1:111111111111:service/webapp-${name}-cluster/webapp-${name}-backend`,
          `arn:aws:ecs:eu-west-1:111111111111:service/webapp-${name}-cluster/webapp-${name}-frontend`,
          ...(name === "staging" ? ["arn:aws:ecs:eu-west-1:111111111111:service/webapp-staging-cluster/webapp-staging-worker-default"] : []),
        ],
      },
    ]);
    expect(policyDocument(json, "events-role-permissions").statement).toEqual([
      { sid: "StartRedeploy", actions: ["states:StartExecution"], resources: [`arn:aws:states:eu-west-1:111111111111:stateMachine:webapp-${name}-redeploy-on-secret-change`] },
    ]);
    const trusts = ["state-machine-role-trust", "events-role-trust"].map((id) => policyDocument(json, id).statement[0]);
    expect(trusts.map((t) => t.principals[0].identifiers[0])).toEqual(["states.amazonaws.com", "events.amazonaws.com"]);
    for (const t of trusts) expect(t.condition).toEqual([{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] }]);
  });

  test("secret matchers: name-based ARNs become prefixes, full ARNs match exactly, SSM parameters are not watched", () => {
    expect(
      secretMatchers([
        { valueFrom: "x", resourceArn: "arn:aws:secretsmanager:r:1:secret:a/b-??????", kind: "secretsmanager" },
        { valueFrom: "x", resourceArn: "arn:aws:secretsmanager:r:1:secret:rds!db-1-AbCdEf", kind: "secretsmanager" },
        { valueFrom: "x", resourceArn: "arn:aws:ssm:r:1:parameter/p", kind: "ssm" },
      ]),
    ).toEqual([{ prefix: "arn:aws:secretsmanager:r:1:secret:a/b-" }, "arn:aws:secretsmanager:r:1:secret:rds!db-1-AbCdEf"]);
  });
});

describe("alarms and notifications (item 2)", () => {
  const KINDS = ["target-5xx", "unhealthy-hosts", "p95-response", "tasks-below-desired", "cpu", "memory"];
  const expected = (name: string) =>
    [
      "alb-5xx-rate",
      ...["backend", "frontend"].flatMap((svc) => KINDS.map((k) => `${svc}-${k}`)),
      "db-cpu",
      "db-free-storage",
      "db-freeable-memory",
      "db-connections",
      "redeploy-on-secret-change-failed",
      // Staging's queue, scheduled jobs and queue worker (issue 14): two pages, two scaling triggers.
      ...(name === "staging" ? ["jobs-dead-letters", "scheduled-job-not-started", ...SCALING_TRIGGERS] : []),
    ].map((a) => `webapp-${name}-${a}`);
  const isScalingTrigger = (alarmName: string) => SCALING_TRIGGERS.some((t) => alarmName.endsWith(`-${t}`));

  test.each(envs)("%s: every alarm exists and notifies the environment's topic when it fires and clears", (name) => {
    const json = synths[name];
    const alarms = alarmsOf(json);
    expect(Object.keys(alarms).sort()).toEqual(expected(name).sort());
    const topic = `\${aws_sns_topic.${Object.keys(resources(json, "aws_sns_topic"))[0]}.arn}`;
    expect(one(json, "aws_sns_topic").name).toBe(`webapp-${name}-alarms`);
    for (const alarm of Object.values(alarms).filter((a) => !isScalingTrigger(a.alarm_name))) {
      expect(alarm.alarm_actions).toEqual([topic]);
      expect(alarm.ok_actions).toEqual([topic]);
    }
    // A queue worker's scaling triggers act on its scaling policies and page nobody.
    for (const alarm of Object.values(alarms).filter((a) => isScalingTrigger(a.alarm_name))) {
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_appautoscaling_policy\.worker-/)]);
    }
  });

  test("production pages its subscribers; staging's topic is quiet", () => {
    expect(resourceList(synths.production, "aws_sns_topic_subscription")).toEqual([expect.objectContaining({ protocol: "email", endpoint: "ops@example.com" })]);
    expect(resources(synths.staging, "aws_sns_topic_subscription")).toEqual({});
  });

  test("a Lambda subscriber (e.g. a chat forwarder) gets a subscription and the permission for SNS to invoke it", () => {
    const lambdaArn = "arn:aws:lambda:eu-west-1:111111111111:function:chat-forwarder";
    const json = synthEnvironment({ ...staging, monitoring: { subscribers: [{ lambdaArn }] } }).json;
    expect(one(json, "aws_sns_topic_subscription")).toMatchObject({ protocol: "lambda", endpoint: lambdaArn });
    expect(one(json, "aws_lambda_permission")).toMatchObject({ function_name: lambdaArn, principal: "sns.amazonaws.com", action: "lambda:InvokeFunction" });
  });

  test("bad subscribers and thresholds are config errors naming the setting", () => {
    expect(messageOf(() => loadEnvironment({ ...production, monitoring: { subscribers: [{ email: "not-an-address" }] } }), ConfigError)).toMatch(
      /environment "production"[\s\S]*monitoring\.subscribers\.0/,
    );
    expect(messageOf(() => loadEnvironment({ ...production, monitoring: { thresholds: { serviceCpuPercent: 150 } } }), ConfigError)).toMatch(
      /monitoring\.thresholds\.serviceCpuPercent: got 150; must be at most 100/,
    );
  });

  test.each(envs)("%s: thresholds come from config with per-environment defaults", (name) => {
    const alarms = alarmsOf(synths[name]);
    expect(alarms[`webapp-${name}-backend-p95-response`]).toMatchObject({ extended_statistic: "p95", threshold: name === "staging" ? 3 : 2, metric_name: "TargetResponseTime" });
    expect(alarms[`webapp-${name}-db-connections`].threshold).toBe(name === "staging" ? 60 : 250);
    expect(alarms[`webapp-${name}-db-free-storage`]).toMatchObject({ threshold: 5 * 1024 ** 3, comparison_operator: "LessThanThreshold", dimensions: { DBInstanceIdentifier: `webapp-${name}-mysql` } });
    expect(alarms[`webapp-${name}-backend-cpu`]).toMatchObject({ namespace: "AWS/ECS", threshold: 85, dimensions: { ClusterName: `webapp-${name}-cluster`, ServiceName: `webapp-${name}-backend` } });
    const rate = alarms[`webapp-${name}-alb-5xx-rate`];
    expect(rate.threshold).toBe(5);
    expect(rate.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(["HTTPCode_ELB_5XX_Count", "RequestCount", "100 * FILL(errors, 0) / FILL(requests, 1)"]);
  });

  test("running tasks below desired: Container Insights' task counts in production, healthy targets below the minimum in staging", () => {
    const prod = alarmsOf(synths.production)["webapp-production-backend-tasks-below-desired"];
    expect(prod.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(["RunningTaskCount", "DesiredTaskCount", "desired - running"]);
    const stag = alarmsOf(synths.staging)["webapp-staging-backend-tasks-below-desired"];
    expect(stag).toMatchObject({ metric_name: "HealthyHostCount", comparison_operator: "LessThanThreshold", threshold: 1, treat_missing_data: "breaching" });
  });

  test.each(envs)("%s: each service rolls a deployment back when its 5xx or unhealthy-host alarm fires", (name) => {
    const json = synths[name];
    const alarmIds = Object.fromEntries(Object.entries(resources(json, "aws_cloudwatch_metric_alarm")).map(([id, a]) => [a.alarm_name as string, id]));
    for (const svc of ["backend", "frontend"]) {
      const service = resourceList(json, "aws_ecs_service").find((s: any) => s.name === `webapp-${name}-${svc}`) as any;
      expect(service.alarms).toEqual({
        enable: true,
        rollback: true,
        alarm_names: [`webapp-${name}-${svc}-target-5xx`, `webapp-${name}-${svc}-unhealthy-hosts`].map((n) => `\${aws_cloudwatch_metric_alarm.${alarmIds[n]}.alarm_name}`),
      });
      expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    }
  });
});

describe("logs that answer questions (item 5)", () => {
  test.each(envs)("%s: saved Logs Insights queries for errors per service, slowest requests, migrations and slow queries", (name) => {
    const queries = Object.fromEntries(resourceList(synths[name], "aws_cloudwatch_query_definition").map((q: any) => [q.name, q]));
    expect(Object.keys(queries).sort()).toEqual(
      ["Errors per service", "Migration output", "Slowest database queries", "Slowest requests"].map((t) => `webapp-${name}/${t}`),
    );
    const services = [`/webapp/${name}/ecs/backend`, `/webapp/${name}/ecs/frontend`];
    expect(queries[`webapp-${name}/Errors per service`]).toMatchObject({ log_group_names: services, query_string: expect.stringContaining("stats count(*) as errors by @log") });
    expect(queries[`webapp-${name}/Migration output`]).toMatchObject({ log_group_names: [`/webapp/${name}/ecs/backend`], query_string: expect.stringContaining("filter @logStream like /^migrate\\//") });
    expect(queries[`webapp-${name}/Slowest database queries`].log_group_names).toEqual([`/aws/rds/instance/webapp-${name}-mysql/slowquery`]);
    expect(queries[`webapp-${name}/Slowest requests`].query_string).toContain("sort ms desc");
  });

  test.each(envs)("%s: one dashboard with the alarms, the load balancer, both services and the database", (name) => {
    const dashboard = one(synths[name], "aws_cloudwatch_dashboard");
    expect(dashboard.dashboard_name).toBe(`webapp-${name}-operations`);
    const body = JSON.parse(dashboard.dashboard_body);
    const titles = body.widgets.map((w: any) => w.properties.title);
    expect(titles).toEqual([
      "Alarms",
      "Load balancer: requests and 5xx",
      "Response time p95 (s)",
      "Healthy / unhealthy targets",
      "Services: CPU %",
      "Services: memory %",
      "Database: CPU % and connections",
      "Database: free storage and freeable memory (bytes)",
    ]);
    // Every alarm that pages is on the dashboard (a queue worker's scaling triggers are not pages).
    expect(body.widgets[0].properties.alarms).toHaveLength(Object.keys(alarmsOf(synths[name])).filter((a) => !/-queue-(backlog|empty)$/.test(a)).length);
    const namespaces = new Set(body.widgets.flatMap((w: any) => (w.properties.metrics ?? []).map((m: any[]) => m[0])));
    expect([...namespaces].sort()).toEqual(["AWS/ApplicationELB", "AWS/ECS", "AWS/RDS"]);
    expect(JSON.stringify(body)).toContain(`webapp-${name}-frontend`);
    expect(synths[name].output?.dashboard_url.value).toContain(`dashboards/dashboard/webapp-${name}-operations`);
  });
});

describe("offline Step Functions validation (the plan-time check the AWS provider makes)", () => {

  test("the shipped definition passes", () => {
    expect(definitionProblems(one(synths.production, "aws_sfn_state_machine").definition)).toEqual([]);
  });

  test("broken definitions are reported, so an offline plan fails as AWS's validation would", () => {
    expect(definitionProblems("{")).toEqual([expect.stringMatching(/^definition is not JSON/)]);
    expect(
      definitionProblems(JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", Resource: "lambda", Next: "Gone" }, B: { Type: "Pass" } } })),
    ).toEqual([
      'state A: Next "Gone" is not a state',
      'state A: Task Resource "lambda" is not an integration or function ARN',
      "state B has neither Next nor End",
      "state B is unreachable",
    ]);
    expect(definitionProblems(JSON.stringify({ StartAt: "X", States: {} }))).toEqual(["States is empty", 'StartAt "X" is not a state']);
  });
});
