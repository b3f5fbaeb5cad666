/**
 * `npm run exec`: finding a task, the ECS Exec checks and the exact aws CLI call, with a mocked
 * ECS client and a fake spawner (nothing is spawned).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import type { DeployContract } from "../../stacks/deploy-contract";
import { parseExecArgs } from "../../lib/deploy/cli";
import { DeployError, UsageError } from "../../lib/deploy/errors";
import { openShell, type ExecDeps } from "../../lib/deploy/exec";
import { isOnPath } from "../../lib/deploy/process";
import { messageOf } from "../helpers";

// The pinned SDK's notice about future Node requirements is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "eu-west-1";
const CLUSTER = "shop-staging-cluster";

const service = (key: "backend" | "frontend") => ({
  serviceName: `shop-staging-${key}`,
  taskFamily: `shop-staging-${key}`,
  containerName: key,
  securityGroupName: `shop-staging-${key}`,
  logGroup: `/shop/staging/ecs/${key}`,
  logStreamPrefix: "ecs",
  repositoryName: `shop-staging-${key}`,
});
const contract: DeployContract = {
  environment: "staging",
  region: REGION,
  accountId: "111111111111",
  registryHost: `111111111111.dkr.ecr.${REGION}.amazonaws.com`,
  clusterName: CLUSTER,
  services: { backend: service("backend"), frontend: service("frontend") },
  migration: { ...service("backend"), taskFamily: "shop-staging-backend-migrate", logStreamPrefix: "migrate" },
  privateSubnetNames: ["shop-staging-private-a", "shop-staging-private-b"],
};

const arn = (id: string) => `arn:aws:ecs:${REGION}:111111111111:task/${CLUSTER}/${id}`;

/** A RUNNING task with ECS Exec on; `agentStatus: null` means the container has no ExecuteCommandAgent. */
function task(id: string, overrides: Partial<Task> = {}, agentStatus: string | null = "RUNNING", container = "backend"): Task {
  return {
    taskArn: arn(id),
    lastStatus: "RUNNING",
    enableExecuteCommand: true,
    containers: [{ name: container, managedAgents: agentStatus ? [{ name: "ExecuteCommandAgent", lastStatus: agentStatus }] : [] }],
    ...overrides,
  };
}

const ecs = mockClient(ECSClient);
let spawned: { command: string; args: readonly string[] }[];
let logs: string[];
let onPath: Set<string>;

function deps(): ExecDeps {
  return {
    ecs: new ECSClient({ region: REGION }),
    isOnPath: (name) => onPath.has(name),
    spawn: async (command, args) => {
      spawned.push({ command, args });
      return 0;
    },
    log: (line) => logs.push(line),
  };
}

function tasks(...described: Task[]): void {
  ecs.on(ListTasksCommand).resolves({ taskArns: described.map((t) => t.taskArn!) });
  ecs.on(DescribeTasksCommand).resolves({ tasks: described });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeployError);
  return (error as Error).message;
}

beforeEach(() => {
  ecs.reset();
  spawned = [];
  logs = [];
  onPath = new Set(["aws", "session-manager-plugin"]);
});

