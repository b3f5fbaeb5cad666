/**
 * Step 3 (trap T11): run the migration task definition once, with the new image, in the
 * services' network, and wait for its exit code before any service rolls.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { DescribeTaskDefinitionCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import type { DeployContract } from "../../stacks/deploy-contract";
import { awsCall, DeployError } from "./errors";
import { commandLine } from "./process";
import { DETAIL, formatDuration, type Clock, type Log, type PollOptions } from "./progress";
import { startTask, taskIdOf, waitForTaskStop, type TaskNetwork } from "./task-runner";

export { taskIdOf, type TaskNetwork } from "./task-runner";

/** `startedBy` of the migration task, visible in the console and `aws ecs list-tasks --started-by`. */
export const STARTED_BY = "deploy-cli";

/**
 * The private subnets (by their `Name` tags) and the migration security group (by name, in the
 * subnets' VPC), looked up in EC2.
 */
export async function resolveTaskNetwork(ec2: EC2Client, contract: DeployContract): Promise<TaskNetwork> {
  const names = [...contract.privateSubnetNames];
  const found = await awsCall("Looking up the private subnets (EC2 DescribeSubnets)", () =>
    ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "tag:Name", Values: names }] })),
  );
  const byName = new Map<string, { id: string; vpc?: string }>();
  for (const subnet of found.Subnets ?? []) {
    const name = subnet.Tags?.find((t) => t.Key === "Name")?.Value;
    if (name && subnet.SubnetId) byName.set(name, { id: subnet.SubnetId, vpc: subnet.VpcId });
  }
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) {
    throw new DeployError(
      `Private subnet${missing.length > 1 ? "s" : ""} ${missing.map((n) => `"${n}"`).join(", ")} not found in ${contract.region} (EC2, tag Name). ` +
        `Has the network of "${contract.environment}" been applied to account ${contract.accountId}?`,
    );
  }
  const subnets = names.map((n) => byName.get(n)!);
  const vpcs = [...new Set(subnets.map((s) => s.vpc).filter((v): v is string => Boolean(v)))];
  const groupName = contract.migration.securityGroupName;
  const groups = await awsCall("Looking up the migration security group (EC2 DescribeSecurityGroups)", () =>
    ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: "group-name", Values: [groupName] }, ...(vpcs.length ? [{ Name: "vpc-id", Values: vpcs }] : [])],
      }),
    ),
  );
  const ids = (groups.SecurityGroups ?? []).map((g) => g.GroupId).filter((id): id is string => Boolean(id));
  if (ids.length !== 1) {
    throw new DeployError(
      ids.length === 0
        ? `Security group "${groupName}" not found in the VPC of the private subnets (${vpcs.join(", ") || "unknown"}); the pre-rollout apply should have created it.`
        : `${ids.length} security groups are named "${groupName}" in ${vpcs.join(", ")}; expected exactly one.`,
    );
  }
  return { subnets: subnets.map((s) => s.id), securityGroups: ids };
}

/** Where the migration's output is: the awslogs stream `<prefix>/<container>/<taskId>`. */
export function migrationLogs(contract: DeployContract, taskId: string): { logGroup: string; logStream: string; tailCommand: string } {
  const { logGroup, logStreamPrefix, containerName } = contract.migration;
  const logStream = `${logStreamPrefix}/${containerName}/${taskId}`;
  return {
    logGroup,
    logStream,
    tailCommand: commandLine("aws", ["logs", "tail", logGroup, "--log-stream-names", logStream, "--region", contract.region, "--since", "1d"]),
  };
}

export interface MigrationDeps {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly log: Log;
  readonly clock: Clock;
}

export interface MigrationResult {
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  readonly exitCode: number;
}

/**
 * Runs the migration task definition on FARGATE in the private subnets
 * (no public IP) and waits until it is STOPPED. Succeeds only when the migration container exited 0.
 * A task still running at the timeout is left running (a migration cut off halfway is worse than
 * a slow one) and the deploy fails with how to follow and stop it.
 */
