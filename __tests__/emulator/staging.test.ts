/**
 * Staging applied to a local AWS API emulator (moto_server) as a new user would: apply, re-plan,
 * a day-two image change, destroy, and the emulator checked empty through its API.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { loadEnvironment } from "../../config";
import { staging } from "../../config/staging";
import { destroyEnvironment } from "../../lib/teardown/destroy";
import { deployContract } from "../../stacks/deploy-contract";
import { unexplained } from "../../lib/emulator/allowlist";
import { destroyDeps, firstApply, notCreated, resynthesize, prepareEnvironment, pushAll, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
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

test("the plan after apply changes nothing but documented emulator gaps", async () => {
  expect(unexplained(await env.stack.plan())).toEqual([]);
});

test("day two: a new image tag applies and the services run it", async () => {
  await pushAll(env, "v0.2.0");
  await env.stack.apply(["-var=backend_image_tag=v0.2.0", "-var=frontend_image_tag=v0.2.0"]);
  const ecs = new ECSClient({ region: env.input.region, endpoint: env.emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } });
  const contract = deployContract(loadEnvironment(env.input));
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: contract.clusterName, services: [contract.services.backend.serviceName, contract.services.frontend.serviceName] }),
  );
  expect(services).toHaveLength(2);
  for (const service of services ?? []) {
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
    expect(taskDefinition?.containerDefinitions?.[0].image).toMatch(/:v0\.2\.0$/);
  }
  ecs.destroy();
});

test("npm run destroy -- staging --yes completes and leaves nothing behind: images, secrets and all", async () => {
  // teardown in config/staging.ts: the repositories go with their images, the secrets without a recovery window.
  const log: string[] = [];
  const result = await destroyEnvironment({ config: loadEnvironment(env.input), stackDir: env.stack.dir, yes: true }, destroyDeps(env, log));
  expect(result?.left).toEqual([]);
  expect(log.join("\n")).toContain('Nothing is left.');
  expect(await env.stack.stateList()).toEqual([]);
  expect(leftovers(env.before, await inventory(env.emulator, env.input.region, [env.hostedZoneId]))).toEqual([]);
});

test("create again the same day: the first deploy works again, no name is still reserved", async () => {
  // moto (not AWS) refuses to create a DNS record identical to one created earlier in the same zone, even
  // after it was deleted (its change journal check), so the rebuild uses a fresh zone of the same name.
  await deleteHostedZone(env.emulator, env.hostedZoneId);
  const hostedZoneId = await createHostedZone(env.emulator, staging.domain.name);
  env = await resynthesize({ ...env, hostedZoneId }, (input) => ({ ...input, domain: { ...input.domain, hostedZoneId } }));
  await firstApply(env, "v0.1.0");
  expect(await notCreated(env.stack)).toEqual([]);
});