describe("exec", () => {
  test("spawns exactly `aws ecs execute-command` on a running task's application container, and returns its exit code", async () => {
    tasks(task("abc123"));
    const spawn = jest.fn(async () => 42);
    const code = await openShell({ contract, service: "backend" }, { ...deps(), spawn });
    expect(code).toBe(42);
    expect(spawn).toHaveBeenCalledWith("aws", [
      "ecs",
      "execute-command",
      "--region",
      "eu-west-1",
      "--cluster",
      "shop-staging-cluster",
      "--task",
      "abc123",
      "--container",
      "backend",
      "--interactive",
      "--command",
      "/bin/sh",
    ]);
    expect(ecs.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({ cluster: CLUSTER, serviceName: "shop-staging-backend", desiredStatus: "RUNNING" });
  });

  test("--command and --container are passed through", async () => {
    tasks({ ...task("f1"), containers: [{ name: "frontend" }, { name: "sidecar", managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: "RUNNING" }] }] });
    await openShell({ contract, service: "frontend", container: "sidecar", command: "bin/rails console" }, deps());
    expect(spawned[0].args.slice(-5)).toEqual(["--container", "sidecar", "--interactive", "--command", "bin/rails console"]);
    expect(logs[1]).toBe("$ aws ecs execute-command --region eu-west-1 --cluster shop-staging-cluster --task f1 --container sidecar --interactive --command 'bin/rails console'");
  });

  test("picks a task where ECS Exec works when several run", async () => {
    tasks(task("old", { enableExecuteCommand: false }), task("new"));
    await openShell({ contract, service: "backend" }, deps());
    expect(spawned[0].args).toContain("new");
  });

  test("no running task: names the service and suggests aws ecs describe-services", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const message = await failure(openShell({ contract, service: "backend" }, deps()));
    expect(message).toContain('No running task of service "shop-staging-backend" in cluster "shop-staging-cluster" (eu-west-1).');
    expect(message).toContain("aws ecs describe-services --cluster shop-staging-cluster --services shop-staging-backend --region eu-west-1");
    expect(spawned).toEqual([]);
  });

  test("tasks still starting are not a shell target", async () => {
    tasks(task("p1", { lastStatus: "PENDING" }));
    expect(await failure(openShell({ contract, service: "backend" }, deps()))).toMatch(/still starting \(p1 PENDING\)/);
  });

  test("ECS Exec not enabled on the task: explains the setting and that old tasks need replacing", async () => {
    tasks(task("abc123", { enableExecuteCommand: false }));
    const message = await failure(openShell({ contract, service: "backend" }, deps()));
    expect(message).toContain("ECS Exec is not enabled on task abc123");
    expect(message).toContain("enable_execute_command = true");
    expect(message).toContain("--force-new-deployment");
    expect(spawned).toEqual([]);
  });

  test("the ExecuteCommandAgent not RUNNING: explains permissions and network", async () => {
    tasks(task("abc123", {}, "STOPPED"));
    const message = await failure(openShell({ contract, service: "backend" }, deps()));
    expect(message).toContain('the ECS Exec agent in container "backend" of task abc123 is STOPPED');
    expect(message).toContain("ssmmessages:CreateControlChannel");
    ecs.reset();
    tasks(task("abc123", {}, null));
    expect(await failure(openShell({ contract, service: "backend" }, deps()))).toContain("is not there");
  });

  test("an unknown --container lists the task's containers", async () => {
    tasks(task("abc123"));
    expect(await failure(openShell({ contract, service: "backend", container: "web" }, deps()))).toContain('task abc123 has no container "web" (it has "backend")');
  });

  test("missing aws CLI or session-manager-plugin: explains how to install, spawns nothing", async () => {
    tasks(task("abc123"));
    onPath = new Set(["aws"]);
    const message = await failure(openShell({ contract, service: "backend" }, deps()));
    expect(message).toContain("the Session Manager plugin ('session-manager-plugin') is not on PATH");
    expect(message).toContain("session-manager-working-with-install-plugin.html");
    expect(message).not.toContain("AWS CLI v2");
    onPath = new Set();
    expect(await failure(openShell({ contract, service: "backend" }, deps()))).toContain("install AWS CLI v2");
    expect(spawned).toEqual([]);
  });

  test("AWS errors are one clear message", async () => {
    ecs.on(ListTasksCommand).rejects(new Error("getaddrinfo ENOTFOUND ecs.eu-west-1.amazonaws.com"));
    expect(await failure(openShell({ contract, service: "backend" }, deps()))).toMatch(/failed: cannot reach AWS \(getaddrinfo ENOTFOUND ecs\.eu-west-1\.amazonaws\.com\); check the network/);
    ecs.reset();
    ecs.on(ListTasksCommand).rejects(Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredTokenException" }));
    expect(await failure(openShell({ contract, service: "backend" }, deps()))).toBe(
      'Listing the tasks of service "shop-staging-backend" (ECS ListTasks) failed: the AWS credentials have expired (ExpiredTokenException: The security token included in the request is expired); refresh them (e.g. \'aws sso login\') and run again.',
    );
  });
});

describe("isOnPath", () => {
  test("finds executable files in PATH directories only", () => {
    const dir = mkdtempSync(join(tmpdir(), "exec-path-"));
    try {
      writeFileSync(join(dir, "session-manager-plugin"), "#!/bin/sh\n");
      chmodSync(join(dir, "session-manager-plugin"), 0o755);
      writeFileSync(join(dir, "aws"), "not executable");
      chmodSync(join(dir, "aws"), 0o644);
      const path = ["/nonexistent", dir].join(delimiter);
      expect(isOnPath("session-manager-plugin", path)).toBe(true);
      expect(isOnPath("aws", path)).toBe(false); // not executable (even root needs an x bit)
      expect(isOnPath("missing", path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("exec command line", () => {
  const envs = ["staging", "production"];
  const parse = (...argv: string[]) => parseExecArgs(argv, envs, () => undefined);
  const usageError = (...argv: string[]) => messageOf(() => parse(...argv), UsageError);

  test("parses environment, service and options with /bin/sh as the default command", () => {
    expect(parse("staging", "frontend")).toEqual({ kind: "run", args: { environment: "staging", service: "frontend", command: "/bin/sh", container: undefined } });
    expect(parse("production", "backend", "--command", "php artisan tinker", "--container", "backend")).toEqual({
      kind: "run",
      args: { environment: "production", service: "backend", command: "php artisan tinker", container: "backend" },
    });
  });
  test("unknown service lists backend and frontend", () => {
    expect(usageError("staging", "db")).toBe('unknown service "db"; valid services: backend, frontend');
  });
  test("unknown environment lists the valid ones", () => {
    expect(usageError("prod", "backend")).toBe('unknown environment "prod"; valid environments: staging, production');
  });
  test("missing service, unknown flag, extra argument", () => {
    expect(usageError("staging")).toMatch(/^missing the service/);
    expect(usageError("staging", "backend", "--shell")).toMatch(/^unknown option '--shell'/);
    expect(usageError("staging", "backend", "sh")).toMatch(/^too many arguments/);
  });
});
