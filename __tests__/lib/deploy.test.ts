/**
 * `npm run deploy`: every step with mocked AWS clients (aws-sdk-client-mock), a fake command
 * runner (nothing is spawned) and a fake clock (waits take no time).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeImagesCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  type Deployment,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { environments, loadEnvironments } from "../../config";
import { deployContract, type DeployContract } from "../../stacks/deploy-contract";
import { parseDeployArgs } from "../../lib/deploy/cli";
import { deploy, type DeployOptions } from "../../lib/deploy/deploy";
import { awsCall, DeployError, reportFailure, UsageError } from "../../lib/deploy/errors";
import { applyTagOverrides, imageSourcesOf, type ImageSources } from "../../lib/deploy/images";
import { runMigration } from "../../lib/deploy/migrate";
import type { CommandRunner } from "../../lib/deploy/process";
import type { Clock } from "../../lib/deploy/progress";
import { assessRollout, waitForServicesStable } from "../../lib/deploy/rollout";
import { findApplyTargets, referencesOf, type SynthesizedStack } from "../../lib/deploy/targets";
import { buildStacks, synth, messageOf } from "../helpers";

// The pinned SDK's notice about future Node requirements is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "eu-west-1";
const ACCOUNT = "111111111111";

/** What deployContract() gives for project "shop", environment "staging" (a literal: these tests pin behaviour, not naming). */
const contract: DeployContract = {
  environment: "staging",
  region: REGION,
  accountId: ACCOUNT,
  registryHost: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
  clusterName: "shop-staging-cluster",
  services: {
    backend: {
      serviceName: "shop-staging-backend",
      taskFamily: "shop-staging-backend",
      containerName: "backend",
      securityGroupName: "shop-staging-backend",
      logGroup: "/shop/staging/ecs/backend",
      logStreamPrefix: "ecs",
      repositoryName: "shop-staging-backend",
    },
    frontend: {
      serviceName: "shop-staging-frontend",
      taskFamily: "shop-staging-frontend",
      containerName: "frontend",
      securityGroupName: "shop-staging-frontend",
      logGroup: "/shop/staging/ecs/frontend",
      logStreamPrefix: "ecs",
      repositoryName: "shop-staging-frontend",
    },
  },
  migration: {
    taskFamily: "shop-staging-backend-migrate",
    containerName: "backend",
    securityGroupName: "shop-staging-backend",
    logGroup: "/shop/staging/ecs/backend",
    logStreamPrefix: "migrate",
    repositoryName: "shop-staging-backend",
  },
  privateSubnetNames: ["shop-staging-private-a", "shop-staging-private-b"],
};

const TAGGED: ImageSources = {
  backend: { source: "tag", tag: "v1.2.3", verifyTagExists: true },
  frontend: { source: "tag", tag: "web-42", verifyTagExists: true },
};
const BUILT: ImageSources = {
  backend: { source: "build", context: "examples/backend", dockerfile: "Dockerfile" },
  frontend: { source: "build", context: "examples/frontend", dockerfile: "Dockerfile" },
};

/**
 * A small synthesized stack: the resources the contract names, the services with what depends on
 * them (directly, through depends_on and through a data source), and resources the migration
 * needs that point at its parts (a role policy, a security group rule). Images only in build mode.
 */
function stackJson(overrides: { family?: string; withImages?: boolean; withVariables?: boolean } = {}): SynthesizedStack {
  const meta = (path: string) => ({ "//": { metadata: { path: `staging/${path}`, uniqueId: path } } });
  return {
    variable: overrides.withVariables === false ? undefined : { backend_image_tag: { default: "v0.1.0" }, frontend_image_tag: { default: "v0.1.0" } },
    data: {
      aws_ecs_service: { look_AAAA0000: { service_name: "${aws_ecs_service.backend_service_12345678.name}", cluster_arn: "${aws_ecs_cluster.cluster_cluster_1A2B3C4D.arn}" } },
    },
    resource: {
      aws_ecs_cluster: { cluster_cluster_1A2B3C4D: { ...meta("cluster/cluster"), name: "shop-staging-cluster" } },
      aws_ecs_task_definition: {
        backend_taskdef_AAAA1111: { family: "shop-staging-backend", execution_role_arn: "${aws_iam_role.backend_exec-role_99990000.arn}" },
        "backend_migrate-taskdef_BBBB2222": { family: overrides.family ?? "shop-staging-backend-migrate", execution_role_arn: "${aws_iam_role.backend_exec-role_99990000.arn}" },
        frontend_taskdef_CCCC3333: { family: "shop-staging-frontend" },
      },
      aws_iam_role: { "backend_exec-role_99990000": { name: "shop-staging-backend-execution" } },
      aws_iam_role_policy: { "backend_exec-policy_99990001": { role: "${aws_iam_role.backend_exec-role_99990000.id}" } },
      aws_security_group: {
        backend_sg_DDDD4444: { name: "shop-staging-backend" },
        frontend_sg_EEEE5555: { name: "shop-staging-frontend" },
        alb_sg_FFFF6666: { name: "shop-staging-alb" },
      },
      aws_vpc_security_group_egress_rule: { "backend_https-out_99990002": { security_group_id: "${aws_security_group.backend_sg_DDDD4444.id}", cidr_ipv4: "0.0.0.0/0" } },
      aws_ecr_repository: {
        registry_backend_repo_11112222: { name: "shop-staging-backend" },
        registry_frontend_repo_33334444: { name: "shop-staging-frontend" },
      },
      aws_ecs_service: {
        backend_service_12345678: {
          ...meta("backend/service"),
          name: "shop-staging-backend",
          cluster: "${aws_ecs_cluster.cluster_cluster_1A2B3C4D.arn}",
          task_definition: "${aws_ecs_task_definition.backend_taskdef_AAAA1111.arn}",
          network_configuration: { security_groups: ["${aws_security_group.backend_sg_DDDD4444.id}"] },
        },
        frontend_service_87654321: { name: "shop-staging-frontend", task_definition: "${aws_ecs_task_definition.frontend_taskdef_CCCC3333.arn}" },
      },
      aws_appautoscaling_target: {
        backend_scaling_1111AAAA: { resource_id: "service/${aws_ecs_cluster.cluster_cluster_1A2B3C4D.name}/${aws_ecs_service.backend_service_12345678.name}" },
      },
      aws_appautoscaling_policy: { backend_cpu_2222BBBB: { resource_id: "${aws_appautoscaling_target.backend_scaling_1111AAAA.resource_id}" } },
      aws_ssm_parameter: {
        marker_3333CCCC: { name: "/shop/staging/rolled-out", value: "yes", depends_on: ["aws_ecs_service.frontend_service_87654321"] },
        via_data_4444DDDD: { name: "/shop/staging/backend-arn", value: "${data.aws_ecs_service.look_AAAA0000.arn}" },
      },
      ...(overrides.withImages
        ? {
            docker_registry_image: {
              backend_image_55556666: { name: "${aws_ecr_repository.registry_backend_repo_11112222.repository_url}:abc" },
              frontend_image_77778888: { name: "${aws_ecr_repository.registry_frontend_repo_33334444.repository_url}:def" },
            },
          }
        : {}),
    },
  };
}

