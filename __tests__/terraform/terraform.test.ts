/**
 * Real Terraform: every synthesized stack passes an offline `terraform plan` with the real AWS
 * provider (a plan validates the configuration first; its diagnostics are checked), and the
 * assertions run on `terraform show -json`.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformError, checkTerraform, harnessOptionsFromEnv, terraformEnv, terraformInit, plannedOfType, type PlanJson } from "../../lib/terraform";
import { reviewPlan } from "../../lib/plan-review";
import type { ContainerDefinition } from "../helpers";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun, type Run, type StackRun } from "./terraform-run";

const options = harnessOptionsFromEnv();
let results: Record<string, StackRun>;
let run: Run;

// Synth, init, validate and the plans are done once per jest run by the global setup (terraform-run.ts).
beforeAll(async () => {
  run = await readRun(process.env[RUN_DIR_VARIABLE]);
  results = run.stacks;
}, RUN_WAIT_MS);

const stack = (name: string): StackRun => {
  const result = results[name];
  if (!result) throw new Error(`stack ${name} was not planned`);
  return result;
};

describe("harness", () => {
  test("missing Terraform is a loud failure that says what to install", () => {
    expect(() => checkTerraform({ ...options, terraformBin: "/nonexistent/terraform" })).toThrow(TerraformError);
    expect(() => checkTerraform({ ...options, terraformBin: "/nonexistent/terraform" })).toThrow(/Install Terraform 1\.11 or newer/);
  });

  test("a TF_PROVIDER_MIRROR without the AWS provider is rejected, not silently ignored", () => {
    expect(() => harnessOptionsFromEnv({ TF_PROVIDER_MIRROR: "/nonexistent" })).toThrow(/TF_PROVIDER_MIRROR=\/nonexistent holds no registry\.terraform\.io\/hashicorp\/aws 5\.100\.0/);
  });

  test("Terraform and the provider run with Go's collector tuned for CPU (GOGC=400, at most 1 GiB of heap), unless the user set their own", () => {
    const saved = { GOGC: process.env.GOGC, GOMEMLIMIT: process.env.GOMEMLIMIT };
    try {
      delete process.env.GOGC;
      delete process.env.GOMEMLIMIT;
      expect(terraformEnv(options, tmpdir())).toMatchObject({ GOGC: "400", GOMEMLIMIT: "1GiB" });
      process.env.GOGC = "100";
      process.env.GOMEMLIMIT = "512MiB";
      expect(terraformEnv(options, tmpdir())).toMatchObject({ GOGC: "100", GOMEMLIMIT: "512MiB" });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test("parallel inits into an empty plugin cache do not race: the first fills it, the others wait", async () => {
    // A stand-in for terraform that, like the real one, fails when the provider directory it is
    // about to create in the cache already exists, and takes a moment to fill it.
    const dir = mkdtempSync(join(tmpdir(), "init-race-"));
    const bin = join(dir, "terraform");
    writeFileSync(
      bin,
      `#!/bin/sh
target="$TF_PLUGIN_CACHE_DIR/registry.terraform.io/hashicorp/aws/5.100.0"
if [ -d "$target" ]; then echo linked >> "$TF_PLUGIN_CACHE_DIR/log"; exit 0; fi
mkdir -p "$TF_PLUGIN_CACHE_DIR/registry.terraform.io/hashicorp/aws" && sleep 0.3 && mkdir "$target" || { echo "mkdir $target: file exists" >&2; exit 1; }
echo installed >> "$TF_PLUGIN_CACHE_DIR/log"
`,
    );
    chmodSync(bin, 0o755);
    const fake = { terraformBin: bin, pluginCacheDir: join(dir, "cache") };
    await Promise.all([1, 2, 3].map(() => terraformInit(dir, fake, terraformEnv(fake, dir))));
    expect(readFileSync(join(dir, "cache", "log"), "utf8").trim().split("\n").sort()).toEqual(["installed", "linked", "linked"]);
  });

  test("every stack was planned", () => {
    expect(Object.keys(results).sort()).toEqual(["bootstrap", "production", "staging"]);
  });
});

describe.each(["bootstrap", "staging", "production"])("%s", (name) => {
  test("terraform plan (which validates first): no errors, no warnings", () => {
    expect(stack(name).diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual([]);
  });

  test("offline plan only creates resources", () => {
    const changes = (stack(name).plan.resource_changes ?? []).filter((c) => c.mode === "managed");
    expect(changes.length).toBeGreaterThan(5);
    expect(changes.filter((c) => c.change.actions.join() !== "create")).toEqual([]);
  });
});

describe("plan review gate on the real plans", () => {
  test.each(["bootstrap", "staging", "production"])("%s: passes; stateful resources are created, informational only", (name) => {
    const review = reviewPlan(stack(name).plan);
    expect(review.blocked).toBe(false);
    const stateful = review.changes.filter((c) => c.stateful);
    expect(stateful.length).toBeGreaterThan(0);
    expect(stateful.every((c) => c.action === "create" && c.gate === "pass")).toBe(true);
  });
});

describe("planned values", () => {
  test.each([
    ["staging", 1, 6],
    ["production", 3, 9],
  ])("%s plans %i NAT gateway(s) and %i subnets", (name, nat, subnets) => {
    const { plan } = stack(name);
    expect(plannedOfType(plan, "aws_nat_gateway")).toHaveLength(nat);
    expect(plannedOfType(plan, "aws_subnet")).toHaveLength(subnets);
    expect(plannedOfType(plan, "aws_subnet").every((s) => s.values.map_public_ip_on_launch === false)).toBe(true);
  });

  test("default tags reach every taggable resource", () => {
    const vpc = plannedOfType(stack("production").plan, "aws_vpc")[0];
    expect(vpc.values.tags_all).toEqual({ Name: "webapp-production-vpc", Project: "webapp", Environment: "production", ManagedBy: "cdktf" });
  });

  test("each environment reports its own state key", () => {
    expect(stack("staging").plan.output_changes?.state_key.after).toBe("webapp/staging/terraform.tfstate");
    expect(stack("production").plan.output_changes?.state_key.after).toBe("webapp/production/terraform.tfstate");
  });
});

/** Decoded container definitions of the planned task definition of `family` (undefined while unknown). */
function plannedContainers(plan: PlanJson, family: string): ContainerDefinition[] | undefined {
  const task = plannedOfType(plan, "aws_ecs_task_definition").find((t) => t.values.family === family);
  if (!task) throw new Error(`no planned task definition ${family}`);
  const definitions = task.values.container_definitions;
  return typeof definitions === "string" ? JSON.parse(definitions) : undefined;
}

