/**
 * `npm run deploy`'s five steps (lib/deploy/deploy.ts) against the emulator: real Terraform, real
 * AWS SDK calls (ECR tag check, EC2 subnet look-up, ECS RunTask / DescribeTasks, DescribeServices),
 * on staging as a new user deploys it, then a day-two deploy of new image tags. The command runner runs Terraform for real; its only
 * stand-ins are `cdktf synth` (the harness synthesized the emulator's config already) and
 * `cdktf deploy --skip-synth`, which is `terraform apply` of the same stack with the same variables.
 * The migration task really runs in the emulator: RunTask (launch type FARGATE), then DescribeTasks
 * polled until moto's state manager has moved it RUNNING -> ... -> STOPPED. moto reports every
 * container's exit code as 0, so the failing migration is a fault injected on the wire (the test's
 * ECS client sees exit code 1 in DescribeTasks); the deploy's reaction to it is what is under test.
 */
import { staging } from "../../config/staging";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { deploy } from "../../lib/deploy/deploy";
import { applyTagOverrides } from "../../lib/deploy/images";
import { unexplained } from "../../lib/emulator/allowlist";
import { TASK_STARTED_BY, runTask } from "../../lib/deploy/task";
import { deployDeps, notCreated, prepareEnvironment, pushAll, runningImages, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { targetsOfType } from "../../lib/emulator/stack";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(staging);
  // README "First deploy on an empty AWS account", tag mode: the repositories first, then CI pushes.
  await env.stack.apply(targetsOfType(env.stack, "aws_ecr_repository"));
  await pushAll(env, "v0.1.0");
}, 900_000);

afterAll(() => teardown(env));

function setup(interruptAt?: string, skipMigrations = false, migrationExitCode?: number) {
  return deployDeps(env, { interruptAt, skipMigrations, migrationExitCode });
}

const services = async () => (await env.stack.stateList()).filter((a) => a.startsWith("aws_ecs_service."));

test("the migration fails (exit code 1): the deploy stops at step 3 with the exit code and the log pointer, services untouched", async () => {
  const { options, deps, commands, log } = setup(undefined, false, 1);
  await expect(deploy(options, deps)).rejects.toThrow(/The migration failed: container "\S+" of task \S+ exited with code 1\.[\s\S]*logs: log group \S+, stream \S+/);
  // The task really ran in the emulator: started, polled through moto's task states (RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING) until STOPPED.
  expect(log.join("\n")).toMatch(/task \S+ started[\s\S]*task \S+: DEPROVISIONING[\s\S]*task \S+: STOPPED/);
  // Step 2: the targeted pre-rollout plan, reviewed, then applied exactly.
  expect(commands.some((c) => c.startsWith("terraform plan") && c.includes("-target=") && c.includes("-out=pre-rollout.tfplan"))).toBe(true);
  expect(commands.some((c) => c.startsWith("terraform apply") && c.includes("pre-rollout.tfplan"))).toBe(true);
  expect(commands.some((c) => c.includes("-out=deploy.tfplan"))).toBe(false);
  expect(await services()).toEqual([]);
  expect((await env.stack.stateList()).filter((a) => a.startsWith("aws_db_instance."))).toHaveLength(1);
});

test("interrupted between steps (after the pre-rollout apply, before the rollout): nothing half-done, services not touched", async () => {
  const { options, deps } = setup("-out=deploy.tfplan");
  await expect(deploy(options, deps)).rejects.toThrow(/interrupted before: terraform plan .*-out=deploy\.tfplan/);
  expect(await services()).toEqual([]);
});

test("re-running the deploy completes: pre-rollout apply again (no-op), the migration runs and exits 0, rollout, wait for stable services", async () => {
  const { options, deps, log } = setup();
  await deploy(options, deps);
  expect(log.join("\n")).toMatch(/migration exited 0/);
  expect(log.join("\n")).toMatch(/Deployed "staging"/);
  expect(await notCreated(env.stack)).toEqual([]);
  // backend, frontend and staging's queue worker (issue 14), which rolls out with the backend's image.
  expect(await services()).toHaveLength(3);
});

test("npm run task: a one-off command in a fresh task of the backend's current revision, in its network; the exit code is returned", async () => {
  const { options, deps } = setup();
  const progress: string[] = [];
  const logs = new CloudWatchLogsClient({ region: staging.region, endpoint: env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } });
  const code = await runTask(
    { contract: options.contract, service: "backend", command: ["php", "artisan", "db:seed", "--force"], poll: { intervalMs: 200, timeoutMs: 120_000 } },
    { ecs: deps.ecs, logs, log: (line) => progress.push(line), output: () => undefined, clock: deps.clock },
  );
  expect(code).toBe(0);
  expect(progress.join("\n")).toMatch(/Running "php artisan db:seed --force" in a new task of backend \(webapp-staging-backend:\d+\)/);
  // The task the emulator ran carries the command override and the service's network.
  const taskId = /task (\S+) started/.exec(progress.join("\n"))![1];
  const { tasks } = await deps.ecs.send(new DescribeTasksCommand({ cluster: options.contract.clusterName, tasks: [taskId] }));
  expect(tasks?.[0].overrides?.containerOverrides?.[0]).toMatchObject({ name: "backend", command: ["php", "artisan", "db:seed", "--force"] });
  expect(tasks?.[0].startedBy).toBe(TASK_STARTED_BY);
});

test("the plan after the deploy changes nothing but documented emulator gaps", async () => {
  expect(unexplained(await env.stack.plan())).toEqual([]);
});

test("day two: npm run deploy -- staging --backend-tag v0.2.0 --frontend-tag v0.2.0 rolls out, the services run it, and the plan after is empty", async () => {
  await pushAll(env, "v0.2.0");
  const { options, deps, log } = setup();
  await deploy({ ...options, sources: applyTagOverrides(options.sources, { backend: "v0.2.0", frontend: "v0.2.0" }) }, deps);
  expect(log.join("\n")).toMatch(/migration exited 0[\s\S]*Deployed "staging"/);
  const images = await runningImages(env);
  expect(images).toHaveLength(2);
  for (const image of images) expect(image).toMatch(/:v0\.2\.0$/);
  expect(unexplained(await env.stack.plan(["-var=backend_image_tag=v0.2.0", "-var=frontend_image_tag=v0.2.0"]))).toEqual([]);
});
