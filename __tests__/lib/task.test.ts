/**
 * `npm run task` (issue 14): a command in a fresh task of a service, with mocked ECS and CloudWatch
 * Logs clients, the way the deploy tests mock AWS.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { loadEnvironments } from "../../config";
import { staging } from "../../config/staging";
import { parseTaskArgs } from "../../lib/deploy/cli";
import { DeployError, UsageError } from "../../lib/deploy/errors";
import { runTask, taskTargets, TASK_STARTED_BY } from "../../lib/deploy/task";
import { deployContract } from "../../stacks/deploy-contract";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);
const contract = deployContract(loadEnvironments([staging])[0]);
const TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/webapp-staging-cluster/abc123";
const TD = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:111111111111:task-definition/${family}:${revision}`;

let progress: string[];
let output: string[];
let clock: { t: number; now: () => number; sleep: (ms: number) => Promise<void> };
const deps = () => ({ ecs: new ECSClient({}), logs: new CloudWatchLogsClient({}), log: (l: string) => progress.push(l), output: (l: string) => output.push(l), clock });

function activeService(name: string, revision = 12) {
  return {
    serviceName: name,
    status: "ACTIVE",
    taskDefinition: TD(name, revision),
    networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: [`sg-${name}`], assignPublicIp: "DISABLED" as const } },
  };
}
const stopped = (container: string, exitCode?: number, extra: Partial<Task> = {}): Task => ({
  taskArn: TASK_ARN,
  lastStatus: "STOPPED",
  stopCode: "EssentialContainerExited",
  stoppedReason: "Essential container in task exited",
  containers: [{ name: container, exitCode }],
  ...extra,
});

beforeEach(() => {
  ecs.reset();
  logs.reset();
  progress = [];
  output = [];
  clock = { t: 0, now: () => clock.t, sleep: async (ms) => void (clock.t += ms) };
});

describe("runTask", () => {
  test("runs the command in the service's current task definition and network, prints its log once each, and returns its exit code", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService("webapp-staging-backend")] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "PROVISIONING" }] })
      .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] })
      .resolves({ tasks: [stopped("backend", 3)] });
    const stream = { logGroupName: "/webapp/staging/ecs/backend", logStreamName: "ecs/backend/abc123" };
    logs
      .on(GetLogEventsCommand)
      .rejectsOnce(Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }))
      .resolvesOnce({ events: [{ message: "Seeding: UserSeeder" }], nextForwardToken: "f/1" })
      .resolvesOnce({ events: [], nextForwardToken: "f/1" })
      .resolvesOnce({ events: [{ message: "Seeding failed" }], nextForwardToken: "f/2" })
      .resolves({ events: [], nextForwardToken: "f/2" });

    const code = await runTask({ contract, service: "backend", command: ["php", "artisan", "db:seed", "--force"], poll: { intervalMs: 3_000, timeoutMs: 60_000 } }, deps());

    expect(code).toBe(3);
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: "webapp-staging-cluster",
      taskDefinition: TD("webapp-staging-backend", 12),
      launchType: "FARGATE",
      count: 1,
      startedBy: TASK_STARTED_BY,
      propagateTags: "TASK_DEFINITION",
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-webapp-staging-backend"], assignPublicIp: "DISABLED" } },
      overrides: { containerOverrides: [{ name: "backend", command: ["php", "artisan", "db:seed", "--force"] }] },
    });
    expect(output).toEqual(["Seeding: UserSeeder", "Seeding failed"]);
    expect(logs.commandCalls(GetLogEventsCommand).every((c) => c.args[0].input.logGroupName === stream.logGroupName && c.args[0].input.logStreamName === stream.logStreamName)).toBe(true);
    expect(progress).toContain("      task abc123 exited 3 after 8.0s");
  });

  test("a worker's task runs the worker's container, in the worker's network", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService("webapp-staging-worker-default", 4)] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stopped("worker-default", 0)] });
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/0" });
    const code = await runTask({ contract, service: "worker-default", command: ["php", "artisan", "queue:retry", "all"], poll: { intervalMs: 1_000, timeoutMs: 10_000 } }, deps());
    expect(code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input.taskDefinition).toBe(TD("webapp-staging-worker-default", 4));
    expect(input.overrides?.containerOverrides).toEqual([{ name: "worker-default", command: ["php", "artisan", "queue:retry", "all"] }]);
    expect(input.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual(["sg-webapp-staging-worker-default"]);
    expect(logs.commandCalls(GetLogEventsCommand)[0].args[0].input.logGroupName).toBe("/webapp/staging/ecs/worker-default");
  });

  test("a task whose container never ran exits 1 with ECS's reasons", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService("webapp-staging-backend")] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [stopped("backend", undefined, { stopCode: "TaskFailedToStart", stoppedReason: "ResourceInitializationError: unable to pull secrets" })],
    });
    logs.on(GetLogEventsCommand).rejects(Object.assign(new Error("no stream"), { name: "ResourceNotFoundException" }));
    expect(await runTask({ contract, service: "backend", command: ["true"], poll: { intervalMs: 1, timeoutMs: 100 } }, deps())).toBe(1);
    expect(progress.join("\n")).toContain("stopped reason: ResourceInitializationError: unable to pull secrets [TaskFailedToStart]");
  });

  test("an unknown service is a usage error listing the environment's services, before any AWS call", async () => {
    expect(Object.keys(taskTargets(contract))).toEqual(["backend", "frontend", "worker-default"]);
    await expect(runTask({ contract, service: "worker-mail", command: ["x"], poll: { intervalMs: 1, timeoutMs: 1 } }, deps())).rejects.toThrow(
      new UsageError('unknown service "worker-mail" in staging; valid services: backend, frontend, worker-default'),
    );
    expect(ecs.calls()).toHaveLength(0);
  });

  test("a service that is not running, or a task ECS refuses to start, is a clear error", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
    await expect(runTask({ contract, service: "backend", command: ["x"], poll: { intervalMs: 1, timeoutMs: 1 } }, deps())).rejects.toThrow(
      /Service "webapp-staging-backend" is not ACTIVE in cluster "webapp-staging-cluster" \(eu-west-1\); deploy "staging" first/,
    );
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService("webapp-staging-backend")] });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "Capacity is unavailable at this time" }] });
    await expect(runTask({ contract, service: "backend", command: ["x"], poll: { intervalMs: 1, timeoutMs: 1 } }, deps())).rejects.toThrow(
      new DeployError('A task of backend could not be started on cluster "webapp-staging-cluster": Capacity is unavailable at this time.'),
    );
  });

  test("a task still running at the timeout is left running, with how to follow and stop it", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService("webapp-staging-backend")] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] });
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/0" });
    await expect(runTask({ contract, service: "backend", command: ["sleep", "9999"], poll: { intervalMs: 10_000, timeoutMs: 30_000 } }, deps())).rejects.toThrow(
      /Task abc123 is still RUNNING after 30.0s; it was left running\.\n {2}follow it: aws logs tail \/webapp\/staging\/ecs\/backend --log-stream-names ecs\/backend\/abc123 .*--follow\n {2}stop it: {3}aws ecs stop-task --cluster webapp-staging-cluster --task abc123/,
    );
  });
});

describe("parseTaskArgs", () => {
  const parse = (...argv: string[]) => parseTaskArgs(argv, ["staging", "production"], () => undefined);

  test("everything after -- is the command, word for word, options included", () => {
    expect(parse("staging", "backend", "--", "php", "artisan", "db:seed", "--force")).toEqual({
      kind: "run",
      args: { environment: "staging", service: "backend", command: ["php", "artisan", "db:seed", "--force"], timeoutMinutes: 60 },
    });
    expect(parse("production", "worker-default", "--timeout", "5", "--", "bin/rails", "runner", "Backfill.run")).toMatchObject({ args: { timeoutMinutes: 5, command: ["bin/rails", "runner", "Backfill.run"] } });
  });

  test.each([
    [["staging", "backend"], /missing the command after "--"/],
    [["staging", "backend", "--"], /missing the command after "--"/],
    [["staging"], /missing the service/],
    [["qa", "backend", "--", "ls"], /unknown environment "qa"; valid environments: staging, production/],
    [["staging", "backend", "--timeout", "0", "--", "ls"], /must be a positive number of minutes/],
  ])("%j is refused", (argv, message) => {
    expect(() => parse(...argv)).toThrow(message);
  });
});
