/**
 * `npm run task -- <env> <service> -- <command...>` (issue 14): run a command in a fresh task of a
 * service, like `copilot task run`. The task is the service's CURRENT task definition (what runs
 * now: image, secrets, roles) in the service's own network configuration (subnets, security
 * groups), with the container's command overridden. Its log stream is printed as it arrives, and
 * the command exits with the container's exit code.
 */
import { GetLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, type ECSClient } from "@aws-sdk/client-ecs";
import type { DeployContract, ServiceContract } from "../../stacks/deploy-contract";
import { awsCall, DeployError, UsageError } from "./errors";
import { commandLine } from "./process";
import { DETAIL, formatDuration, type Clock, type Log, type PollOptions } from "./progress";
import { revisionOf, rolloutServices } from "./rollout";
import { startTask, taskIdOf, waitForTaskStop } from "./task-runner";

/** `startedBy` of one-off tasks (`aws ecs list-tasks --started-by task-cli`). */
export const TASK_STARTED_BY = "task-cli";

/** Default wait: poll every 3 s (logs appear as fast), give up after an hour (the task keeps running). */
export const DEFAULT_TASK_POLL: PollOptions = { intervalMs: 3_000, timeoutMs: 60 * 60_000 };

/** The services a one-off task can borrow, by their command-line name: backend, frontend, worker-<name>. */
export function taskTargets(contract: DeployContract): Record<string, ServiceContract> {
  const result: Record<string, ServiceContract> = {};
  for (const [key, service] of Object.entries(rolloutServices(contract))) result[key.replace(/^worker /, "worker-")] = service;
  return result;
}

export interface TaskOptions {
  readonly contract: DeployContract;
  /** backend, frontend or worker-<name>. */
  readonly service: string;
  readonly command: readonly string[];
  readonly poll: PollOptions;
}

export interface TaskDeps {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  /** Progress (stderr). */
  readonly log: Log;
  /** The task's own output, one log event per call (stdout). */
  readonly output: (line: string) => void;
  readonly clock: Clock;
}

/** Runs the command, prints its logs, and returns the container's exit code (1 when it never ran to completion). */
export async function runTask(options: TaskOptions, deps: TaskDeps): Promise<number> {
  const { contract, command } = options;
  const { ecs, log, clock } = deps;
  const targets = taskTargets(contract);
  const target = targets[options.service];
  if (!target) throw new UsageError(`unknown service "${options.service}" in ${contract.environment}; valid services: ${Object.keys(targets).join(", ")}`);
  if (!command.length) throw new UsageError("missing the command to run, after a second --: npm run task -- <environment> <service> -- <command...>");
  const cluster = contract.clusterName;

  // The service as it runs now: its task definition revision and its network configuration.
  const described = await awsCall(`Looking up service "${target.serviceName}" (ECS DescribeServices)`, () =>
    ecs.send(new DescribeServicesCommand({ cluster, services: [target.serviceName] })),
  );
  const service = described.services?.find((s) => s.serviceName === target.serviceName && s.status === "ACTIVE");
  const vpc = service?.networkConfiguration?.awsvpcConfiguration;
  if (!service?.taskDefinition || !vpc?.subnets?.length) {
    throw new DeployError(`Service "${target.serviceName}" is not ACTIVE in cluster "${cluster}" (${contract.region}); deploy "${contract.environment}" first (npm run deploy -- ${contract.environment}).`);
  }
  log(`Running "${command.join(" ")}" in a new task of ${options.service} (${revisionOf(service.taskDefinition)}) on cluster "${cluster}"`);

  const taskArn = await startTask(ecs, {
    cluster,
    taskDefinition: service.taskDefinition,
    network: { subnets: vpc.subnets, securityGroups: vpc.securityGroups ?? [] },
    startedBy: TASK_STARTED_BY,
    overrides: { containerOverrides: [{ name: target.containerName, command: [...command] }] },
    what: `a task of ${options.service}`,
  });
  const taskId = taskIdOf(taskArn);
  const logStream = `${target.logStreamPrefix}/${target.containerName}/${taskId}`;
  const tail = commandLine("aws", ["logs", "tail", target.logGroup, "--log-stream-names", logStream, "--region", contract.region, "--follow"]);
  log(`${DETAIL}task ${taskId} started; logs: ${target.logGroup} ${logStream}`);

  const printer = logPrinter(deps, target.logGroup, logStream);
  const started = clock.now();
  const task = await waitForTaskStop(
    ecs,
    {
      cluster,
      taskArn,
      poll: options.poll,
      label: "task",
      onPoll: printer,
      timeoutError: (status) =>
        new DeployError(
          `Task ${taskId} is still ${status} after ${formatDuration(options.poll.timeoutMs)}; it was left running.\n` +
            `  follow it: ${tail}\n` +
            `  stop it:   ${commandLine("aws", ["ecs", "stop-task", "--cluster", cluster, "--task", taskId, "--region", contract.region])}`,
        ),
    },
    { log, clock },
  );
  // CloudWatch Logs may lag the task's stop by a few seconds: one more read after a pause.
  await clock.sleep(Math.min(options.poll.intervalMs, 2_000));
  await printer();

  const container = task.containers?.find((c) => c.name === target.containerName) ?? task.containers?.[0];
  if (container?.exitCode === undefined) {
    log(
      `Task ${taskId} stopped without an exit code: the container never ran to completion.\n` +
        `  stopped reason: ${task.stoppedReason ?? "(none given)"}${task.stopCode ? ` [${task.stopCode}]` : ""}${container?.reason ? `\n  container reason: ${container.reason}` : ""}`,
    );
    return 1;
  }
  log(`${DETAIL}task ${taskId} exited ${container.exitCode} after ${formatDuration(clock.now() - started)}`);
  return container.exitCode;
}

/** Reads the log stream from where it left off and prints each new event; a stream that does not exist yet is no error. */
function logPrinter(deps: TaskDeps, logGroupName: string, logStreamName: string): () => Promise<void> {
  let nextToken: string | undefined;
  return async () => {
    for (;;) {
      let page;
      try {
        page = await deps.logs.send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken }));
      } catch (error) {
        if (error instanceof Error && error.name === "ResourceNotFoundException") return; // the container has not written yet
        throw new DeployError(`Reading the task's logs (CloudWatch Logs GetLogEvents on ${logGroupName} ${logStreamName}) failed: ${(error as Error).message}`);
      }
      for (const event of page.events ?? []) deps.output(event.message ?? "");
      // The same token back means the end of the stream for now.
      if (!page.nextForwardToken || page.nextForwardToken === nextToken) return;
      nextToken = page.nextForwardToken;
      if (!page.events?.length) return;
    }
  };
}