export async function runMigration(contract: DeployContract, poll: PollOptions, deps: MigrationDeps, taskDefinition?: string): Promise<MigrationResult> {
  const { ecs, log, clock } = deps;
  // The exact revision Terraform just applied (its output), never "the latest ACTIVE revision of
  // the family": a hand-registered revision or a concurrent deploy would run another image.
  const family = taskDefinition ?? contract.migration.taskFamily;
  const cluster = contract.clusterName;

  const described = await awsCall(`Looking up task definition "${family}" (ECS DescribeTaskDefinition)`, () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })),
  );
  const taskDefinitionArn = described.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new DeployError(`Task definition family "${family}" has no ACTIVE revision; the pre-rollout apply should have registered one.`);
  const definition = described.taskDefinition?.containerDefinitions?.find((c) => c.name === contract.migration.containerName);
  const image = definition?.image;
  const secrets = (definition?.secrets ?? []).map((secret) => secret.valueFrom).filter((v): v is string => Boolean(v));
  log(`${DETAIL}task definition ${taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf("/") + 1)}${image ? `, image ${image}` : ""}`);

  const network = await resolveTaskNetwork(deps.ec2, contract);
  const taskArn = await startTask(ecs, {
    cluster,
    taskDefinition: taskDefinitionArn,
    network,
    startedBy: STARTED_BY,
    what: "the migration task",
    notStartedNote: "The services were not updated.",
  });
  const taskId = taskIdOf(taskArn);
  const logs = migrationLogs(contract, taskId);
  log(`${DETAIL}task ${taskId} started; logs: ${logs.logGroup} ${logs.logStream}`);

  // A task still running at the timeout is left running (a migration cut off halfway is worse than a slow one).
  const task = await waitForTaskStop(
    ecs,
    {
      cluster,
      taskArn,
      poll,
      label: "migration task",
      timeoutError: (status) =>
        new DeployError(
          `The migration task ${taskId} is still ${status} after ${formatDuration(poll.timeoutMs)}; it was left running and the services were not updated.\n` +
            `  follow it: ${logs.tailCommand} --follow\n` +
            `  stop it:   ${commandLine("aws", ["ecs", "stop-task", "--cluster", cluster, "--task", taskId, "--region", contract.region])}`,
        ),
    },
    { log, clock },
  );
  return { taskArn, taskDefinitionArn, exitCode: checkMigrationExit(contract, task, taskId, secrets) };
}

/**
 * The exit code of a STOPPED migration task's container; a DeployError unless it is 0.
 * @param secrets the `valueFrom` of the secrets the container reads, named when the task could not fetch one
 */
export function checkMigrationExit(contract: DeployContract, task: Task, taskId: string, secrets: readonly string[] = []): number {
  const container = task.containers?.find((c) => c.name === contract.migration.containerName) ?? task.containers?.[0];
  const exitCode = container?.exitCode;
  if (exitCode === 0) return 0;
  const logs = migrationLogs(contract, taskId);
  const lines = [
    exitCode === undefined
      ? `The migration task ${taskId} stopped without an exit code: the container "${container?.name ?? contract.migration.containerName}" never ran to completion.`
      : `The migration failed: container "${container?.name}" of task ${taskId} exited with code ${exitCode}.`,
    `  stopped reason: ${task.stoppedReason ?? "(none given)"}${task.stopCode ? ` [${task.stopCode}]` : ""}`,
    ...(container?.reason ? [`  container reason: ${container.reason}`] : []),
    ...(/secret/i.test(`${task.stoppedReason ?? ""} ${container?.reason ?? ""}`)
      ? [
          `  a secret the task reads may have no value yet (a new environment creates them empty): set each one once with`,
          `        aws secretsmanager put-secret-value --region ${contract.region} --secret-id <name> --secret-string '<value>'`,
          ...(secrets.length ? [`        the task reads: ${secrets.join(", ")}`] : []),
        ]
      : []),
    `  logs: log group ${logs.logGroup}, stream ${logs.logStream}`,
    `        ${logs.tailCommand}`,
    `The services were not updated (cdktf deploy did not run). Fix the migration and deploy again.`,
  ];
  throw new DeployError(lines.join("\n"));
}