/** Step 2's targets for stackJson(): everything except the services and their dependents, sorted. */
const TARGETS = [
  "aws_ecr_repository.registry_backend_repo_11112222",
  "aws_ecr_repository.registry_frontend_repo_33334444",
  "aws_ecs_cluster.cluster_cluster_1A2B3C4D",
  "aws_ecs_task_definition.backend_migrate-taskdef_BBBB2222",
  "aws_ecs_task_definition.backend_taskdef_AAAA1111",
  "aws_ecs_task_definition.frontend_taskdef_CCCC3333",
  "aws_iam_role.backend_exec-role_99990000",
  "aws_iam_role_policy.backend_exec-policy_99990001",
  "aws_security_group.alb_sg_FFFF6666",
  "aws_security_group.backend_sg_DDDD4444",
  "aws_security_group.frontend_sg_EEEE5555",
  "aws_vpc_security_group_egress_rule.backend_https-out_99990002",
];
const IMAGES = ["docker_registry_image.backend_image_55556666", "docker_registry_image.frontend_image_77778888"];
const DEFERRED = [
  "aws_appautoscaling_policy.backend_cpu_2222BBBB",
  "aws_appautoscaling_target.backend_scaling_1111AAAA",
  "aws_ecs_service.backend_service_12345678",
  "aws_ecs_service.frontend_service_87654321",
  "aws_ssm_parameter.marker_3333CCCC",
  "aws_ssm_parameter.via_data_4444DDDD",
];
const targetFlags = (targets: readonly string[]) => targets.map((t) => `-target=${t}`).join(" ");

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
const ecr = mockClient(ECRClient);

