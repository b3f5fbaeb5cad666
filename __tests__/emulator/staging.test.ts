/**
 * Staging applied to a local AWS API emulator (moto_server), torn down and built again the same day:
 * apply, `npm run destroy -- staging --yes` with the emulator checked empty through its API, then a
 * new first deploy. The re-plan and the day-two image change are in deploy.test.ts (through `npm run deploy`).
 */
import { loadEnvironment } from "../../config";
import { staging } from "../../config/staging";
import { destroyEnvironment } from "../../lib/teardown/destroy";
import { deploy } from "../../lib/deploy/deploy";
import { targetsOfType } from "../../lib/emulator/stack";
import { deployDeps, destroyDeps, firstApply, notCreated, resynthesize, prepareEnvironment, pushAll, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { inventory, leftovers } from "../../lib/emulator/inventory";
import { createHostedZone, deleteHostedZone } from "../../lib/emulator/setup";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(staging);
  await firstApply(env, "v0.1.0");
}, 900_000);

afterAll(() => teardown(env));

test("apply creates every resource of the stack", async () => {
  expect(await notCreated(env.stack)).toEqual([]);
  expect((await env.stack.stateList()).length).toBeGreaterThan(80);
});

test("npm run destroy -- staging --yes completes and leaves nothing behind: images, secrets and all", async () => {
  // teardown in config/staging.ts: the repositories go with their images, the secrets without a recovery window.
  const log: string[] = [];
  const result = await destroyEnvironment({ config: loadEnvironment(env.input), stackDir: env.stack.dir, yes: true }, destroyDeps(env, log));
  // Only the task definition revisions (skip_destroy, kept for rollbacks; free), and the report says so.
  const families = ["webapp-staging-backend", "webapp-staging-backend-migrate", "webapp-staging-frontend", "webapp-staging-worker-default"];
  expect([...(result?.left ?? [])].sort()).toEqual(families.map((f) => expect.stringContaining(`task definition revisions of "${f}" stay registered`)));
  expect(await env.stack.stateList()).toEqual([]);
  const left = leftovers(env.before, await inventory(env.emulator, env.input.region, [env.hostedZoneId]));
  expect(left.filter((entry) => !families.some((f) => entry.includes(`:task-definition/${f}:`)))).toEqual([]);
  expect(left.length).toBe(families.length); // one revision per family, from the first deploy
});

test("create again the same day with npm run deploy: repositories, push, deploy; no name is still reserved", async () => {
  // moto (not AWS) refuses to create a DNS record identical to one created earlier in the same zone, even
  // after it was deleted (its change journal check), so the rebuild uses a fresh zone of the same name.
  await deleteHostedZone(env.emulator, env.hostedZoneId);
  const hostedZoneId = await createHostedZone(env.emulator, staging.domain.name);
  env = await resynthesize({ ...env, hostedZoneId }, (input) => ({ ...input, domain: { ...input.domain, hostedZoneId } }));
  // README "First deploy on an empty AWS account", tag mode: the repositories first, then CI pushes, then deploy.
  await env.stack.apply(targetsOfType(env.stack, "aws_ecr_repository"));
  await pushAll(env, "v0.1.0");
  const { options, deps, log } = deployDeps(env);
  await deploy(options, deps);
  expect(log.join("\n")).toMatch(/migration exited 0[\s\S]*Deployed "staging"/);
  expect(await notCreated(env.stack)).toEqual([]);
});