describe("container definitions in the plan", () => {
  test("the frontend's are fully known on the first plan: environment, port mapping, logs", () => {
    const [container] = plannedContainers(stack("staging").plan, "webapp-staging-frontend")!;
    expect(container.image).toBe("111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-frontend:v0.1.0");
    expect(container.portMappings).toEqual([{ containerPort: 3000, hostPort: 3000, protocol: "tcp" }]);
    expect(container.environment).toContainEqual({ name: "PORT", value: "3000" });
    expect(container.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": "/webapp/staging/ecs/frontend", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs" },
    });
  });

  test("the backend's depend on the database endpoint, so AWS fills them in on the first apply", () => {
    expect(plannedContainers(stack("staging").plan, "webapp-staging-backend")).toBeUndefined();
  });

  describe("with the database in place (the plan over staging's as-applied state, __tests__/as-applied.ts)", () => {
    let plan: PlanJson;
    beforeAll(() => {
      plan = run.asApplied.staging.finalPlan;
    });

    test("the backend gets MySQL settings from the instance and its own user from the app-user secret, not the master's (T2, T10, T15)", () => {
      const [container] = plannedContainers(plan, "webapp-staging-backend")!;
      const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ DB_CONNECTION: "mysql", DB_HOST: expect.stringMatching(/^webapp-staging-mysql\.c[0-9a-f]+\.eu-west-1\.rds\.amazonaws\.com$/), DB_PORT: "3306", DB_DATABASE: "app" });
      expect(container.secrets).toEqual([
        { name: "APP_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/APP_KEY" },
        { name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user:password::" },
        { name: "DB_USERNAME", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user:username::" },
      ]);
      expect(env.DB_USERNAME).toBeUndefined();
      expect(container.portMappings).toEqual([{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }]);
    });

    test("the migration task runs the same container with the migration command (T11)", () => {
      const [migration] = plannedContainers(plan, "webapp-staging-backend-migrate")!;
      const [service] = plannedContainers(plan, "webapp-staging-backend")!;
      expect(migration.command).toEqual(["php", "artisan", "migrate", "--force"]);
      expect(migration.secrets).toEqual(service.secrets);
      expect(migration.image).toBe(service.image);
    });
  });
});