const TD = (family: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/shop-staging-cluster/0a1b2c3d4e5f`;

function deployment(overrides: Partial<Deployment>): Deployment {
  return { id: "ecs-svc/new", status: "PRIMARY", desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0, rolloutState: "COMPLETED", ...overrides };
}

function service(key: "backend" | "frontend", deployments: Deployment[], events: string[] = []): Service {
  return {
    serviceName: `shop-staging-${key}`,
    status: "ACTIVE",
    desiredCount: 2,
    runningCount: 2,
    deployments,
    events: events.map((message, i) => ({ id: String(i), message, createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 59 - i)) })),
  };
}

function stoppedTask(exitCode: number | undefined, stoppedReason = "Essential container in task exited"): Task {
  return {
    taskArn: TASK_ARN,
    lastStatus: "STOPPED",
    stopCode: "EssentialContainerExited",
    stoppedReason,
    containers: [{ name: "backend", exitCode, ...(exitCode === undefined ? { reason: "CannotPullContainerError: pull access denied" } : {}) }],
  };
}

let events: string[];
let lines: string[];
let dir: string;
let clock: Clock & { t: number };
let failCommand: string | undefined;

const run: CommandRunner = async (command, args, options) => {
  const line = [command, ...args].join(" ");
  events.push(`run ${line} @${options.cwd === dir ? "stack" : options.cwd}`);
  if (failCommand && line.startsWith(failCommand)) throw new DeployError(`'${line}' exited with code 1`);
};

function options(overrides: Partial<DeployOptions> = {}): DeployOptions {
  return {
    contract,
    sources: TAGGED,
    projectDir: "/project",
    stackDir: dir,
    terraformBin: "terraform",
    skipMigrations: false,
    migrationPoll: { intervalMs: 5_000, timeoutMs: 60_000 },
    rolloutPoll: { intervalMs: 10_000, timeoutMs: 120_000 },
    ...overrides,
  };
}

/** `terraform show -json <planfile>`: the plan the review gate reads (`planToShow`, default: updates only). */
let planToShow: object;
/** `terraform output -raw migration_task_definition_arn`: the revision step 2 applied. */
const MIGRATION_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/shop-staging-backend-migrate:7";
/** `terraform show -json` (the current state). */
let stateToShow: object | null = null;
const UPDATE_ONLY = { format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes: [{ address: "aws_ecs_service.backend", mode: "managed", type: "aws_ecs_service", change: { actions: ["update"] } }] };
const capture = async (command: string, args: readonly string[], options: { readonly cwd: string }): Promise<string> => {
  events.push(`capture ${[command, ...args].join(" ")} @${options.cwd === dir ? "stack" : options.cwd}`);
  if (args[0] === "output") return `${MIGRATION_ARN}\n`;
  return JSON.stringify(args.length === 2 ? stateToShow : planToShow);
};

function deps() {
  return {
    ecs: new ECSClient({ region: REGION }),
    ec2: new EC2Client({ region: REGION }),
    ecr: new ECRClient({ region: REGION }),
    run,
    capture,
    log: (line: string) => lines.push(line),
    clock,
  };
}

/** A healthy account: tags pushed, network there, migration exits 0, services stable on the new revisions. */
function healthyAws(): void {
  ecr.on(DescribeImagesCommand).callsFake((input) => {
    events.push(`aws DescribeImages ${input.repositoryName}:${input.imageIds[0].imageTag}`);
    return { imageDetails: [{ imageTags: [input.imageIds[0].imageTag] }] };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
    events.push(`aws DescribeTaskDefinition ${input.taskDefinition}`);
    return { taskDefinition: { taskDefinitionArn: input.taskDefinition?.startsWith("arn:") ? input.taskDefinition : TD(input.taskDefinition!, 7), containerDefinitions: [{ name: "backend", image: "repo@sha256:abc" }] } };
  });
  ec2.on(DescribeSubnetsCommand).callsFake(() => {
    events.push("aws DescribeSubnets");
    return {
      Subnets: [
        { SubnetId: "subnet-b", VpcId: "vpc-1", Tags: [{ Key: "Name", Value: "shop-staging-private-b" }] },
        { SubnetId: "subnet-a", VpcId: "vpc-1", Tags: [{ Key: "Name", Value: "shop-staging-private-a" }] },
      ],
    };
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake(() => {
    events.push("aws DescribeSecurityGroups");
    return { SecurityGroups: [{ GroupId: "sg-backend", GroupName: "shop-staging-backend", VpcId: "vpc-1" }] };
  });
  ecs.on(RunTaskCommand).callsFake(() => {
    events.push("aws RunTask");
    return { tasks: [{ taskArn: TASK_ARN, lastStatus: "PROVISIONING" }], failures: [] };
  });
  ecs
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [], failures: [{ arn: TASK_ARN, reason: "MISSING" }] })
    .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] })
    .callsFake(() => {
      events.push("aws DescribeTasks STOPPED");
      return { tasks: [stoppedTask(0)] };
    });
  ecs.on(DescribeServicesCommand).callsFake(() => {
    events.push("aws DescribeServices");
    return {
      services: [
        service("backend", [deployment({ taskDefinition: TD("shop-staging-backend", 7) })]),
        service("frontend", [deployment({ taskDefinition: TD("shop-staging-frontend", 7) })]),
      ],
      failures: [],
    };
  });
}

beforeEach(() => {
  ecs.reset();
  ec2.reset();
  ecr.reset();
  events = [];
  lines = [];
  failCommand = undefined;
  planToShow = UPDATE_ONLY;
  stateToShow = null;
  clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
  };
  dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(stackJson()));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MIGRATION_TD = "backend_migrate-taskdef_BBBB2222";
const writeStack = (stack: SynthesizedStack) => writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(stack));

describe("deploy: the plan review gate", () => {
  const REPLACED_SERVICE = {
    ...UPDATE_ONLY,
    resource_changes: [{ address: "aws_ecs_service.backend", mode: "managed", type: "aws_ecs_service", change: { actions: ["delete", "create"] } }],
  };

  test("a blocked review stops the deploy before anything is applied, naming the change and the --allow flag", async () => {
    healthyAws();
    planToShow = REPLACED_SERVICE;
    await expect(deploy(options(), deps())).rejects.toThrow(
      "The plan review blocked the deploy: aws_ecs_service.backend (replaces a running ECS service (an outage)). Nothing was applied.\n" +
        "If this is intended, deploy again with: npm run deploy -- staging --allow 'aws_ecs_service.backend'",
    );
    expect(events.filter((e) => e.includes("terraform apply"))).toEqual([]);
    expect(lines.some((l) => l.includes("BLOCKED: 1 change would break what is running or lose data: aws_ecs_service.backend."))).toBe(true);
  });

  test("the running image is the default: a service without a tag flag keeps the tag its state runs (no silent rollback)", async () => {
    healthyAws();
    stateToShow = { running: "frontend" };
    const runningTags = (state: unknown): Record<string, string> => ((state as { running?: string } | null)?.running === "frontend" ? { frontend_image_tag: "web-99" } : {});
    await deploy(options({ runningImages: { explicit: ["backend"], runningTags } }), deps());
    expect(events.slice(1, 3)).toEqual(["run terraform init -input=false @stack", "capture terraform show -json @stack"]);
    expect(events).toContain("run terraform plan -input=false -out=deploy.tfplan -var backend_image_tag=v1.2.3 -var frontend_image_tag=web-99 @stack");
    expect(lines).toContain("      frontend: keeping the running image tag web-99 (config says web-42; pass --frontend-tag to change it)");
  });

  test("--allow with the blocked address applies exactly the reviewed plan files", async () => {
    healthyAws();
    planToShow = REPLACED_SERVICE;
    await deploy(options({ allow: ["aws_ecs_service.backend"] }), deps());
    expect(events.filter((e) => e.includes("terraform apply"))).toEqual(["run terraform apply -input=false pre-rollout.tfplan @stack", "run terraform apply -input=false deploy.tfplan @stack"]);
  });
});

describe("deploy: success path", () => {
  test("tag mode runs the five steps in order: synth, tag check + reviewed targeted apply, migration, reviewed apply, wait", async () => {
    healthyAws();
    await deploy(options(), deps());

    expect(events).toEqual([
      "run npx cdktf synth @/project",
      "aws DescribeImages shop-staging-backend:v1.2.3",
      "aws DescribeImages shop-staging-frontend:web-42",
      "run terraform init -input=false @stack",
      `run terraform plan -input=false -out=pre-rollout.tfplan ${targetFlags(TARGETS)} -var backend_image_tag=v1.2.3 -var frontend_image_tag=web-42 @stack`,
      "capture terraform show -json pre-rollout.tfplan @stack",
      "run terraform apply -input=false pre-rollout.tfplan @stack",
      // The exact revision step 2 applied, from Terraform's output (not "latest ACTIVE of the family").
      "capture terraform output -raw migration_task_definition_arn @stack",
      `aws DescribeTaskDefinition ${MIGRATION_ARN}`,
      "aws DescribeSubnets",
      "aws DescribeSecurityGroups",
      "aws RunTask",
      "aws DescribeTasks STOPPED",
      // Apply exactly the reviewed plan file, never a fresh plan.
      "run terraform plan -input=false -out=deploy.tfplan -var backend_image_tag=v1.2.3 -var frontend_image_tag=web-42 @stack",
      "capture terraform show -json deploy.tfplan @stack",
      "run terraform apply -input=false deploy.tfplan @stack",
      "aws DescribeTaskDefinition shop-staging-backend",
      "aws DescribeTaskDefinition shop-staging-frontend",
      "aws DescribeServices",
    ]);

    const steps = lines.filter((l) => /^\[\d\/5\]/.test(l));
    expect(steps).toEqual([
      "[1/5] Synthesizing (cdktf synth)...",
      "[2/5] Checking image tags in ECR, applying everything but the services (migration task definition, database, network)...",
      "[3/5] Running database migrations...",
      "[4/5] Deploying the stack (plan, review, apply exactly the reviewed plan)...",
      "[5/5] Waiting for backend and frontend to be stable...",
    ]);
    expect(lines.filter((l) => /^ +done in \d/.test(l))).toHaveLength(5);
    expect(lines[lines.length - 1]).toMatch(/^Deployed "staging" in .*: backend shop-staging-backend:7, frontend shop-staging-frontend:7$/);
  });

  test("the migration runs the revision step 2 applied (Terraform output) on FARGATE in the private subnets, no public IP, started by deploy-cli", async () => {
    healthyAws();
    await deploy(options(), deps());
    const [call] = ecs.commandCalls(RunTaskCommand);
    expect(call.args[0].input).toEqual({
      cluster: "shop-staging-cluster",
      taskDefinition: TD("shop-staging-backend-migrate", 7),
      launchType: "FARGATE",
      count: 1,
      startedBy: "deploy-cli",
      propagateTags: "TASK_DEFINITION",
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" } },
    });
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0].args[0].input.Filters).toEqual([{ Name: "tag:Name", Values: ["shop-staging-private-a", "shop-staging-private-b"] }]);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0].args[0].input.Filters).toEqual([
      { Name: "group-name", Values: ["shop-staging-backend"] },
      { Name: "vpc-id", Values: ["vpc-1"] },
    ]);
  });

  test("build mode applies the docker_registry_image resources too, checks no tag and passes no variables", async () => {
    healthyAws();
    writeStack(stackJson({ withImages: true }));
    await deploy(options({ sources: BUILT }), deps());
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(events).toContain(
      `run terraform plan -input=false -out=pre-rollout.tfplan ${targetFlags([...TARGETS, ...IMAGES])} @stack`,
    );
    expect(events).toContain("run terraform apply -input=false deploy.tfplan @stack");
    expect(lines).toContain("[2/5] Applying images and everything but the services (migration task definition, database, network)...");
  });

  test("--skip-migrations skips step 3 loudly and still deploys", async () => {
    healthyAws();
    await deploy(options({ skipMigrations: true }), deps());
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(lines).toContain("[3/5] !!! SKIPPING DATABASE MIGRATIONS (--skip-migrations) !!!");
    expect(lines[lines.length - 1]).toMatch(/migrations were SKIPPED/);
    expect(events.some((e) => e.startsWith("run terraform plan -input=false -out=deploy.tfplan"))).toBe(true);
  });
});

describe("deploy: failures stop the deploy", () => {
  test("a migration that exits non-zero stops it before cdktf deploy, with exit code, stopped reason and log stream", async () => {
    healthyAws();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(3)] });
    const error = await deploy(options(), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    const message = (error as Error).message;
    expect(message).toContain('container "backend" of task 0a1b2c3d4e5f exited with code 3');
    expect(message).toContain("stopped reason: Essential container in task exited [EssentialContainerExited]");
    expect(message).toContain("log group /shop/staging/ecs/backend, stream migrate/backend/0a1b2c3d4e5f");
    expect(message).toContain("aws logs tail /shop/staging/ecs/backend --log-stream-names migrate/backend/0a1b2c3d4e5f --region eu-west-1");
    expect(events.some((e) => e.startsWith("run terraform plan -input=false -out=deploy.tfplan"))).toBe(false);
    expect(lines).not.toContain("[4/5] Deploying the stack (plan, review, apply exactly the reviewed plan)...");
    expect(lines).toContain("      failed after 0.0s");
  });

  test("a migration container that never ran (no exit code) fails with the container's reason", async () => {
    healthyAws();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(undefined, "Task failed to start")] });
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain("stopped without an exit code");
    expect(message).toContain("stopped reason: Task failed to start");
    expect(message).toContain("container reason: CannotPullContainerError: pull access denied");
    expect(events.some((e) => e.startsWith("run terraform plan -input=false -out=deploy.tfplan"))).toBe(false);
  });

  test("a migration that cannot read a secret (new environment, secret still empty) says how to set it", async () => {
    healthyAws();
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: TD("shop-staging-backend-migrate", 7),
        containerDefinitions: [{ name: "backend", secrets: [{ name: "APP_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop/staging/APP_KEY" }] }],
      },
    });
    const reason =
      "ResourceInitializationError: unable to pull secrets or registry auth: ... ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT";
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(undefined, reason)] });
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain(`stopped reason: ${reason}`);
    expect(message).toContain("aws secretsmanager put-secret-value --region eu-west-1 --secret-id <name> --secret-string '<value>'");
    expect(message).toContain("the task reads: arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop/staging/APP_KEY");
  });

  test("a migration task that fails to start (RunTask failures) stops it with ECS's reason", async () => {
    healthyAws();
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: TD("shop-staging-backend-migrate", 7), reason: "RESOURCE:ENI", detail: "no free ENI" }] });
    await expect(deploy(options(), deps())).rejects.toThrow(/migration task could not be started on cluster "shop-staging-cluster": RESOURCE:ENI: no free ENI/);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(events.some((e) => e.startsWith("run terraform plan -input=false -out=deploy.tfplan"))).toBe(false);
  });

  test("a migration still running at the timeout is left running; the message says how to follow and stop it", async () => {
    healthyAws();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] });
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain("still RUNNING after 1m 00s; it was left running");
    expect(message).toContain("aws ecs stop-task --cluster shop-staging-cluster --task 0a1b2c3d4e5f --region eu-west-1");
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(13); // t = 0, 5, ..., 60 s
    expect(events.some((e) => e.startsWith("run terraform plan -input=false -out=deploy.tfplan"))).toBe(false);
  });

  test("missing private subnets are a clear error naming them", async () => {
    healthyAws();
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-a", VpcId: "vpc-1", Tags: [{ Key: "Name", Value: "shop-staging-private-a" }] }] });
    await expect(runMigration(contract, { intervalMs: 1, timeoutMs: 10 }, deps())).rejects.toThrow(/Private subnet "shop-staging-private-b" not found in eu-west-1/);
  });

  test("a tag that is not in ECR stops the deploy before Terraform, naming repository, tag and how to push", async () => {
    healthyAws();
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'v1.2.3'} does not exist", $metadata: {} }));
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain('The backend image tag "v1.2.3" is not in ECR repository "shop-staging-backend" (account 111111111111, eu-west-1).');
    expect(message).toContain("docker push 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop-staging-backend:v1.2.3");
    expect(message).toContain("aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 111111111111.dkr.ecr.eu-west-1.amazonaws.com");
    expect(events.filter((e) => e.startsWith("run terraform"))).toEqual([]);
  });

  test("on a new environment in tag mode, a missing repository says exactly how to create the repositories first", async () => {
    healthyAws();
    ecr.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: "repository does not exist", $metadata: {} }));
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    const where = relative("/project", dir);
    expect(message).toContain('ECR repository "shop-staging-backend" for the backend image does not exist yet');
    expect(message).toContain(
      `terraform -chdir=${where} init -input=false && terraform -chdir=${where} apply -input=false ` +
        "-target=aws_ecr_repository.registry_backend_repo_11112222 -target=aws_ecr_repository.registry_frontend_repo_33334444",
    );
  });

  test("a failing terraform apply stops the deploy before the migration", async () => {
    healthyAws();
    failCommand = "terraform apply -input=false pre-rollout.tfplan";
    await expect(deploy(options(), deps())).rejects.toThrow(/terraform apply .* exited with code 1/);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test("AWS errors become one clear message (here: no credentials), not a stack trace", async () => {
    healthyAws();
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    ecr.on(DescribeImagesCommand).rejects(noCredentials);
    await expect(deploy(options(), deps())).rejects.toThrow(
      /^Checking backend image .*shop-staging-backend:v1.2.3 in ECR failed: no AWS credentials found \(Could not load credentials from any providers\)\. The SDK's default chain/,
    );
  });
});

describe("deploy: step 5, waiting for the services", () => {
  function expectCurrentRevisions(revision = 7): void {
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => ({ taskDefinition: { taskDefinitionArn: TD(input.taskDefinition, revision) } }));
  }
  const stableFrontend = service("frontend", [deployment({ taskDefinition: TD("shop-staging-frontend", 7) })]);

  test("polls until the PRIMARY deployment is COMPLETED with running == desired", async () => {
    expectCurrentRevisions();
    const rolling = [
      deployment({ taskDefinition: TD("shop-staging-backend", 7), rolloutState: "IN_PROGRESS", runningCount: 1, pendingCount: 1 }),
      deployment({ id: "ecs-svc/old", status: "ACTIVE", taskDefinition: TD("shop-staging-backend", 6) }),
    ];
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service("backend", rolling), stableFrontend] })
      .resolvesOnce({ services: [service("backend", [deployment({ taskDefinition: TD("shop-staging-backend", 7), rolloutState: "IN_PROGRESS" })]), stableFrontend] })
      .resolves({ services: [service("backend", [deployment({ taskDefinition: TD("shop-staging-backend", 7) })]), stableFrontend] });
    await waitForServicesStable(contract, { intervalMs: 10_000, timeoutMs: 600_000 }, deps());
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    expect(clock.t).toBe(20_000);
    expect(lines).toContain("      backend: 1/2 running, 1 pending, IN_PROGRESS, shop-staging-backend:7");
    expect(lines).toContain("      backend: 2/2 running, COMPLETED, shop-staging-backend:7 (stable)");
  });

  test("a circuit-breaker FAILED deployment fails step 5 at once, with the reason and the service events", async () => {
    healthyAws();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service(
          "backend",
          [
            deployment({ id: "ecs-svc/old", taskDefinition: TD("shop-staging-backend", 6), rolloutState: "IN_PROGRESS", runningCount: 1 }),
            deployment({
              status: "ACTIVE",
              taskDefinition: TD("shop-staging-backend", 7),
              rolloutState: "FAILED",
              rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
              failedTasks: 3,
              runningCount: 0,
            }),
          ],
          ["(service shop-staging-backend) rolling back to deployment ecs-svc/old.", "(service shop-staging-backend) deployment ecs-svc/new deployment failed: tasks failed to start."],
        ),
        stableFrontend,
      ],
    });
    const message = await deploy(options(), deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain(
      "The backend rollout failed: the deployment circuit breaker stopped the rollout of shop-staging-backend:7 " +
        "(ECS deployment circuit breaker: tasks failed to start., 3 failed tasks); ECS is rolling back to shop-staging-backend:6.",
    );
    expect(message).toMatch(/deployment failed: tasks failed to start\.\n.*rolling back to deployment ecs-svc\/old\./);
    expect(message).toContain("aws ecs list-tasks --cluster shop-staging-cluster --service-name shop-staging-backend --desired-status STOPPED --region eu-west-1");
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("Deployed"))).toBe(false);
  });

  test("a service back on an older task definition (the failed deployment already gone) is a rollback, not a success", async () => {
    expectCurrentRevisions();
    ecs.on(DescribeServicesCommand).resolves({ services: [service("backend", [deployment({ id: "ecs-svc/old", taskDefinition: TD("shop-staging-backend", 6) })]), stableFrontend] });
    await expect(waitForServicesStable(contract, { intervalMs: 1, timeoutMs: 10 }, deps())).rejects.toThrow(
      /backend rollout failed: the service was rolled back: it runs shop-staging-backend:6 instead of shop-staging-backend:7/,
    );
  });

  test("timeout is a failure listing the unfinished service's last events", async () => {
    expectCurrentRevisions();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service("backend", [deployment({ taskDefinition: TD("shop-staging-backend", 7), rolloutState: "IN_PROGRESS", runningCount: 0, pendingCount: 2 })], [
          "(service shop-staging-backend) has started 2 tasks: (task a) (task b).",
          "(service shop-staging-backend) (task a) failed ELB health checks in (target-group tg).",
        ]),
        stableFrontend,
      ],
    });
    const message = await waitForServicesStable(contract, { intervalMs: 10_000, timeoutMs: 60_000 }, deps()).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(message).toContain("Timed out after 1m 00s waiting for backend to become stable.");
    expect(message).toContain("backend: 0/2 running, 2 pending, IN_PROGRESS, shop-staging-backend:7");
    expect(message).toContain("failed ELB health checks in (target-group tg).");
    expect(message).not.toContain("frontend:");
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(7);
  });

  test("a service missing from the cluster is a clear error", async () => {
    expectCurrentRevisions();
    ecs.on(DescribeServicesCommand).resolves({ services: [stableFrontend], failures: [{ arn: "arn:...:service/shop-staging-cluster/shop-staging-backend", reason: "MISSING" }] });
    await expect(waitForServicesStable(contract, { intervalMs: 1, timeoutMs: 10 }, deps())).rejects.toThrow(/does not have the service\(s\) .*shop-staging-backend \(MISSING\)/);
  });
});

describe("deploy: step 5 with queue workers (issue 14)", () => {
  const worker = (name: string) => ({
    serviceName: `shop-staging-worker-${name}`,
    taskFamily: `shop-staging-worker-${name}`,
    containerName: `worker-${name}`,
    securityGroupName: `shop-staging-worker-${name}`,
    logGroup: `/shop/staging/ecs/worker-${name}`,
    logStreamPrefix: "ecs",
    repositoryName: "shop-staging-backend",
  });
  const withWorkers = (...names: string[]): DeployContract => ({ ...contract, workers: Object.fromEntries(names.map((n) => [n, worker(n)])) });
  const stable = (name: string, revision = 7) => ({ ...service("backend", [deployment({ taskDefinition: TD(name, revision) })]), serviceName: name });
  beforeEach(() => ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => ({ taskDefinition: { taskDefinitionArn: TD(input.taskDefinition, 7) } })));

  test("waits for each worker too, on its own family's new revision, and returns every revision", async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [stable("shop-staging-backend"), stable("shop-staging-frontend"), { ...stable("shop-staging-worker-default"), deployments: [deployment({ taskDefinition: TD("shop-staging-worker-default", 7), rolloutState: "IN_PROGRESS" })] }] })
      .resolves({ services: [stable("shop-staging-backend"), stable("shop-staging-frontend"), stable("shop-staging-worker-default")] });
    const running = await waitForServicesStable(withWorkers("default"), { intervalMs: 1_000, timeoutMs: 60_000 }, deps());
    expect(running).toEqual({
      backend: TD("shop-staging-backend", 7),
      frontend: TD("shop-staging-frontend", 7),
      "worker default": TD("shop-staging-worker-default", 7),
    });
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input.services).toEqual(["shop-staging-backend", "shop-staging-frontend", "shop-staging-worker-default"]);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
    expect(lines).toContain("      worker default: 2/2 running, COMPLETED, shop-staging-worker-default:7 (stable)");
  });

  test("a worker rolled back by its circuit breaker fails the deploy, naming the worker and its logs", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [stable("shop-staging-backend"), stable("shop-staging-frontend"), stable("shop-staging-worker-mail", 6)],
    });
    await expect(waitForServicesStable(withWorkers("mail"), { intervalMs: 1, timeoutMs: 10 }, deps())).rejects.toThrow(
      /The worker mail rollout failed: the service was rolled back: it runs shop-staging-worker-mail:6 instead of shop-staging-worker-mail:7[\s\S]*aws logs tail \/shop\/staging\/ecs\/worker-mail/,
    );
  });

  test("more than ten services are described in batches of ten (the DescribeServices limit)", async () => {
    const names = Array.from({ length: 9 }, (_, i) => `w${i}`);
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: input.services.map((n) => stable(n)) }));
    await waitForServicesStable(withWorkers(...names), { intervalMs: 1, timeoutMs: 10 }, deps());
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services!.length)).toEqual([10, 1]);
  });
});

describe("assessRollout (the rollback rule)", () => {
  const expected = TD("shop-staging-backend", 7);
  const svc = (deployments: Deployment[]) => service("backend", deployments);

  test("stable: PRIMARY on the new revision, COMPLETED, running == desired", () => {
    expect(assessRollout(svc([deployment({ taskDefinition: expected })]), expected, "ecs-svc/new").state).toBe("stable");
  });
  test("in progress while COMPLETED but not all tasks run, or IN_PROGRESS", () => {
    expect(assessRollout(svc([deployment({ taskDefinition: expected, runningCount: 1 })]), expected).state).toBe("in-progress");
    expect(assessRollout(svc([deployment({ taskDefinition: expected, rolloutState: "IN_PROGRESS" })]), expected).state).toBe("in-progress");
  });
  test("failed: a FAILED deployment of the new revision, also when it is still PRIMARY (no rollback possible)", () => {
    const stuck = assessRollout(svc([deployment({ taskDefinition: expected, rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." })]), expected);
    expect(stuck).toEqual({ state: "failed", reason: expect.stringContaining("there is no earlier completed deployment to roll back to") });
  });
  test("failed: the PRIMARY deployment runs an older revision", () => {
    expect(assessRollout(svc([deployment({ taskDefinition: TD("shop-staging-backend", 6) })]), expected).state).toBe("failed");
  });
  test("failed: the watched deployment was replaced by another PRIMARY with the same revision", () => {
    const result = assessRollout(svc([deployment({ id: "ecs-svc/rollback", taskDefinition: expected })]), expected, "ecs-svc/new");
    expect(result).toEqual({ state: "failed", reason: expect.stringContaining("ecs-svc/new this deploy started is no longer PRIMARY (now ecs-svc/rollback)") });
  });
  test("without rolloutState (not the rolling-update controller): stable when it is the only deployment and all tasks run", () => {
    expect(assessRollout(svc([deployment({ taskDefinition: expected, rolloutState: undefined })]), expected).state).toBe("stable");
    expect(
      assessRollout(svc([deployment({ taskDefinition: expected, rolloutState: undefined }), deployment({ id: "x", status: "ACTIVE", rolloutState: undefined, taskDefinition: TD("f", 1) })]), expected)
        .state,
    ).toBe("in-progress");
  });
});

describe("target discovery from the synthesized stack", () => {
  test("step 2 targets everything except the services and what depends on them (directly, by depends_on, through data)", () => {
    expect(findApplyTargets(stackJson(), contract, TAGGED)).toEqual({
      targets: TARGETS,
      required: [`aws_ecs_task_definition.${MIGRATION_TD}`, "aws_ecs_cluster.cluster_cluster_1A2B3C4D", "aws_security_group.backend_sg_DDDD4444"],
      deferred: DEFERRED,
    });
  });

  test("what the migration needs at run time but Terraform only sees as pointing at it (role policy, security group rule) is a target", () => {
    const { targets } = findApplyTargets(stackJson(), contract, TAGGED);
    expect(targets).toEqual(expect.arrayContaining(["aws_iam_role_policy.backend_exec-policy_99990001", "aws_vpc_security_group_egress_rule.backend_https-out_99990002"]));
  });

  test("build mode: every docker_registry_image is required and targeted; mixed modes too", () => {
    const built = findApplyTargets(stackJson({ withImages: true }), contract, BUILT);
    expect(built.required.slice(0, 2)).toEqual(IMAGES);
    expect(built.targets).toEqual([...TARGETS, ...IMAGES]);
    expect(findApplyTargets(stackJson({ withImages: true }), contract, { backend: BUILT.backend, frontend: TAGGED.frontend }).required).toHaveLength(5);
  });

  test("a missing target is an error saying the stack and the contract disagree", () => {
    expect(() => findApplyTargets(stackJson({ family: "something-else" }), contract, TAGGED)).toThrow(
      /no aws_ecs_task_definition with family = "shop-staging-backend-migrate" \(the migration task definition\); the deploy contract .* says there is exactly one/,
    );
    expect(() => findApplyTargets(stackJson(), contract, BUILT)).toThrow(/backend and frontend are in build mode, but the synthesized stack has no docker_registry_image/);
    expect(() => findApplyTargets(stackJson({ withVariables: false }), contract, TAGGED)).toThrow(/declares no Terraform variable "backend_image_tag"/);
    const noService = stackJson();
    delete noService.resource!.aws_ecs_service.frontend_service_87654321;
    expect(() => findApplyTargets(noService, contract, TAGGED)).toThrow(/no aws_ecs_service with name = "shop-staging-frontend" \(the frontend service\)/);
  });

  test("a migration resource that depends on a service cannot be applied before the rollout", () => {
    const tangled = stackJson();
    (tangled.resource!.aws_ecs_task_definition["backend_migrate-taskdef_BBBB2222"] as Record<string, unknown>).depends_on = ["aws_ecs_service.backend_service_12345678"];
    expect(() => findApplyTargets(tangled, contract, TAGGED)).toThrow(/aws_ecs_task_definition\.backend_migrate-taskdef_BBBB2222 depends on an ECS service/);
  });

  test("referencesOf reads ${...} expressions (hyphenated names, data sources, nested values) and depends_on, not metadata", () => {
    const known = new Set(["aws_iam_role.a-b_1", "data.aws_iam_policy_document.doc_2", "aws_s3_bucket.b_3", "aws_db_instance.db_4", "aws_ecs_cluster.c_5"]);
    const body = {
      "//": { metadata: { path: "staging/aws_ecs_cluster.c_5" } },
      role: "${aws_iam_role.a-b_1.arn}",
      nested: [{ policy: "${data.aws_iam_policy_document.doc_2.json}" }, { env: "s3://${aws_s3_bucket.b_3.bucket}/x and ${aws_db_instance.db_4.master_user_secret[0].secret_arn}" }],
      depends_on: ["aws_ecs_cluster.c_5", "aws_unknown.z_9"],
    };
    expect([...referencesOf(body, known)].sort()).toEqual([...known].sort());
    expect([...referencesOf({ "//": { path: "${aws_ecs_cluster.c_5.arn}" } }, known)]).toEqual([]);
  });

  test("a stack that synth did not write is a clear error", async () => {
    rmSync(join(dir, "cdk.tf.json"));
    healthyAws();
    await expect(deploy(options(), deps())).rejects.toThrow(/cdk\.tf\.json does not exist: 'cdktf synth' did not produce this environment's stack/);
  });
});

describe("command line", () => {
  const envs = ["staging", "production"];
  const parse = (...argv: string[]) => parseDeployArgs(argv, envs, () => undefined);
  const usageError = (...argv: string[]) => messageOf(() => parse(...argv), UsageError);

  test("parses the environment and the options", () => {
    expect(parse("production", "--backend-tag", "v2", "--skip-migrations", "--rollout-timeout", "45")).toEqual({
      kind: "run",
      args: { environment: "production", backendTag: "v2", frontendTag: undefined, skipMigrations: true, migrationTimeoutMinutes: 30, rolloutTimeoutMinutes: 45, allow: [] },
    });
    expect(parse("staging", "--allow", "aws_ecs_task_definition.a", "--allow", "aws_ecs_task_definition.b")).toMatchObject({ args: { allow: ["aws_ecs_task_definition.a", "aws_ecs_task_definition.b"] } });
  });

  test("--help prints help and asks for exit 0", () => {
    let text = "";
    expect(parseDeployArgs(["--help"], envs, (t) => (text += t))).toEqual({ kind: "help" });
    expect(text).toContain("--skip-migrations");
  });

  test("unknown environment lists the valid ones", () => {
    expect(usageError("qa")).toBe('unknown environment "qa"; valid environments: staging, production');
  });
  test("missing environment", () => {
    expect(usageError()).toMatch(/^missing the environment .* valid environments: staging, production$/);
  });
  test("unknown flag", () => {
    expect(usageError("staging", "--force")).toMatch(/^unknown option '--force' \(usage: npm run deploy -- <environment> \[options\]; --help for all options\)$/);
  });
  test("bad tag format", () => {
    expect(usageError("staging", "--frontend-tag", "-bad")).toMatch(/^--frontend-tag "-bad" is not a valid image tag/);
    expect(usageError("staging", "--backend-tag", "has space")).toMatch(/^--backend-tag "has space" is not a valid image tag/);
  });
  test("bad timeout", () => {
    expect(usageError("staging", "--migration-timeout", "0")).toMatch(/must be a positive number of minutes/);
  });
  test("a tag for a service that Terraform builds is a usage error", () => {
    expect(() => applyTagOverrides(BUILT, { backend: "v1" })).toThrow(new UsageError('--backend-tag only applies when the backend image comes from a tag; config builds it from examples/backend (source: "build").'));
    expect(applyTagOverrides(TAGGED, { frontend: "web-43" }).frontend).toEqual({ source: "tag", tag: "web-43", verifyTagExists: true });
  });

  test("reportFailure: usage errors exit 2 with one line; step failures exit 1 with their message", () => {
    let text = "";
    expect(reportFailure(new UsageError('unknown environment "qa"; valid environments: staging'), (t) => (text += t))).toBe(2);
    expect(text).toBe('error: unknown environment "qa"; valid environments: staging\n');
    text = "";
    expect(reportFailure(new DeployError("The migration failed"), (t) => (text += t))).toBe(1);
    expect(text).toBe("\nThe migration failed\n");
  });

  test("awsCall turns an SDK error into a DeployError saying what was being done", async () => {
    const denied = Object.assign(new Error("User is not authorized to perform ecs:RunTask"), { name: "AccessDeniedException" });
    await expect(awsCall("Starting the migration task", () => Promise.reject(denied))).rejects.toThrow(
      new DeployError(
        "Starting the migration task failed: AWS refused the request (AccessDeniedException): User is not authorized to perform ecs:RunTask. Check that your credentials belong to the environment's account and may do this.",
      ),
    );
  });
});

describe("the real stacks (synthesized from config/) agree with the deploy contract", () => {
  const real = () => {
    const configs = loadEnvironments(environments);
    return buildStacks().environments.map((stack) => {
      const config = configs.find((c) => c.name === stack.config.name)!;
      return { config, contract: deployContract(config), json: synth(stack).json as SynthesizedStack, sources: imageSourcesOf(config) };
    });
  };

  const exactAddress = (json: SynthesizedStack, type: string, family: string) =>
    `${type}.${Object.entries(json.resource?.[type] ?? {}).find(([, body]) => body.family === family)![0]}`;

  test("step 2 finds the migration's resources and leaves exactly the services and their dependents to cdktf deploy", () => {
    for (const { config, contract, json, sources } of real()) {
      const { targets, required, deferred } = findApplyTargets(json, contract, sources);
      expect(required.every((address) => targets.includes(address))).toBe(true);
      const workers = Object.keys(config.workers).length;
      expect(deferred.filter((a) => a.startsWith("aws_ecs_service."))).toHaveLength(2 + workers);
      // Schedules start tasks of the backend's new task definition: they too wait for the migration (issue 14).
      expect(deferred.filter((a) => a.startsWith("aws_scheduler_schedule."))).toHaveLength(Object.keys(config.scheduledJobs).length);
      // A queue worker's scaling alarms point at its scaling policies, so they follow the service.
      expect(deferred.filter((a) => a.startsWith("aws_cloudwatch_metric_alarm.")).every((a) => a.startsWith("aws_cloudwatch_metric_alarm.worker-"))).toBe(true);
      expect(deferred.every((a) => /^aws_(ecs_service|appautoscaling_target|appautoscaling_policy|scheduler_schedule|cloudwatch_metric_alarm)\./.test(a))).toBe(true);
      // The worker's task definition is applied in step 2, like the backend's (its service then points at it).
      for (const name of Object.keys(config.workers)) expect(targets).toContain(exactAddress(json, "aws_ecs_task_definition", contract.workers![name].taskFamily));
      // What the migration needs at run time although nothing in it refers to them:
      const types = new Set(targets.map((t) => t.split(".")[0]));
      for (const type of ["aws_iam_role_policy", "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule", "aws_route", "aws_route_table_association", "aws_nat_gateway"]) {
        expect([config.name, type, types.has(type)]).toEqual([config.name, type, true]);
      }
      const subnetNames = Object.entries(json.resource?.aws_subnet ?? {})
        .filter(([name]) => targets.includes(`aws_subnet.${name}`))
        .map(([, body]) => (body.tags as Record<string, string> | undefined)?.Name);
      expect(subnetNames).toEqual(expect.arrayContaining([...contract.privateSubnetNames]));
    }
  });
});
