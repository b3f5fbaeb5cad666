/**
 * Production applied to a local AWS API emulator (moto_server): apply, re-plan, and a destroy that
 * its protections refuse until they are lifted in config, as on AWS.
 */
import { loadEnvironment } from "../../config";
import { production } from "../../config/production";
import { DestroyRefused, destroyEnvironment } from "../../lib/teardown/destroy";
import type { EnvironmentInput } from "../../config/schema";
import { unexplained } from "../../lib/emulator/allowlist";
import { destroyDeps, firstApply, notCreated, prepareEnvironment, pushAll, resynthesize, runningImages, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { inventory, leftovers } from "../../lib/emulator/inventory";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(production);
  await firstApply(env, "v0.1.0");
}, 900_000);

afterAll(() => teardown(env));

/** Production with its data protection lifted, as an operator would do in config/production.ts before a teardown. */
function unprotected(input: EnvironmentInput): EnvironmentInput {
  const lifted = "production is being torn down on purpose: protection lifted in config for this teardown";
  return {
    ...input,
    loadBalancer: { ...input.loadBalancer, deletionProtection: false },
    database: { ...input.database, deletionProtection: false, preventDestroy: false },
    uploads: { ...input.uploads, preventDestroy: false },
    registry: { ...input.registry, preventDestroy: false },
    guardrails: {
      waivers: [
        ...(input.guardrails?.waivers ?? []),
        { rule: "ENV.1", reason: lifted },
        { rule: "RDS.8", resource: "database", reason: lifted },
        { rule: "ELB.6", resource: "load-balancer/alb", reason: lifted },
      ],
    },
  };
}

test("apply creates every resource of the stack", async () => {
  expect(await notCreated(env.stack)).toEqual([]);
  expect((await env.stack.stateList()).length).toBeGreaterThan(100);
});

test("the plan after apply changes nothing but documented emulator gaps", async () => {
  expect(unexplained(await env.stack.plan())).toEqual([]);
});

test("day two: a new image tag applies and the services run it", async () => {
  await pushAll(env, "v0.2.0");
  await env.stack.apply(["-var=backend_image_tag=v0.2.0", "-var=frontend_image_tag=v0.2.0"]);
  const images = await runningImages(env);
  expect(images).toHaveLength(2);
  for (const image of images) expect(image).toMatch(/:v0\.2\.0$/);
});

test("destroy is refused while the data is protected, by npm run destroy and by Terraform, and nothing is deleted", async () => {
  const count = (await env.stack.stateList()).length;
  const config = loadEnvironment(env.input);
  await expect(destroyEnvironment({ config, stackDir: env.stack.dir, yes: true, allowProtected: "production" }, destroyDeps(env, []))).rejects.toThrow(DestroyRefused);
  await expect(env.stack.destroy(env.stack.lookupsOff())).rejects.toThrow(/Instance cannot be destroyed/);
  expect((await env.stack.stateList()).length).toBe(count);
});

test("once protection is lifted in config and applied, destroy completes and keeps the final snapshot", async () => {
  env = await resynthesize(env, unprotected);
  // Deploy the lifted protection: the plan changes the database and the load balancer in place, nothing else.
  const plan = await env.stack.plan(["-var=backend_image_tag=v0.2.0", "-var=frontend_image_tag=v0.2.0"]);
  expect(unexplained(plan).map((f) => `${f.address} ${f.actions.join()} ${f.attributes.join()}`)).toEqual([
    expect.stringMatching(/^aws_db_instance\.\S+ update deletion_protection$/),
    expect.stringMatching(/^aws_lb\.\S+ update enable_deletion_protection$/),
  ]);
  await env.stack.terraform(["apply", "-input=false", "-no-color", "-auto-approve", "emulator.tfplan"]);
  // npm run destroy -- production --allow-protected production --yes: it empties the repositories
  // (teardown.forceDeleteImages is false) and reports the final snapshot and the secrets it keeps.
  const result = await destroyEnvironment({ config: loadEnvironment(env.input), stackDir: env.stack.dir, yes: true, allowProtected: "production" }, destroyDeps(env, []));
  const families = ["webapp-production-backend", "webapp-production-backend-migrate", "webapp-production-frontend"];
  expect(result?.left).toHaveLength(6);
  expect(result?.left).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^final DB snapshot "webapp-production-mysql-final-\d{14}"/),
      expect.stringContaining('secret "webapp/production/APP_KEY" scheduled for deletion in 30 days'),
      expect.stringContaining('secret "webapp/production/database/app-user" scheduled for deletion in 30 days'),
      ...families.map((f) => expect.stringContaining(`task definition revisions of "${f}" stay registered`)),
    ]),
  );
  expect(await env.stack.stateList()).toEqual([]);
  const left = leftovers(env.before, await inventory(env.emulator, env.input.region, [env.hostedZoneId]));
  expect(left.filter((entry) => !/^secret: .* \(scheduled for deletion\)$/.test(entry) && !families.some((f) => entry.includes(`:task-definition/${f}:`)))).toEqual([
    expect.stringMatching(/^db-snapshot: webapp-production-mysql-final-\d{14}$/),
  ]);
});
