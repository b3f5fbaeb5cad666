import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Construct } from "constructs";
import { scheduleExpressionProblem, timeZoneProblem } from "./schedule-expression";
import { PropsError } from "../core/errors";
import type { Naming } from "../core/naming";
import { partitionOf } from "../core/partition";
import { queueNotEmptyAlarm, tlsOnlyQueuePolicy } from "../data/queue";
import type { Network } from "../network/network";
import type { Cluster } from "./cluster";

/** One command on a schedule. */
export interface ScheduledJob {
  /** Config key; part of the schedule's name (`<project>-<env>-job-<key>`). */
  readonly key: string;
  readonly command: readonly string[];
  /** `rate(...)`, `cron(...)` or `at(...)`. */
  readonly schedule: string;
  /** IANA time zone of cron and at expressions. */
  readonly timeZone: string;
  /** @default true */
  readonly enabled?: boolean;
  /** Retries when Scheduler cannot start the task. @default 3 attempts within 600 s */
  readonly retry?: { readonly maximumAttempts: number; readonly maximumEventAgeSeconds: number };
}

export interface ScheduledJobsProps {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  readonly cluster: Cluster;
  /** The cluster's name, from config (the IAM condition must be known at plan time). */
  readonly clusterName: string;
  readonly network: Network;
  /** The task definition every job runs (the backend's), with the job's command as an override. */
  readonly taskDefinition: EcsTaskDefinition;
  /** Its family and container, from config. */
  readonly taskFamily: string;
  readonly containerName: string;
  /** Names of the task's two roles (Scheduler passes them to ECS). */
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  /** The security group the job's tasks run in (the backend's: same database access). */
  readonly securityGroup: SecurityGroup;
  /** Run the jobs on Fargate Spot. @default false */
  readonly fargateSpot?: boolean;
  readonly jobs: readonly ScheduledJob[];
  /** SNS topic the failed-run alarm notifies. */
  readonly alarmTopicArn: string;
  /** Permissions boundary of the Scheduler role. @default none */
  readonly permissionsBoundaryArn?: string;
}

/** The ECS `startedBy`-like group of a job's tasks, visible in the console and on ECS events. */
export function jobTaskGroup(key: string): string {
  return `scheduled:${key}`;
}

/**
 * Scheduled jobs (AWS Copilot's Scheduled Job, CDK's ScheduledFargateTask) on EventBridge
 * Scheduler: one schedule per job running a fresh task of the backend's task definition with
 * the job's command, in the backend's network; a Scheduler role that can run exactly that
 * family on this cluster and pass exactly its two roles to ECS; one encrypted, TLS-only
 * dead-letter queue for invocations Scheduler gave up on, and an alarm on it.
 *
 * What "a run fails" means here: Scheduler retries and dead-letters when it cannot START the
 * task (RunTask refused: capacity, throttling, permissions, a deleted task definition). The
 * dead-letter queue's depth is the per-environment signal of exactly that; Scheduler's own
 * metrics (TargetErrorCount, InvocationDroppedCount) exist only per account and schedule group.
 * A job that starts and exits non-zero is the app's failure and shows in its logs.
 */
export class ScheduledJobs extends Construct {
  readonly role: IamRole;
  readonly deadLetterQueue: SqsQueue;
  readonly schedules: Record<string, SchedulerSchedule> = {};
  readonly failedAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    validate(id, props);
    const { naming, region, accountId } = props;
    const partition = partitionOf(region);
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
    const roleArn = (name: string) => `arn:${partition}:iam::${accountId}:role/${name}`;
    const scheduleName = (key: string) => naming.name("monitoring", `job-${key}`);

    const dlqName = naming.name("monitoring", "scheduler-dlq");
    const dlqArn = arn("sqs", dlqName);
    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", { name: dlqName, messageRetentionSeconds: 14 * 86_400, sqsManagedSseEnabled: true });
    tlsOnlyQueuePolicy(this, "dead-letter-queue-policy", this.deadLetterQueue, dlqArn);

