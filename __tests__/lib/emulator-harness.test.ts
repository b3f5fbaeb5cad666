/**
 * The emulator harness's own logic, without an emulator (the emulator runs are `npm run test:emulator`).
 */
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { offlineStepFunctionsEndpoint } from "../../lib/offline-stepfunctions";
import { EMULATOR_GAPS, unexplained } from "../../lib/emulator/allowlist";
import { MOTO_MISSING, checkMoto } from "../../lib/emulator/moto";
import { EMULATED_SERVICES, emulatorOverride } from "../../lib/emulator/stack";
import type { PlanJson } from "../../lib/terraform";

const plan = (changes: { address: string; type: string; actions: string[]; before: object; after: object }[]): PlanJson =>
  ({
    format_version: "1.2",
    terraform_version: "1.11.0",
    planned_values: { root_module: {} },
    configuration: {},
    resource_changes: changes.map((c) => ({ address: c.address, mode: "managed", type: c.type, change: { actions: c.actions, before: c.before, after: c.after, after_unknown: {} } })),
  }) as unknown as PlanJson;

describe("moto_server missing", () => {
  test("checkMoto fails with the one line that says how to install it", () => {
    expect(() => checkMoto("/nonexistent/moto_server")).toThrow(MOTO_MISSING);
    expect(MOTO_MISSING).toContain('pip install "moto[server]"');
    expect(MOTO_MISSING).not.toContain("\n");
  });

  test("npm run test:emulator's first step prints that line and exits 1", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(resolve("node_modules/.bin/tsx"), ["scripts/check-emulator.ts"], { env: { ...process.env, MOTO_SERVER_BIN: "/nonexistent/moto_server" }, stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(MOTO_MISSING);
  });
});

describe("emulator override", () => {
  const provider = (emulatorOverride("http://127.0.0.1:5555") as { provider: { aws: Record<string, any> } }).provider.aws;

  test("every emulated service points at the emulator, S3 path-style, local state", () => {
    expect(Object.keys(provider.endpoints[0]).sort()).toEqual([...EMULATED_SERVICES, "sfn"].sort());
    // Step Functions goes through the local proxy that answers ValidateStateMachineDefinition (moto has none); here the default, the emulator itself.
    expect(Object.values(provider.endpoints[0]).every((url) => url === "http://127.0.0.1:5555")).toBe(true);
    expect(provider.s3_use_path_style).toBe(true);
    expect(provider).toMatchObject({ skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true });
  });

  test("the services the stacks use are all emulated", () => {
    for (const service of ["acm", "applicationautoscaling", "cloudwatch", "cloudwatchlogs", "ec2", "ecr", "ecs", "elbv2", "events", "iam", "rds", "route53", "s3", "secretsmanager", "sns", "sts"]) {
      expect(EMULATED_SERVICES).toContain(service);
    }
  });
});

describe("emulator gap allowlist", () => {
  const sgRule = { address: "aws_vpc_security_group_ingress_rule.x", type: "aws_vpc_security_group_ingress_rule", actions: ["update"] };

  test("every gap has a reason", () => {
    for (const gap of EMULATOR_GAPS) expect(gap.reason.length).toBeGreaterThan(20);
  });

  test("a diff only on a documented attribute is explained", () => {
    const p = plan([{ ...sgRule, before: { description: null, referenced_security_group_id: "123/sg-1", from_port: 80 }, after: { description: "x", referenced_security_group_id: "sg-1", from_port: 80 } }]);
    expect(unexplained(p)).toEqual([]);
  });

  test("a diff on any other attribute of the same resource is a finding", () => {
    const p = plan([{ ...sgRule, before: { description: null, from_port: 80 }, after: { description: "x", from_port: 443 } }]);
    expect(unexplained(p)).toEqual([expect.objectContaining({ address: sgRule.address, attributes: ["description", "from_port"] })]);
  });

  test("a change to a resource type without a gap, or a create, is a finding", () => {
    const p = plan([
      { address: "aws_s3_bucket.b", type: "aws_s3_bucket", actions: ["update"], before: { tags: {} }, after: { tags: { a: "b" } } },
      { address: "aws_vpc.v", type: "aws_vpc", actions: ["create"], before: null as unknown as object, after: { cidr_block: "10.0.0.0/16" } },
    ]);
    expect(unexplained(p).map((f) => f.address)).toEqual(["aws_s3_bucket.b", "aws_vpc.v"]);
  });
});

describe("Step Functions through the local proxy (moto has no ValidateStateMachineDefinition)", () => {
  test("validation is answered locally; every other call reaches the emulator unchanged", async () => {
    // GIVEN a stand-in emulator that echoes the operation it received
    const upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => res.end(JSON.stringify({ target: req.headers["x-amz-target"], body })));
    });
    await new Promise<void>((done) => upstream.listen(0, "127.0.0.1", done));
    const proxy = await offlineStepFunctionsEndpoint(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    const call = (target: string, payload: object) =>
      fetch(proxy, { method: "POST", headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(payload) }).then((r) => r.json());
    // WHEN a definition is validated and a state machine is described
    const validated = await call("AWSStepFunctions.ValidateStateMachineDefinition", { definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }) });
    const described = await call("AWSStepFunctions.DescribeStateMachine", { stateMachineArn: "arn" });
    upstream.close();
    // THEN the first is answered by the proxy, the second by the emulator, body intact
    expect(validated).toMatchObject({ result: "OK", diagnostics: [] });
    expect(described).toEqual({ target: "AWSStepFunctions.DescribeStateMachine", body: JSON.stringify({ stateMachineArn: "arn" }) });
  });
});
