/**
 * Issue 10 item 5: the running image is the default of every plan, whatever runs it (`cdktf
 * diff/deploy`, `npm run deploy`, a workflow), and going back is explicit and named by the review.
 *
 * Real Terraform over staging's as-applied state (shared run, __tests__/terraform-run.ts), with a
 * configuration whose tags (v0.0.5) are OLDER than what runs (v0.1.0, as CI deployed it): the
 * stack's `terraform_remote_state` of its own state is pointed at a local file holding the
 * `<service>_image_tag_running` outputs the last apply wrote. The S3 existence check in front of
 * it (`aws_s3_objects`) calls AWS, so the override here replaces it by the gate variable alone.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments, type EnvironmentInput } from "../../config";
import { READ_RUNNING_IMAGES_VARIABLE } from "../../constructs/compute/running-images";
import { reviewPlan, toText } from "../../lib/plan-review";
import { harnessOptionsFromEnv, planInDir, reuseInit, synthesize, type PlanJson, type ResourceChange } from "../../lib/terraform";
import { RUN_DIR_VARIABLE, readRun, type Run } from "./terraform-run";

const REPOSITORY = (service: string) => `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-${service}`;
const TASK = (service: string) => new RegExp(`^aws_ecs_task_definition\\.${service}-service_task-definition_`);
const MIGRATION = /^aws_ecs_task_definition\.backend-service_migration-task-definition_/;
const imageOf = (c: ResourceChange | undefined, side: "before" | "after"): string => JSON.parse(c!.change[side]!.container_definitions as string)[0].image;

let run: Run;
let plan: PlanJson;
const changes = (pattern: RegExp) => (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && pattern.test(c.address));

beforeAll(async () => {
  run = await readRun(process.env[RUN_DIR_VARIABLE]);
  const input = (environments as EnvironmentInput[]).find((e) => e.name === "staging")!;
  const older = { source: "tag", tag: "v0.0.5" } as const;
  const variant: EnvironmentInput = {
    ...input,
    services: { backend: { ...input.services.backend, image: older }, frontend: { ...input.services.frontend, image: older } },
  };
  const outdir = join(run.dir, "variants", "staging-running-image");
  mkdirSync(outdir, { recursive: true });
  synthesize(outdir, [variant]);
  const prepared = await reuseInit({ stack: "staging", dir: run.stacks.staging.dir }, outdir, "staging");
  const synthesized = JSON.parse(readFileSync(join(prepared.dir, "cdk.tf.json"), "utf8"));
  const [objects] = Object.keys(synthesized.data.aws_s3_objects);
  const [remote] = Object.keys(synthesized.data.terraform_remote_state);
  writeFileSync(
    join(prepared.dir, "zz_running_state_override.tf.json"),
    JSON.stringify({
      data: {
        aws_s3_objects: { [objects]: { count: 0 } },
        terraform_remote_state: { [remote]: { backend: "local", config: { path: "running.tfstate" }, count: `\${var.${READ_RUNNING_IMAGES_VARIABLE} ? 1 : 0}` } },
      },
    }),
  );
  // The environment's state as the last apply (CI, v0.1.0) left it: resources and the running-tag outputs.
  const applied = JSON.parse(readFileSync(run.asApplied.staging.stateFile, "utf8"));
  writeFileSync(join(prepared.dir, "as-applied.tfstate"), JSON.stringify(applied));
  const running = { backend_image_tag_running: "v0.1.0", frontend_image_tag_running: "v0.1.0" };
  writeFileSync(
    join(prepared.dir, "running.tfstate"),
    JSON.stringify({ ...applied, outputs: Object.fromEntries(Object.entries(running).map(([k, value]) => [k, { value, type: "string" }])) }),
  );
  // No -var for the frontend: it must keep what runs. An explicit, older tag for the backend: a rollback.
  plan = await planInDir(prepared, harnessOptionsFromEnv(), { state: "as-applied.tfstate", plan: "running-image.tfplan" }, [
    "-var",
    `${READ_RUNNING_IMAGES_VARIABLE}=true`,
    "-var",
    "backend_image_tag=v0.0.9",
  ]);
}, 600_000);

test("with no -var, the running tag wins over an older config tag: the frontend task definition does not change", () => {
  expect(changes(TASK("frontend")).map((c) => c.change.actions.join())).toEqual(["no-op"]);
  expect(imageOf(changes(TASK("frontend"))[0], "after")).toBe(`${REPOSITORY("frontend")}:v0.1.0`);
  expect(plan.output_changes?.frontend_image_tag_running?.after).toBe("v0.1.0");
  // Only the backend's explicit rollback changes anything: the backend, and what runs its image or task
  // definition (staging's queue worker and its scheduled jobs, issue 14).
  const changing = (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.join() !== "no-op").map((c) => c.address);
  const followsBackend = /^aws_(ecs_task_definition|ecs_service)\.worker-default_|^aws_scheduler_schedule\.scheduled-jobs_/;
  expect(changing.filter((a) => !TASK("backend").test(a) && !MIGRATION.test(a) && !/^aws_ecs_service\.backend-service_/.test(a) && !followsBackend.test(a))).toEqual([]);
  expect(changing.filter((a) => /^aws_ecs_task_definition\.worker-default_/.test(a))).toHaveLength(1);
});

test("an explicit older tag is a ROLLBACK in the review, blocked unless allowed by address", () => {
  expect(imageOf(changes(TASK("backend"))[0], "before")).toBe(`${REPOSITORY("backend")}:v0.1.0`);
  expect(imageOf(changes(TASK("backend"))[0], "after")).toBe(`${REPOSITORY("backend")}:v0.0.9`);
  const review = reviewPlan(plan);
  expect(review.blocked).toBe(true);
  // The worker runs the backend's image: its rollback is blocked too (issue 14).
  expect(review.blocking.map((c) => c.address).sort()).toEqual([
    expect.stringMatching(MIGRATION),
    expect.stringMatching(TASK("backend")),
    expect.stringMatching(/^aws_ecs_task_definition\.worker-default_task-definition_/),
  ]);
  expect(toText(review)).toContain("ROLLBACK: the new tag is older than the running one");
  expect(reviewPlan(plan, { allow: review.blocking.map((c) => c.address) }).blocked).toBe(false);
});

test("a first deploy (no state to read; offline plans read none either) uses the config's tag", () => {
  const plan = run.stacks.staging.plan;
  const frontend = (plan.resource_changes ?? []).find((c) => TASK("frontend").test(c.address));
  expect(frontend?.change.actions).toEqual(["create"]);
  expect(imageOf(frontend, "after")).toBe(`${REPOSITORY("frontend")}:v0.1.0`);
  expect((plan.resource_changes ?? []).filter((c) => c.type === "terraform_remote_state" || c.type === "aws_s3_objects")).toEqual([]);
});
