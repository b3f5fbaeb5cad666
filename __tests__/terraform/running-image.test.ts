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
import { reviewPlan, toText } from "../../lib/plan-review";
import type { PlanJson, ResourceChange } from "../../lib/terraform";
import { ROLLBACK_TAG, RUNNING_TAG } from "./shared-plans";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun, type Run } from "./terraform-run";

const REPOSITORY = (service: string) => `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-${service}`;
const TASK = (service: string) => new RegExp(`^aws_ecs_task_definition\\.${service}-service_task-definition_`);
const MIGRATION = /^aws_ecs_task_definition\.backend-service_migration-task-definition_/;
const imageOf = (c: ResourceChange | undefined, side: "before" | "after"): string => JSON.parse(c!.change[side]!.container_definitions as string)[0].image;

let run: Run;
let plan: PlanJson;
const changes = (pattern: RegExp) => (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && pattern.test(c.address));

// The plan is made in the shared run (shared-plans.ts, "running_image"): staging configured with
// OLDER_CONFIG_TAG while RUNNING_TAG runs, no -var for the frontend, ROLLBACK_TAG for the backend.
beforeAll(async () => {
  run = await readRun(process.env[RUN_DIR_VARIABLE]);
  plan = run.extra("running_image").plan;
}, RUN_WAIT_MS);

test("with no -var, the running tag wins over an older config tag: the frontend task definition does not change", () => {
  expect(changes(TASK("frontend")).map((c) => c.change.actions.join())).toEqual(["no-op"]);
  expect(imageOf(changes(TASK("frontend"))[0], "after")).toBe(`${REPOSITORY("frontend")}:${RUNNING_TAG}`);
  expect(plan.output_changes?.frontend_image_tag_running?.after).toBe(RUNNING_TAG);
  // Only the backend's explicit rollback changes anything: the backend, and what runs its image or task
  // definition (staging's queue worker and its scheduled jobs, issue 14).
  const changing = (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.join() !== "no-op").map((c) => c.address);
  const followsBackend = /^aws_(ecs_task_definition|ecs_service)\.worker-default_|^aws_scheduler_schedule\.scheduled-jobs_/;
  expect(changing.filter((a) => !TASK("backend").test(a) && !MIGRATION.test(a) && !/^aws_ecs_service\.backend-service_/.test(a) && !followsBackend.test(a))).toEqual([]);
  expect(changing.filter((a) => /^aws_ecs_task_definition\.worker-default_/.test(a))).toHaveLength(1);
});

test("an explicit older tag is a ROLLBACK in the review, blocked unless allowed by address", () => {
  expect(imageOf(changes(TASK("backend"))[0], "before")).toBe(`${REPOSITORY("backend")}:${RUNNING_TAG}`);
  expect(imageOf(changes(TASK("backend"))[0], "after")).toBe(`${REPOSITORY("backend")}:${ROLLBACK_TAG}`);
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
  expect(imageOf(frontend, "after")).toBe(`${REPOSITORY("frontend")}:${RUNNING_TAG}`);
  expect((plan.resource_changes ?? []).filter((c) => c.type === "terraform_remote_state" || c.type === "aws_s3_objects")).toEqual([]);
});
