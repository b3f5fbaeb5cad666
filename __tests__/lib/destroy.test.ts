/**
 * `npm run destroy`: who may be destroyed, the command line, and the steps in order (with fake
 * runners; the emulator tests run the same function against real Terraform and moto_server).
 */
import { loadEnvironment } from "../../config";
import { UsageError } from "../../lib/deploy/errors";
import { parseDestroyArgs } from "../../lib/teardown/cli";
import { DestroyRefused, checkMayDestroy, destroyEnvironment, keepsDataOnDestroy, lookupsOff, protections, type DestroyDeps } from "../../lib/teardown/destroy";
import { production, staging } from "../helpers";

const stagingConfig = loadEnvironment(staging);
const productionConfig = loadEnvironment(production);
const liftedProduction = loadEnvironment({
  ...production,
  loadBalancer: { ...production.loadBalancer, deletionProtection: false },
  database: { ...production.database, deletionProtection: false, preventDestroy: false },
  uploads: { ...production.uploads, preventDestroy: false },
  registry: { ...production.registry, preventDestroy: false },
});

describe("who may be destroyed", () => {
  test("staging keeps nothing on destroy and protects nothing: no flag needed", () => {
    expect(keepsDataOnDestroy(stagingConfig)).toBe(false);
    expect(protections(stagingConfig)).toEqual([]);
    expect(() => checkMayDestroy(stagingConfig, undefined)).not.toThrow();
  });

  test("production is refused without --allow-protected, with what to lift", () => {
    expect(() => checkMayDestroy(productionConfig, undefined)).toThrow(DestroyRefused);
    expect(() => checkMayDestroy(productionConfig, undefined)).toThrow(
      /"production" is a protected environment.*lift its protection in config\/production\.ts \(database\.deletionProtection: true, database\.preventDestroy: true, uploads\.preventDestroy: true, registry\.preventDestroy: true, loadBalancer\.deletionProtection: true\).*--allow-protected production/,
    );
  });

  test("production is refused with the flag while config still protects it", () => {
    expect(() => checkMayDestroy(productionConfig, "production")).toThrow(/still protects its data in config\/production\.ts: database\.deletionProtection: true/);
  });

  test("a flag naming another environment does not count", () => {
    expect(() => checkMayDestroy(liftedProduction, "staging")).toThrow(/protected environment/);
  });

  test("production with protection lifted in config and the flag naming it may be destroyed", () => {
    expect(() => checkMayDestroy(liftedProduction, "production")).not.toThrow();
  });

  test("plan-time look-ups are switched off", () => {
    expect(lookupsOff(["backend_image_tag", "verify_backend_image_tag", "verify_frontend_image_tag"])).toEqual(["-var=verify_backend_image_tag=false", "-var=verify_frontend_image_tag=false"]);
  });
});

describe("command line", () => {
  const parse = (argv: string[]) => parseDestroyArgs(argv, ["staging", "production"], () => undefined);
  test("environment, --yes, --allow-protected", () => {
    expect(parse(["staging", "--yes"])).toEqual({ environment: "staging", yes: true, allowProtected: undefined });
    expect(parse(["production", "--allow-protected", "production"])).toEqual({ environment: "production", yes: false, allowProtected: "production" });
  });
  test.each([[[]], [["qa"]], [["staging", "--force"]]])("bad command line %j is a UsageError", (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });
});

describe("the steps", () => {
  const destroyPlan = {
    format_version: "1.2",
    terraform_version: "1.11.0",
    resource_changes: [
      { address: "aws_db_instance.db", mode: "managed", type: "aws_db_instance", name: "db", change: { actions: ["delete"], before: { skip_final_snapshot: false, final_snapshot_identifier: "webapp-production-mysql-final" }, after: null } },
      { address: "aws_secretsmanager_secret.k", mode: "managed", type: "aws_secretsmanager_secret", name: "k", change: { actions: ["delete"], before: { name: "webapp/production/APP_KEY", recovery_window_in_days: 30 }, after: null } },
      { address: "aws_ecs_task_definition.t", mode: "managed", type: "aws_ecs_task_definition", name: "t", change: { actions: ["delete"], before: { family: "webapp-production-backend", skip_destroy: true }, after: null } },
      { address: "aws_ecr_repository.r", mode: "managed", type: "aws_ecr_repository", name: "r", change: { actions: ["delete"], before: { name: "webapp-production-backend" }, after: null } },
    ],
  };
  const fakes = (confirmed: boolean) => {
    const calls: string[] = [];
    const deps: DestroyDeps = {
      synth: async () => void calls.push("synth"),
      terraform: async (args) => {
        calls.push(`terraform ${args.join(" ")}`);
        return args[0] === "show" ? JSON.stringify(destroyPlan) : "";
      },
      variables: () => ["verify_backend_image_tag"],
      confirm: async () => (calls.push("confirm"), confirmed),
      emptyRepository: async (name) => (calls.push(`empty ${name}`), 3),
      log: () => undefined,
    };
    return { calls, deps };
  };

  test("plan with look-ups off, confirm, empty the repositories, apply the saved plan, report what is left", async () => {
    const { calls, deps } = fakes(true);
    const result = await destroyEnvironment({ config: liftedProduction, stackDir: "/x", yes: false, allowProtected: "production" }, deps);
    expect(calls).toEqual([
      "synth",
      "terraform init -input=false -no-color",
      "terraform plan -destroy -input=false -no-color -out=destroy.tfplan -var=verify_backend_image_tag=false",
      "terraform show -json destroy.tfplan",
      "confirm",
      "empty webapp-production-backend",
      "terraform apply -input=false -no-color destroy.tfplan",
    ]);
    expect(result?.left).toEqual([
      expect.stringContaining('final DB snapshot "webapp-production-mysql-final"'),
      expect.stringContaining('secret "webapp/production/APP_KEY" scheduled for deletion in 30 days'),
      // skip_destroy: the destroy deregisters nothing, so the revisions stay (found by the emulator run's inventory)
      expect.stringContaining('task definition revisions of "webapp-production-backend" stay registered'),
    ]);
  });

  test("not confirmed: nothing is applied or emptied", async () => {
    const { calls, deps } = fakes(false);
    expect(await destroyEnvironment({ config: liftedProduction, stackDir: "/x", yes: false, allowProtected: "production" }, deps)).toBeUndefined();
    expect(calls.some((c) => c.startsWith("terraform apply") || c.startsWith("empty"))).toBe(false);
  });

  test("a refused environment runs nothing at all", async () => {
    const { calls, deps } = fakes(true);
    await expect(destroyEnvironment({ config: productionConfig, stackDir: "/x", yes: true }, deps)).rejects.toThrow(DestroyRefused);
    expect(calls).toEqual([]);
  });
});