describe("operations in the plan (issue 13)", () => {
  const values = (name: string, type: string) => plannedOfType(stack(name).plan, type).map((r) => r.values as Record<string, any>);

  test.each(["staging", "production"])("%s: MySQL 8.0 pinned, extended support explicit, no major upgrade allowed, slow query log on", (name) => {
    const [db] = values(name, "aws_db_instance");
    expect(db).toMatchObject({ engine_version: "8.0", engine_lifecycle_support: "open-source-rds-extended-support", allow_major_version_upgrade: false });
    const [group] = values(name, "aws_db_parameter_group");
    expect(group.family).toBe("mysql8.0");
    expect(group.parameter).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "slow_query_log", value: "1" }),
        expect.objectContaining({ name: "long_query_time", value: "1" }),
        expect.objectContaining({ name: "log_output", value: "FILE" }),
      ]),
    );
  });

  test.each(["staging", "production"])("%s: the master secret rotates every 30 days; the app-user secret has no value in the plan", (name) => {
    const [rotation] = values(name, "aws_secretsmanager_secret_rotation");
    expect(rotation.rotation_rules).toEqual([expect.objectContaining({ automatically_after_days: 30 })]);
    expect(values(name, "aws_secretsmanager_secret").map((s) => s.name)).toContain(`webapp/${name}/database/app-user`);
    expect(values(name, "aws_secretsmanager_secret_version")).toEqual([]);
  });

  test.each(["staging", "production"])("%s: the redeploy state machine passes the provider's plan-time definition check and is fully known", (name) => {
    const [machine] = values(name, "aws_sfn_state_machine");
    expect(JSON.parse(machine.definition).States.ForceNewDeployment.Parameters).toEqual({ Cluster: `webapp-${name}-cluster`, "Service.$": "$.service", ForceNewDeployment: true });
    const [target] = values(name, "aws_cloudwatch_event_target");
    expect(JSON.parse(target.input)).toEqual({ service: `webapp-${name}-backend` });
    const [rule] = values(name, "aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern).source).toEqual(["aws.secretsmanager"]);
  });

  test.each([
    // Staging's 4 more (issue 14): the queue's dead letters, the scheduler's dead letters, the worker's two scaling triggers.
    ["staging", 0, 22],
    ["production", 1, 18],
  ])("%s: alarms, %i subscriber(s), deployment alarms known at plan time on both web services", (name, subscribers, alarms) => {
    expect(values(name, "aws_cloudwatch_metric_alarm")).toHaveLength(alarms as number);
    expect(values(name, "aws_sns_topic_subscription")).toHaveLength(subscribers as number);
    for (const service of values(name, "aws_ecs_service").filter((s) => s.load_balancer?.length)) {
      expect(service.alarms).toEqual([{ enable: true, rollback: true, alarm_names: expect.arrayContaining([`${service.name}-target-5xx`, `${service.name}-unhealthy-hosts`]) }]);
    }
  });

  test.each(["staging", "production"])("%s: one dashboard and four saved queries", (name) => {
    expect(values(name, "aws_cloudwatch_dashboard").map((d) => d.dashboard_name)).toEqual([`webapp-${name}-operations`]);
    expect(values(name, "aws_cloudwatch_query_definition")).toHaveLength(4);
  });
});

describe("images in tag mode", () => {
  test("offline plans switch the ECR tag check off (no look-up), real deploys keep it on", () => {
    const reads = (stack("staging").plan.resource_changes ?? []).filter((c) => c.type === "aws_ecr_image");
    expect(reads).toEqual([]);
    const override = JSON.parse(readFileSync(join(stack("staging").dir, "zz_offline_override.tf.json"), "utf8"));
    expect(override.variable).toEqual({ verify_backend_image_tag: { default: false }, verify_frontend_image_tag: { default: false }, verify_running_image_tags: { default: false } });
  });
  // An image bump over a running environment: __tests__/day-two.test.ts, row "image tag" (T12).
});

describe("data protection, proven by Terraform itself", () => {
  // Destroy plans over the as-applied states (every resource exists), one batch in the shared run.
  const destroy = (name: string): string => run.destroy[name];
  let bootstrapBucket: string;
  beforeAll(() => {
    const synthesized = JSON.parse(readFileSync(join(stack("bootstrap").dir, "cdk.tf.json"), "utf8"));
    [bootstrapBucket] = Object.keys(synthesized.resource.aws_s3_bucket);
  });

  test.each([
    ["aws_db_instance", "webapp-production-mysql"],
    ["aws_s3_bucket", "webapp-production-uploads-111111111111"],
    ["aws_ecr_repository", "webapp-production-backend"],
  ])("terraform refuses to destroy production's %s %s (prevent_destroy)", (type, id) => {
    const synthesized = JSON.parse(readFileSync(join(stack("production").dir, "cdk.tf.json"), "utf8"));
    const [name] = Object.entries(synthesized.resource[type] as Record<string, Record<string, unknown>>).find(([, r]) => [r.identifier, r.bucket, r.name].includes(id))!;
    expect(destroy("production")).toMatch(/Instance cannot be destroyed/);
    expect(destroy("production").replace(/\s+/g, " ")).toContain(`${type}.${name} has lifecycle.prevent_destroy`);
  });

  test("staging's data is not protected that way (config says so), so its destroy plan succeeds", () => {
    expect(destroy("staging")).toBe("");
  });

  test("terraform refuses to destroy the state bucket (prevent_destroy)", () => {
    expect(destroy("bootstrap")).toMatch(/Instance cannot be destroyed/);
    expect(destroy("bootstrap").replace(/\s+/g, " ")).toContain(`aws_s3_bucket.${bootstrapBucket} has lifecycle.prevent_destroy`);
  });
});

