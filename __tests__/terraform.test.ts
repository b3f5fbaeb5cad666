/**
 * Real Terraform: every synthesized stack passes `terraform validate` and an offline
 * `terraform plan` with the real AWS provider; assertions run on `terraform show -json`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformError, checkTerraform, harnessOptionsFromEnv, planAll, planDestroyOf, plannedOfType, type StackResult } from "../lib/terraform";

const options = harnessOptionsFromEnv();
let results: Record<string, StackResult>;

beforeAll(async () => {
  results = Object.fromEntries((await planAll(options)).map((r) => [r.stack, r]));
}, 300_000);

const stack = (name: string): StackResult => {
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

  test("every stack was planned", () => {
    expect(Object.keys(results).sort()).toEqual(["bootstrap", "production", "staging"]);
  });
});

describe.each(["bootstrap", "staging", "production"])("%s", (name) => {
  test("terraform validate: no errors, no warnings", () => {
    const { validate } = stack(name);
    expect(validate.valid).toBe(true);
    expect(validate.error_count).toBe(0);
    expect(validate.warning_count).toBe(0);
  });

  test("offline plan only creates resources", () => {
    const changes = (stack(name).plan.resource_changes ?? []).filter((c) => c.mode === "managed");
    expect(changes.length).toBeGreaterThan(5);
    expect(changes.filter((c) => c.change.actions.join() !== "create")).toEqual([]);
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

describe("data protection, proven by Terraform itself", () => {
  test("terraform refuses to destroy the state bucket (prevent_destroy)", async () => {
    const result = stack("bootstrap");
    const synthesized = JSON.parse(readFileSync(join(result.dir, "cdk.tf.json"), "utf8"));
    const [name] = Object.keys(synthesized.resource.aws_s3_bucket);
    const bucket = "webapp-terraform-state-example";
    const error = await planDestroyOf(result, [{ type: "aws_s3_bucket", name, attributes: { id: bucket, bucket } }], options);
    expect(error).toMatch(/Instance cannot be destroyed/);
    expect(error).toContain(`aws_s3_bucket.${name} has lifecycle.prevent_destroy`);
  }, 120_000);
});
