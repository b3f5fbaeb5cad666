/**
 * The bootstrap stack (state bucket, GitHub OIDC provider and roles) applied to a local AWS API
 * emulator: apply, re-plan, and a destroy that the state bucket's protection refuses.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { staging } from "../../config/staging";
import { unexplained } from "../../lib/emulator/allowlist";
import { notCreated, prepareEnvironment, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { inventory, leftovers } from "../../lib/emulator/inventory";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(staging, undefined, "bootstrap");
  await env.stack.apply();
}, 900_000);

afterAll(() => teardown(env));

test("apply creates every resource of the stack", async () => {
  expect(await notCreated(env.stack)).toEqual([]);
});

test("the plan after apply is empty", async () => {
  expect(unexplained(await env.stack.plan())).toEqual([]);
});

test("destroy is refused: the state bucket is protected in code", async () => {
  await expect(env.stack.destroy()).rejects.toThrow(/Instance cannot be destroyed/);
});

test("without the state bucket's protection, destroy completes and leaves nothing", async () => {
  // Lifting it means editing stacks/bootstrap-stack.ts (preventDestroy: true); here the synthesized JSON is edited instead.
  const file = join(env.stack.dir, "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  for (const bucket of Object.values(json.resource.aws_s3_bucket as Record<string, { lifecycle?: unknown }>)) delete bucket.lifecycle;
  writeFileSync(file, JSON.stringify(json));
  await env.stack.destroy();
  expect(await env.stack.stateList()).toEqual([]);
  expect(leftovers(env.before, await inventory(env.emulator, "eu-west-1", [env.hostedZoneId]))).toEqual([]);
});
