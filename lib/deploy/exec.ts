/**
 * `npm run exec -- <env> <service>`: an interactive shell in a running task of a service through
 * ECS Exec, replacing list-tasks + describe-tasks + checks + execute-command by hand.
 */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import type { DeployContract, ServiceKey } from "../../stacks/deploy-contract";
import { awsCall, DeployError } from "./errors";
import { taskIdOf } from "./migrate";
import { commandLine, type InteractiveSpawner } from "./process";
import type { Log } from "./progress";

export const DEFAULT_EXEC_COMMAND = "/bin/sh";
/** The managed agent ECS Exec needs in the container. */
export const EXEC_AGENT = "ExecuteCommandAgent";

export interface ExecOptions {
  readonly contract: DeployContract;
  readonly service: ServiceKey;
  /** @default the service's application container from the deploy contract */
  readonly container?: string;
  /** @default "/bin/sh" */
  readonly command?: string;
}

export interface ExecDeps {
  readonly ecs: ECSClient;
  /** Whether an executable is on PATH (no process is started). */
  readonly isOnPath: (name: string) => boolean;
  readonly spawn: InteractiveSpawner;
  readonly log: Log;
}

function describeServicesHint(contract: DeployContract, service: ServiceKey): string {
  return commandLine("aws", [
    "ecs",
    "describe-services",
    "--cluster",
    contract.clusterName,
    "--services",
    contract.services[service].serviceName,
    "--region",
    contract.region,
    "--query",
    "services[0].{status:status,desired:desiredCount,running:runningCount,events:events[:5].message}",
  ]);
}

/**
 * The RUNNING tasks of a service (ListTasks by service name, desired status RUNNING, then
 * DescribeTasks); a DeployError naming the service when there are none.
 */
export async function findRunningTasks(ecs: ECSClient, contract: DeployContract, service: ServiceKey): Promise<Task[]> {
  const { serviceName } = contract.services[service];
  const cluster = contract.clusterName;
  const listed = await awsCall(`Listing the tasks of service "${serviceName}" (ECS ListTasks)`, () =>
    ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "RUNNING" })),
  );
  const arns = listed.taskArns ?? [];
  const none = `No running task of service "${serviceName}" in cluster "${cluster}" (${contract.region}).`;
  if (!arns.length) throw new DeployError(`${none} See why with:\n  ${describeServicesHint(contract, service)}`);
  const described = await awsCall(`Describing the tasks of service "${serviceName}" (ECS DescribeTasks)`, () =>
    ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) })),
  );
  const tasks = described.tasks ?? [];
  const running = tasks.filter((t) => t.lastStatus === "RUNNING");
  if (!running.length) {
    const states = tasks.map((t) => `${taskIdOf(t.taskArn ?? "")} ${t.lastStatus ?? "?"}`).join(", ");
    throw new DeployError(`${none} Its tasks are still starting (${states || "none visible"}); try again in a minute, or see:\n  ${describeServicesHint(contract, service)}`);
  }
  return running;
}

/** Why ECS Exec cannot open a session in `container` of `task`, or undefined when it can. */
export function execProblem(task: Task, container: string): string | undefined {
  const taskId = taskIdOf(task.taskArn ?? "");
  const found = task.containers?.find((c) => c.name === container);
  if (!found) {
    return `task ${taskId} has no container "${container}" (it has ${(task.containers ?? []).map((c) => `"${c.name}"`).join(", ") || "none"}); pick one with --container`;
  }
  if (!task.enableExecuteCommand) {
    return (
      `ECS Exec is not enabled on task ${taskId}. The service needs enable_execute_command = true (the stack sets it), ` +
      `and tasks started before it was turned on keep it off: replace them with a new deployment (npm run deploy, or aws ecs update-service --force-new-deployment)`
    );
  }
  const agent = found.managedAgents?.find((a) => a.name === EXEC_AGENT);
  if (agent?.lastStatus !== "RUNNING") {
    return (
      `the ECS Exec agent in container "${container}" of task ${taskId} is ${agent?.lastStatus ?? "not there"}${agent?.reason ? ` (${agent.reason})` : ""}. ` +
      `It needs the task role's ssmmessages:CreateControlChannel/CreateDataChannel/OpenControlChannel/OpenDataChannel permissions and outbound HTTPS to ` +
      `the ssmmessages endpoint (NAT or VPC endpoint); a task started just now may need a few more seconds`
    );
  }
  return undefined;
}

/** The local programs ECS Exec needs; a DeployError saying how to install the missing ones. */
export function checkSessionTools(isOnPath: (name: string) => boolean): void {
  const problems: string[] = [];
  if (!isOnPath("aws")) {
    problems.push("the AWS CLI ('aws') is not on PATH: install AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)");
  }
  if (!isOnPath("session-manager-plugin")) {
    problems.push(
      "the Session Manager plugin ('session-manager-plugin') is not on PATH: the AWS CLI needs it for ECS Exec. Install it " +
        "(https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html; e.g. 'brew install --cask session-manager-plugin' on macOS)",
    );
  }
  if (problems.length) throw new DeployError(`Cannot open an ECS Exec session:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** The argv after `aws` for an interactive ECS Exec session. */
export function executeCommandArgs(contract: DeployContract, taskId: string, container: string, command: string): string[] {
  return ["ecs", "execute-command", "--region", contract.region, "--cluster", contract.clusterName, "--task", taskId, "--container", container, "--interactive", "--command", command];
}

/**
 * Finds a RUNNING task of the service where ECS Exec works, checks the local tools, then runs
 * `aws ecs execute-command ... --interactive` with inherited stdio. Resolves with its exit code.
 */
export async function openShell(options: ExecOptions, deps: ExecDeps): Promise<number> {
  const { contract, service } = options;
  const container = options.container ?? contract.services[service].containerName;
  const command = options.command ?? DEFAULT_EXEC_COMMAND;

  const tasks = await findRunningTasks(deps.ecs, contract, service);
  const usable = tasks.find((t) => execProblem(t, container) === undefined);
  if (!usable) throw new DeployError(`Cannot open a shell in service "${contract.services[service].serviceName}": ${execProblem(tasks[0], container)}.`);
  checkSessionTools(deps.isOnPath);

  const taskId = taskIdOf(usable.taskArn ?? "");
  const args = executeCommandArgs(contract, taskId, container, command);
  deps.log(`Opening ${command} in ${service} task ${taskId} (container "${container}", ${tasks.length} running); exit the shell to end the session.`);
  deps.log(`$ ${commandLine("aws", args)}`);
  return deps.spawn("aws", args);
}
