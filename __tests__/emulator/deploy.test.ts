/**
 * `npm run deploy`'s five steps (lib/deploy/deploy.ts) against the emulator: real Terraform, real
 * AWS SDK calls (ECR tag check, EC2 subnet look-up, ECS RunTask / DescribeTasks, DescribeServices),
 * on staging as a new user deploys it. The command runner runs Terraform for real; its only
 * stand-ins are `cdktf synth` (the harness synthesized the emulator's config already) and
 * `cdktf deploy --skip-synth`, which is `terraform apply` of the same stack with the same variables.
 * The migration step cannot succeed here (see the first test); it stays covered by the mocked tests.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { loadEnvironment } from "../../config";
import { staging } from "../../config/staging";
import { deploy, type DeployDeps, type DeployOptions } from "../../lib/deploy/deploy";
import { imageSourcesOf } from "../../lib/deploy/images";
import type { CommandRunner } from "../../lib/deploy/process";
import { systemClock } from "../../lib/deploy/progress";
import { notCreated, prepareEnvironment, pushAll, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { targetsOfType } from "../../lib/emulator/stack";
import { deployContract } from "../../stacks/deploy-contract";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(staging);
  // README "First deploy on an empty AWS account", tag mode: the repositories first, then CI pushes.
  await env.stack.apply(targetsOfType(env.stack, "aws_ecr_repository"));
  await pushAll(env, "v0.1.0");
}, 900_000);

afterAll(() => teardown(env));

function setup(interruptAt?: string, skipMigrations = true): { options: DeployOptions; deps: DeployDeps; log: string[]; commands: string[] } {
  const config = loadEnvironment(env.input);
  const aws = { region: config.region, endpoint: env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } };
  const log: string[] = [];
  const commands: string[] = [];
  const run: CommandRunner = async (command, args) => {
    const line = `${command} ${args.join(" ")}`;
    commands.push(line);
    if (interruptAt && line.includes(interruptAt)) throw new Error(`interrupted before: ${line}`);
    if (command === "npx" && args[1] === "synth") return;
    if (command === "npx" && args[1] === "deploy") {
      await env.stack.apply(args.filter((a) => a.startsWith("--var=")).map((a) => a.replace(/^--var=/, "-var=")));
      return;
    }
    await env.stack.terraform(args);
  };
  return {
    options: {
      contract: deployContract(config),
      sources: imageSourcesOf(config),
      projectDir: env.outdir,
      stackDir: env.stack.dir,
      skipMigrations,
      migrationPoll: { intervalMs: 200, timeoutMs: 120_000 },
      rolloutPoll: { intervalMs: 500, timeoutMs: 120_000 },
    },
    deps: {
      ecs: new ECSClient(aws),
      ec2: new EC2Client(aws),
      ecr: new ECRClient(aws),
      run,
      // Terraform output and state reads (the migration's task definition ARN, the running image tags).
      capture: async (_command, args) => {
        commands.push(["terraform", ...args].join(" "));
        return env.stack.terraform(args);
      },
      log: (line) => log.push(line),
      clock: systemClock,
    },
    log,
    commands,
  };
}

const services = async () => (await env.stack.stateList()).filter((a) => a.startsWith("aws_ecs_service."));

test("a migration task that cannot start stops the deploy at step 3: the services are not touched", async () => {
  // moto's RunTask ignores a capacity provider strategy and then finds no container instance (HTTP 500);
  // AWS starts the task on Fargate. So here the migration always fails to start: the failure path.
  const { options, deps, commands } = setup(undefined, false);
  await expect(deploy(options, deps)).rejects.toThrow(/Starting the migration task on cluster "webapp-staging-cluster" \(ECS RunTask\) failed/);
  expect(commands.some((c) => c.startsWith("terraform apply") && c.includes("-target="))).toBe(true);
  expect(commands.some((c) => c.includes("-out=deploy.tfplan"))).toBe(false);
  expect(await services()).toEqual([]);
  expect((await env.stack.stateList()).filter((a) => a.startsWith("aws_db_instance."))).toHaveLength(1);
});

test("interrupted between steps (after the pre-rollout apply, before the rollout): nothing half-done, services not touched", async () => {
  const { options, deps } = setup("-out=deploy.tfplan");
  await expect(deploy(options, deps)).rejects.toThrow(/interrupted before: terraform plan .*-out=deploy\.tfplan/);
  expect(await services()).toEqual([]);
});

test("re-running the deploy completes: pre-rollout apply again (no-op), rollout, wait for stable services", async () => {
  const { options, deps, log } = setup();
  await deploy(options, deps);
  expect(log.join("\n")).toMatch(/Deployed "staging"/);
  expect(await notCreated(env.stack)).toEqual([]);
  expect(await services()).toHaveLength(2);
});
