/**
 * The one-off task runner every command shares: start a Fargate task (RunTask) and wait until it
 * is STOPPED. The migration (step 3 of `npm run deploy`) and `npm run task` both use it; what
 * differs (messages, overrides, what happens on each poll) is passed in.
 */
import { DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task, type TaskOverride } from "@aws-sdk/client-ecs";
import { awsCall, DeployError } from "./errors";
import { DETAIL, formatDuration, type Clock, type Log, type PollOptions } from "./progress";

/** The last part of a task ARN (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

export interface TaskNetwork {
  readonly subnets: string[];
  readonly securityGroups: string[];
}

export interface StartTask {
  readonly cluster: string;
  /** The exact revision (`family:revision` ARN) to run. */
  readonly taskDefinition: string;
  readonly network: TaskNetwork;
  /** `startedBy`, visible in the console and `aws ecs list-tasks --started-by`. */
  readonly startedBy: string;
  /** Container overrides, e.g. the command. @default none */
  readonly overrides?: TaskOverride;
  /** What is started, for messages: "the migration task". */
  readonly what: string;
  /** Appended to the error when ECS starts nothing, e.g. "The services were not updated." @default "" */
  readonly notStartedNote?: string;
}

/** RunTask on FARGATE in private subnets without a public IP; the new task's ARN, or a DeployError with ECS's reasons. */
export async function startTask(ecs: ECSClient, run: StartTask): Promise<string> {
  const started = await awsCall(`Starting ${run.what} on cluster "${run.cluster}" (ECS RunTask)`, () =>
    ecs.send(
      new RunTaskCommand({
        cluster: run.cluster,
        taskDefinition: run.taskDefinition,
        launchType: "FARGATE",
        count: 1,
        startedBy: run.startedBy,
        propagateTags: "TASK_DEFINITION",
        networkConfiguration: { awsvpcConfiguration: { subnets: run.network.subnets, securityGroups: run.network.securityGroups, assignPublicIp: "DISABLED" } },
        ...(run.overrides ? { overrides: run.overrides } : {}),
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const reasons = (started.failures ?? []).map((f) => [f.reason, f.detail, f.arn].filter(Boolean).join(": ")).join("; ");
    const what = run.what.charAt(0).toUpperCase() + run.what.slice(1);
    throw new DeployError(`${what} could not be started on cluster "${run.cluster}": ${reasons || "ECS returned no task and no reason"}.${run.notStartedNote ? ` ${run.notStartedNote}` : ""}`);
  }
  return taskArn;
}

export interface WaitForStop {
  readonly cluster: string;
  readonly taskArn: string;
  readonly poll: PollOptions;
  /** Label of the DescribeTasks call: "migration task" gives "Checking migration task <id> (ECS DescribeTasks)". */
  readonly label: string;
  /** The error when the task is still running at the timeout (it is left running). */
  readonly timeoutError: (status: string, taskId: string) => DeployError;
  /** Called after every poll, e.g. to print new log lines. @default nothing */
  readonly onPoll?: () => Promise<void>;
}

/** Polls DescribeTasks until the task is STOPPED (logging each status change); throws `timeoutError` at the timeout. */
export async function waitForTaskStop(ecs: ECSClient, wait: WaitForStop, deps: { readonly log: Log; readonly clock: Clock }): Promise<Task> {
  const { log, clock } = deps;
  const taskId = taskIdOf(wait.taskArn);
  const since = clock.now();
  let lastStatus = "";
  for (;;) {
    const result = await awsCall(`Checking ${wait.label} ${taskId} (ECS DescribeTasks)`, () => ecs.send(new DescribeTasksCommand({ cluster: wait.cluster, tasks: [wait.taskArn] })));
    // Right after RunTask, DescribeTasks may not see the task yet (failure reason MISSING): keep polling.
    const task = result.tasks?.find((t) => t.taskArn === wait.taskArn);
    const status = task?.lastStatus ?? "MISSING";
    if (status !== lastStatus) {
      log(`${DETAIL}task ${taskId}: ${status} (${formatDuration(clock.now() - since)})`);
      lastStatus = status;
    }
    if (wait.onPoll) await wait.onPoll();
    if (task && status === "STOPPED") return task;
    if (clock.now() - since >= wait.poll.timeoutMs) throw wait.timeoutError(status, taskId);
    await clock.sleep(wait.poll.intervalMs);
  }
}