    const trust = new DataAwsIamPolicyDocument(this, "role-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
          // Only this environment's schedules may assume it (confused-deputy protection).
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [arn("scheduler", `schedule/default/${naming.prefix}-job-*`)] },
          ],
        },
      ],
    });
    const permissions = new DataAwsIamPolicyDocument(this, "role-permissions", {
      statement: [
        {
          sid: "RunTheTaskDefinition",
          actions: ["ecs:RunTask"],
          resources: [arn("ecs", `task-definition/${props.taskFamily}:*`)],
          condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: [arn("ecs", `cluster/${props.clusterName}`)] }],
        },
        {
          // RunTask with managed or propagated tags tags the new task.
          sid: "TagTheTasks",
          actions: ["ecs:TagResource"],
          resources: [arn("ecs", `task/${props.clusterName}/*`)],
          condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RunTask"] }],
        },
        {
          sid: "PassTheTaskRoles",
          actions: ["iam:PassRole"],
          resources: [roleArn(props.executionRoleName), roleArn(props.taskRoleName)],
          condition: [{ test: "StringLike", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
        },
        { sid: "DeadLetters", actions: ["sqs:SendMessage"], resources: [dlqArn] },
      ],
    });
    this.role = new IamRole(this, "role", { name: naming.name("iamRole", "scheduler"), assumeRolePolicy: trust.json, permissionsBoundary: props.permissionsBoundaryArn });
    new IamRolePolicy(this, "role-policy", { name: "permissions", role: this.role.id, policy: permissions.json });

    for (const job of props.jobs) {
      this.schedules[job.key] = new SchedulerSchedule(this, `job-${job.key}`, {
        name: scheduleName(job.key),
        groupName: "default",
        description: `${job.command.join(" ")} (${props.taskFamily})`,
        scheduleExpression: job.schedule,
        scheduleExpressionTimezone: job.timeZone,
        state: job.enabled === false ? "DISABLED" : "ENABLED",
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: props.cluster.cluster.arn,
          roleArn: this.role.arn,
          // ECS RunTask's overrides: the same task definition with this job's command.
          input: JSON.stringify({ containerOverrides: [{ name: props.containerName, command: [...job.command] }] }),
          ecsParameters: {
            taskDefinitionArn: props.taskDefinition.arn,
            taskCount: 1,
            capacityProviderStrategy: [{ capacityProvider: props.fargateSpot ? "FARGATE_SPOT" : "FARGATE", weight: 1 }],
            platformVersion: "LATEST",
            group: jobTaskGroup(job.key),
            enableEcsManagedTags: true,
            propagateTags: "TASK_DEFINITION",
            networkConfiguration: {
              subnets: props.network.privateSubnets.map((s) => s.id),
              securityGroups: [props.securityGroup.id],
              assignPublicIp: false,
            },
          },
          retryPolicy: {
            maximumRetryAttempts: job.retry?.maximumAttempts ?? 3,
            maximumEventAgeInSeconds: job.retry?.maximumEventAgeSeconds ?? 600,
          },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
        dependsOn: [props.cluster.capacityProviders],
      });
    }

    this.failedAlarm = queueNotEmptyAlarm(this, "failed-runs", {
      alarmName: naming.name("monitoring", "scheduled-job-not-started"),
      description: `A scheduled job could not be started after its retries (RunTask failed); the message in ${dlqName} names the schedule and the error (docs/operations.md "Scheduled jobs")`,
      queueName: dlqName,
      topicArn: props.alarmTopicArn,
    });
  }
}

function validate(id: string, props: ScheduledJobsProps): void {
  const problems: string[] = [];
  if (!props.jobs.length) problems.push("jobs must list at least one job");
  for (const job of props.jobs) {
    const expression = scheduleExpressionProblem(job.schedule);
    if (expression) problems.push(`job "${job.key}": schedule "${job.schedule}" ${expression}`);
    const zone = timeZoneProblem(job.timeZone);
    if (zone) problems.push(`job "${job.key}": timeZone "${job.timeZone}" ${zone}`);
    if (!job.command.length) problems.push(`job "${job.key}": command must have at least one word`);
  }
  if (problems.length) throw new PropsError(`ScheduledJobs "${id}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
