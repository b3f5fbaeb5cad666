/**
 * Issue 14: the queue, workers and scheduled jobs, as synthesized from config. Staging uses all
 * three (config/staging.ts); production uses none, and must synthesize exactly as before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentInput } from "../../config";
import { loadEnvironment } from "../../config/load";
import { ConfigError } from "../../config/load";
import { PRESETS } from "../../constructs/compute/presets";
import { scheduleExpressionProblem, timeZoneProblem } from "../../constructs/compute/schedule-expression";
import { environmentOf, messageOf, policyDocument, production, resourceList, staging, synthEnvironment, taskDefinition, type Synth } from "../helpers";

const s = synthEnvironment(staging).json;
const named = (json: Synth, type: string, name: string) => {
  const found = resourceList(json, type).find((r) => r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};
const ref = (json: Synth, type: string, name: string) => {
  const id = Object.entries(json.resource?.[type] ?? {}).find(([, r]) => r.name === name)![0];
  return `\${${type}.${id}`;
};
const withStaging = (patch: Partial<EnvironmentInput>): EnvironmentInput => ({ ...staging, ...patch });
const problems = (input: EnvironmentInput) => messageOf(() => loadEnvironment(input), ConfigError).split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));

describe("the queue", () => {
  test("SSE-SQS, long polling, a redrive policy to its dead-letter queue after maxReceiveCount receives", () => {
    const queue = named(s, "aws_sqs_queue", "webapp-staging-jobs");
    expect(queue).toMatchObject({ sqs_managed_sse_enabled: true, visibility_timeout_seconds: 300, message_retention_seconds: 4 * 86400, receive_wait_time_seconds: 20 });
    expect(JSON.parse(queue.redrive_policy as string)).toEqual({ deadLetterTargetArn: "arn:aws:sqs:eu-west-1:111111111111:webapp-staging-jobs-dlq", maxReceiveCount: 5 });
    expect(named(s, "aws_sqs_queue", "webapp-staging-jobs-dlq")).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 14 * 86400 });
  });

  test("a KMS key instead: SSE-KMS with data key reuse, and no SSE-SQS", () => {
    const kmsKeyArn = "arn:aws:kms:eu-west-1:111111111111:key/0000-1111";
    const json = synthEnvironment(withStaging({ queue: { encryption: { kmsKeyArn }, maxReceiveCount: 3 } })).json;
    const queue = named(json, "aws_sqs_queue", "webapp-staging-jobs");
    expect(queue).toMatchObject({ kms_master_key_id: kmsKeyArn, kms_data_key_reuse_period_seconds: 300 });
    expect(queue.sqs_managed_sse_enabled).toBeUndefined();
    expect(JSON.parse(queue.redrive_policy as string).maxReceiveCount).toBe(3);
  });

  test("every queue (the jobs queue, both dead-letter queues) denies requests without TLS", () => {
    const queues = resourceList(s, "aws_sqs_queue").map((q) => q.name);
    expect(queues.sort()).toEqual(["webapp-staging-jobs", "webapp-staging-jobs-dlq", "webapp-staging-scheduler-dlq"]);
    const policies = resourceList(s, "aws_sqs_queue_policy");
    expect(policies).toHaveLength(3);
    for (const name of queues) {
      const policy = policies.find((p) => p.queue_url === `${ref(s, "aws_sqs_queue", name as string)}.url}`);
      expect(policy).toBeDefined();
      const docId = String(policy!.policy).match(/aws_iam_policy_document\.([^.]+)\.json/)![1];
      expect((s.data!.aws_iam_policy_document[docId] as { statement: unknown[] }).statement).toEqual([
        expect.objectContaining({ effect: "Deny", actions: ["sqs:*"], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }),
      ]);
    }
  });

  test("the backend's task role (shared by the workers) may use exactly this queue; nothing else gets SQS", () => {
    const statements = policyDocument(s, "backend-service_task-role-permissions").statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        sid: "Queue",
        actions: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        resources: ["arn:aws:sqs:eu-west-1:111111111111:webapp-staging-jobs"],
      }),
    );
    expect(JSON.stringify(policyDocument(s, "frontend-service_task-role-permissions"))).not.toContain("sqs:");
  });

  test("an alarm to the alarm topic as soon as one message is dead-lettered", () => {
    expect(resourceList(s, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "webapp-staging-jobs-dead-letters")).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "webapp-staging-jobs-dlq" },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: [expect.stringMatching(/^\$\{aws_sns_topic\.alarms_/)],
    });
  });

  test("Laravel gets QUEUE_CONNECTION=sqs with prefix and queue name; Rails gets the queue URL", () => {
    const env = environmentOf(taskDefinition(s, "webapp-staging-backend").containers[0]);
    expect(env).toMatchObject({ QUEUE_CONNECTION: "sqs", SQS_PREFIX: "https://sqs.eu-west-1.amazonaws.com/111111111111", SQS_QUEUE: "webapp-staging-jobs", AWS_DEFAULT_REGION: "eu-west-1" });
    const rails = synthEnvironment({ ...staging, workers: {}, scheduledJobs: {}, services: { ...staging.services, backend: { ...staging.services.backend, framework: "rails" } } }).json;
    expect(environmentOf(taskDefinition(rails, "webapp-staging-backend").containers[0])).toMatchObject({
      SQS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111111111111/webapp-staging-jobs",
      SQS_QUEUE_NAME: "webapp-staging-jobs",
      AWS_REGION: "eu-west-1",
    });
    expect(environmentOf(taskDefinition(s, "webapp-staging-frontend").containers[0])).not.toHaveProperty("SQS_QUEUE");
  });
});

describe("workers", () => {
  const worker = named(s, "aws_ecs_service", "webapp-staging-worker-default");
  const { task, containers } = taskDefinition(s, "webapp-staging-worker-default");
  const backend = taskDefinition(s, "webapp-staging-backend");

  test("the backend's image, secrets, environment and task role, the preset's queue:work command, no port", () => {
    expect(containers[0].image).toBe(backend.containers[0].image);
    expect(containers[0].secrets).toEqual(backend.containers[0].secrets);
    expect(environmentOf(containers[0])).toEqual(environmentOf(backend.containers[0]));
    expect(containers[0].command).toEqual([...PRESETS.laravel.workerCommand!]);
    expect(containers[0].portMappings).toEqual([]);
    expect(task.task_role_arn).toBe(backend.task.task_role_arn);
    // Its own execution role: it writes its own log group.
    expect(task.execution_role_arn).not.toBe(backend.task.execution_role_arn);
    expect(containers[0].logConfiguration.options["awslogs-group"]).toBe(`${ref(s, "aws_cloudwatch_log_group", "/webapp/staging/ecs/worker-default")}.name}`);
    expect(policyDocument(s, "worker-default_execution-role-permissions").statement).toContainEqual(
      expect.objectContaining({ sid: "Logs", resources: ["arn:aws:logs:eu-west-1:111111111111:log-group:/webapp/staging/ecs/worker-default:*"] }),
    );
  });

  test("no load balancer, no inbound rule; circuit breaker with rollback, Spot as the backend, private subnets", () => {
    expect(worker.load_balancer).toBeUndefined();
    expect(worker).toMatchObject({
      deployment_circuit_breaker: { enable: true, rollback: true },
      capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }],
      network_configuration: expect.objectContaining({ assign_public_ip: false }),
      enable_execute_command: true,
      lifecycle: { ignore_changes: ["desired_count"] },
    });
    const group = ref(s, "aws_security_group", "webapp-staging-worker-default");
    expect(resourceList(s, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `${group}.id}`)).toEqual([]);
    // It reaches the database like the backend does.
    expect(resourceList(s, "aws_vpc_security_group_ingress_rule")).toContainEqual(expect.objectContaining({ referenced_security_group_id: `${group}.id}`, from_port: 3306 }));
  });

  test("scales on the queue's visible messages (out at 100, in when empty for 5 minutes), between min and max", () => {
    expect(resourceList(s, "aws_appautoscaling_target")).toContainEqual(expect.objectContaining({ min_capacity: 1, max_capacity: 3 }));
    const backlog = resourceList(s, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "webapp-staging-worker-default-queue-backlog")!;
    expect(backlog).toMatchObject({ metric_name: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "webapp-staging-jobs" }, threshold: 100, comparison_operator: "GreaterThanOrEqualToThreshold" });
    const empty = resourceList(s, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "webapp-staging-worker-default-queue-empty")!;
    expect(empty).toMatchObject({ threshold: 0, evaluation_periods: 5, comparison_operator: "LessThanOrEqualToThreshold", treat_missing_data: "breaching" });
    const policies = resourceList(s, "aws_appautoscaling_policy");
    expect(policies.map((p) => p.policy_type)).toEqual(["StepScaling", "StepScaling"]);
  });

  test("a worker that does not consume the queue scales on CPU; one with its own size and command", () => {
    const json = synthEnvironment(
      withStaging({ workers: { reports: { command: ["php", "artisan", "reports:serve"], cpu: 1024, memoryMiB: 2048, consumesQueue: false, fargateSpot: false, autoscaling: { minCount: 1, maxCount: 2, targetCpuPercent: 70 } } } }),
    ).json;
    const { task: reports, containers: c } = taskDefinition(json, "webapp-staging-worker-reports");
    expect(reports).toMatchObject({ cpu: "1024", memory: "2048" });
    expect(c[0].command).toEqual(["php", "artisan", "reports:serve"]);
    expect(named(json, "aws_ecs_service", "webapp-staging-worker-reports")).toMatchObject({ capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }] });
    expect(resourceList(json, "aws_appautoscaling_policy")).toEqual([
      expect.objectContaining({ policy_type: "TargetTrackingScaling", target_tracking_scaling_policy_configuration: expect.objectContaining({ target_value: 70 }) }),
    ]);
  });
});

describe("scheduled jobs", () => {
  const scheduler = named(s, "aws_scheduler_schedule", "webapp-staging-job-scheduler");
  const nightly = named(s, "aws_scheduler_schedule", "webapp-staging-job-nightly-report");
  const target = (schedule: Record<string, unknown>) => schedule.target as Record<string, any>;

  test("Laravel's default: php artisan schedule:run every minute, on the backend's task definition with a command override", () => {
    expect(scheduler).toMatchObject({ schedule_expression: "rate(1 minute)", schedule_expression_timezone: "UTC", state: "ENABLED", flexible_time_window: { mode: "OFF" } });
    expect(JSON.parse(target(scheduler).input)).toEqual({ containerOverrides: [{ name: "backend", command: ["php", "artisan", "schedule:run"] }] });
    expect(target(scheduler).ecs_parameters).toMatchObject({
      task_definition_arn: `\${aws_ecs_task_definition.${Object.entries(s.resource!.aws_ecs_task_definition).find(([, t]) => t.family === "webapp-staging-backend")![0]}.arn}`,
      task_count: 1,
      capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }],
      network_configuration: expect.objectContaining({ assign_public_ip: false, security_groups: [`${ref(s, "aws_security_group", "webapp-staging-backend")}.id}`] }),
    });
  });

  test("a cron job in Asia/Tokyo, with retries and the dead-letter queue", () => {
    expect(nightly).toMatchObject({ schedule_expression: "cron(0 3 * * ? *)", schedule_expression_timezone: "Asia/Tokyo" });
    expect(target(nightly).retry_policy).toEqual({ maximum_retry_attempts: 3, maximum_event_age_in_seconds: 600 });
    expect(target(nightly).dead_letter_config).toEqual({ arn: `${ref(s, "aws_sqs_queue", "webapp-staging-scheduler-dlq")}.arn}` });
  });

  test("the Scheduler role: trusted by this environment's schedules only; RunTask on the backend family on this cluster, PassRole on its two roles to ECS only", () => {
    const trust = policyDocument(s, "scheduled-jobs_role-trust").statement[0];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }]);
    expect(trust.condition).toContainEqual({ test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:scheduler:eu-west-1:111111111111:schedule/default/webapp-staging-job-*"] });
    const statements = policyDocument(s, "scheduled-jobs_role-permissions").statement;
    expect(statements.map((x) => x.sid)).toEqual(["RunTheTaskDefinition", "TagTheTasks", "PassTheTaskRoles", "DeadLetters"]);
    expect(statements[0]).toMatchObject({
      actions: ["ecs:RunTask"],
      resources: ["arn:aws:ecs:eu-west-1:111111111111:task-definition/webapp-staging-backend:*"],
      condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: ["arn:aws:ecs:eu-west-1:111111111111:cluster/webapp-staging-cluster"] }],
    });
    expect(statements[2]).toMatchObject({
      actions: ["iam:PassRole"],
      resources: ["arn:aws:iam::111111111111:role/webapp-staging-backend-execution", "arn:aws:iam::111111111111:role/webapp-staging-backend-task"],
      condition: [{ test: "StringLike", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    });
    expect(statements[3]).toMatchObject({ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:111111111111:webapp-staging-scheduler-dlq"] });
    // The role names the task's roles by the names the base construct gives them.
    expect(resourceList(s, "aws_iam_role").map((r) => r.name)).toEqual(expect.arrayContaining(["webapp-staging-backend-execution", "webapp-staging-backend-task"]));
  });

  test("an alarm to the alarm topic when a run could not be started (a message in the scheduler's dead-letter queue)", () => {
    expect(resourceList(s, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "webapp-staging-scheduled-job-not-started")).toMatchObject({
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "webapp-staging-scheduler-dlq" },
      threshold: 0,
      alarm_actions: [expect.stringMatching(/^\$\{aws_sns_topic\.alarms_/)],
    });
  });
});

describe("configuration errors name the setting, the value and what is allowed", () => {
  test.each<[string, Partial<EnvironmentInput>, string[]]>([
    ["Unix cron (5 fields)", { scheduledJobs: { nightly: { command: ["x"], schedule: "cron(0 3 * * *)" } } }, [
      'scheduledJobs.nightly.schedule: got "cron(0 3 * * *)"; has 5 cron fields; Scheduler\'s cron has 6: minutes hours day-of-month month day-of-week year (Unix cron has 5: add the year, and "?" in day-of-month or day-of-week), such as "rate(1 minute)", "rate(5 minutes)", "cron(0 3 * * ? *)" (03:00 every day) or "at(2026-12-31T23:00:00)"',
    ]],
    ["a wrong time zone", { scheduledJobs: { nightly: { command: ["x"], schedule: "cron(0 3 * * ? *)", timeZone: "Tokyo" } } }, [
      'scheduledJobs.nightly.timeZone: got "Tokyo"; must be an IANA time zone name such as "Asia/Tokyo", "Europe/Berlin" or "UTC"; did you mean "Asia/Tokyo"?',
    ]],
    ["a Rails job without command or schedule", { workers: {}, scheduledJobs: { nightly: {} }, services: { ...staging.services, backend: { ...staging.services.backend, framework: "rails" } } }, [
      "scheduledJobs.nightly.command: got nothing (the setting is missing); is required: the rails preset has no default scheduled job",
      'scheduledJobs.nightly.schedule: got nothing (the setting is missing); is required: the rails preset has no default schedule, e.g. "cron(0 3 * * ? *)"',
    ]],
    ["a Rails worker without a command", { scheduledJobs: {}, workers: { jobs: {} }, services: { ...staging.services, backend: { ...staging.services.backend, framework: "rails" } } }, [
      'workers.jobs.command: got nothing (the setting is missing); is required: the rails preset has no default worker command (e.g. ["bundle", "exec", "sidekiq"] or ["bin/jobs"])',
    ]],
    ["a worker on a queue that does not exist", { queue: undefined, workers: { jobs: { consumesQueue: true } } }, ["workers.jobs.consumesQueue: got true; is true but the environment has no queue; add queue: {} or leave consumesQueue out"]],
    ["a CPU-scaled worker at zero", { queue: undefined, workers: { jobs: { desiredCount: 0, autoscaling: { minCount: 0, maxCount: 2 } } } }, [
      "workers.jobs.autoscaling.minCount: got 0; must be at least 1 when scaling on CPU (only a queue worker can scale to zero and back: the queue depth wakes it)",
    ]],
    ["a worker size Fargate does not offer", { workers: { big: { cpu: 1024, memoryMiB: 1024 } } }, [
      "workers.big.memoryMiB: got 1024; memoryMiB 1024 is not valid with cpu 1024; valid memoryMiB values for cpu 1024: 2048, 3072, 4096, 5120, 6144, 7168, 8192",
    ]],
    ["a worker name with capitals", { workers: { Mail: {} } }, ['workers.Mail: the name "Mail" must be lowercase letters, digits and single hyphens, starting with a letter']],
    ["a dead-letter queue kept shorter than the queue", { queue: { messageRetentionDays: 14, deadLetterRetentionDays: 7 } }, [
      "queue.deadLetterRetentionDays: got 7; must be at least queue.messageRetentionDays (14): SQS keeps a message's first enqueue time, so a shorter dead-letter retention deletes dead letters on arrival",
    ]],
  ])("%s", (_case, patch, expected) => {
    expect(problems(withStaging(patch))).toEqual(expected);
  });

  test("schedule expressions: rate units agree with the number, cron needs one ?, at() is a real time", () => {
    expect(scheduleExpressionProblem("rate(1 minute)")).toBeUndefined();
    expect(scheduleExpressionProblem("rate(5 minutes)")).toBeUndefined();
    expect(scheduleExpressionProblem("rate(1 minutes)")).toBe('must use the singular unit for 1: "rate(1 minute)"');
    expect(scheduleExpressionProblem("rate(5 minute)")).toBe('must use the plural unit for 5: "rate(5 minutes)"');
    expect(scheduleExpressionProblem("rate(0 minutes)")).toBe("a rate must be at least 1");
    expect(scheduleExpressionProblem("cron(0 9 ? * MON-FRI *)")).toBeUndefined();
    expect(scheduleExpressionProblem("cron(0 9 1 * MON *)")).toMatch(/needs "\?" in exactly one of day-of-month \("1"\) and day-of-week \("MON"\)/);
    expect(scheduleExpressionProblem("at(2026-02-30T10:00:00)")).toBe("is not a real date and time");
    expect(scheduleExpressionProblem("every minute")).toMatch(/^must be a Scheduler expression/);
    expect(timeZoneProblem("Asia/Tokyo")).toBeUndefined();
    expect(timeZoneProblem("UTC")).toBeUndefined();
  });
});

describe("existing configurations plan without changes until they use the new settings", () => {
  test("production (no queue, workers or jobs) has none of the new resources, and its recorded addresses are what it synthesizes", () => {
    const p = synthEnvironment(production).json;
    for (const type of ["aws_sqs_queue", "aws_scheduler_schedule"]) expect(resourceList(p, type)).toEqual([]);
    expect(resourceList(p, "aws_ecs_service").map((x) => x.name)).toEqual(["webapp-production-backend", "webapp-production-frontend"]);
  });

  test("staging without the issue-14 settings synthesizes exactly its recorded addresses minus the new ones", () => {
    const fixture = readFileSync(join(__dirname, "..", "fixtures", "addresses", "staging.txt"), "utf8").split("\n").filter(Boolean);
    const NEW = /(^|\.)(queue|scheduled-jobs|worker-[a-z0-9-]+)_|database_(ingress|egress)-worker-|secret-rotation-redeploy_worker-/;
    const { queue: _q, workers: _w, scheduledJobs: _j, ...before } = staging;
    const json = synthEnvironment(before).json;
    const addresses = [
      ...Object.entries(json.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)),
      ...Object.entries(json.data ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `data.${type}.${id}`)),
    ].sort();
    const recorded = fixture.filter((a) => !a.startsWith("#") && !NEW.test(a)).sort();
    expect(fixture.filter((a) => NEW.test(a)).length).toBe(35);
    expect(addresses).toEqual(recorded);
    // The backend's environment and task role change only with the queue.
    expect(environmentOf(taskDefinition(json, "webapp-staging-backend").containers[0])).not.toHaveProperty("QUEUE_CONNECTION");
    expect(JSON.stringify(policyDocument(json, "backend-service_task-role-permissions"))).not.toContain("sqs:");
  });
});
