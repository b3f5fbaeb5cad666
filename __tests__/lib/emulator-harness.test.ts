/**
 * The emulator harness's own logic, without an emulator (the emulator runs are `npm run test:emulator`).
 */
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { environments, type EnvironmentInput } from "../../config";
import { STAGING_WITH_EVERYTHING } from "../helpers";
import { EMULATOR_GAPS, unexplained } from "../../lib/emulator/allowlist";
import { MOTO_MISSING, checkMoto } from "../../lib/emulator/moto";
import { GATEWAY_ANSWERS, GATEWAY_CORRECTIONS, startGateway } from "../../lib/emulator/gateway";
import { EMULATED_SERVICES, GATEWAY_SERVICES, emulatorOverride, endpointOf } from "../../lib/emulator/stack";
import { synthesize, type PlanJson } from "../../lib/terraform";

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
  const provider = (emulatorOverride("http://127.0.0.1:5555", "emulator.tfstate", "http://127.0.0.1:6666") as { provider: { aws: Record<string, any> } }).provider.aws;

  test("every emulated service points at the emulator, the ones moto lacks calls of at its gateway, S3 path-style, local state", () => {
    expect(Object.keys(provider.endpoints[0]).sort()).toEqual([...EMULATED_SERVICES, ...GATEWAY_SERVICES].sort());
    for (const service of EMULATED_SERVICES) expect(provider.endpoints[0][service]).toBe("http://127.0.0.1:5555");
    for (const service of GATEWAY_SERVICES) expect(provider.endpoints[0][service]).toBe("http://127.0.0.1:6666");
    // An emulator gap must fail in seconds, not after the SDK's 25 retries of a 500.
    expect(provider.max_retries).toBeLessThanOrEqual(5);
    expect(provider.s3_use_path_style).toBe(true);
    // The account id comes from the emulator's STS (S3 Control needs it).
    expect(provider).toMatchObject({ skip_credentials_validation: true, skip_requesting_account_id: false, skip_metadata_api_check: true });
  });

  test("every resource type of the shipped stacks, with every optional part on, calls an emulated service", () => {
    const outdir = mkdtempSync(join(tmpdir(), "emulated-types-"));
    try {
      const stacks = synthesize(outdir, [...(environments as EnvironmentInput[]).filter((e) => e.name !== "staging"), STAGING_WITH_EVERYTHING]);
      const types = new Set(
        stacks.flatMap((stack) => {
          const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
          return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})];
        }),
      );
      expect(types.has("aws_sqs_queue") && types.has("aws_elasticache_replication_group")).toBe(true);
      const services = [...types].map(endpointOf).filter((s): s is string => s !== undefined);
      expect(services.filter((s) => !([...EMULATED_SERVICES, ...GATEWAY_SERVICES] as string[]).includes(s))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("a resource type of an unknown service is a clear error, not a call to real AWS", () => {
    expect(() => endpointOf("aws_kinesis_stream")).toThrow(/aws_kinesis_stream has no endpoint in lib\/emulator\/stack.ts/);
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

describe("the gateway in front of moto (lib/emulator/gateway.ts)", () => {
  // GIVEN a stand-in emulator that echoes the operation it received, and answers 500 to one it "lacks"
  let upstream: ReturnType<typeof createServer>;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.headers["x-amz-target"] === "secretsmanager.CancelRotateSecret") {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: "InvalidRequestException", message: "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured" }));
          return;
        }
        if (String(req.headers["x-amz-target"]).endsWith(".Missing")) {
          res.statusCode = 500;
          res.end("<html>Internal Server Error</html>");
          return;
        }
        res.end(JSON.stringify({ target: req.headers["x-amz-target"], body }));
      });
    });
    await new Promise<void>((done) => upstream.listen(0, "127.0.0.1", done));
    gateway = await startGateway(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    upstream.close();
    await gateway.close();
  });
  const call = (target: string, payload: object) =>
    fetch(gateway.endpoint, {
      method: "POST",
      headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1", authorization: "AWS4-HMAC-SHA256 Credential=k/20260101/eu-west-1/logs/aws4_request" },
      body: JSON.stringify(payload),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  test("every call it answers or corrects has a reason", () => {
    for (const reason of [...Object.values(GATEWAY_ANSWERS), ...Object.values(GATEWAY_CORRECTIONS)]) expect(reason).toMatch(/^moto has no/);
  });

  test("cancelling the rotation of an RDS-managed secret is accepted; of any other secret, moto's refusal stands", async () => {
    const managed = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf";
    expect(await call("secretsmanager.CancelRotateSecret", { SecretId: managed })).toEqual({ status: 200, body: { ARN: managed, Name: "rds!db-1234" } });
    expect(await call("secretsmanager.CancelRotateSecret", { SecretId: "webapp/staging/APP_KEY" })).toMatchObject({ status: 400, body: { __type: "InvalidRequestException" } });
  });

  test("validation is answered locally; every other call reaches the emulator unchanged", async () => {
    const validated = await call("AWSStepFunctions.ValidateStateMachineDefinition", { definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }) });
    const invalid = await call("AWSStepFunctions.ValidateStateMachineDefinition", { definition: JSON.stringify({ StartAt: "B", States: { A: { Type: "Succeed" } } }) });
    const described = await call("AWSStepFunctions.DescribeStateMachine", { stateMachineArn: "arn" });
    expect(validated.body).toMatchObject({ result: "OK", diagnostics: [] });
    expect(invalid.body).toMatchObject({ result: "FAIL" });
    expect(described.body).toEqual({ target: "AWSStepFunctions.DescribeStateMachine", body: JSON.stringify({ stateMachineArn: "arn" }) });
  });

  test("a saved query is created, found by name prefix, updated and deleted as the provider does it", async () => {
    const put = await call("Logs_20140328.PutQueryDefinition", { name: "app/errors", queryString: "fields @message", logGroupNames: ["/ecs/app"] });
    const id = put.body.queryDefinitionId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await call("Logs_20140328.PutQueryDefinition", { queryDefinitionId: id, name: "app/errors", queryString: "fields @timestamp" });
    const found = await call("Logs_20140328.DescribeQueryDefinitions", { queryDefinitionNamePrefix: "app/" });
    expect(found.body.queryDefinitions).toEqual([expect.objectContaining({ queryDefinitionId: id, name: "app/errors", queryString: "fields @timestamp" })]);
    expect((await call("Logs_20140328.DescribeQueryDefinitions", { queryDefinitionNamePrefix: "other" })).body.queryDefinitions).toEqual([]);
    expect((await call("Logs_20140328.DeleteQueryDefinition", { queryDefinitionId: id })).body).toEqual({ success: true });
    // deleting again is ResourceNotFoundException, which the provider treats as gone
    expect(await call("Logs_20140328.DeleteQueryDefinition", { queryDefinitionId: id })).toMatchObject({ status: 400, body: { __type: "ResourceNotFoundException" } });
    expect(gateway.state.queryDefinitions("eu-west-1")).toEqual([]);
  });

  test("RDS: the engine lifecycle support sent at create comes back in DescribeDBInstances (moto drops it)", async () => {
    const rds = (body: string) =>
      fetch(gateway.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=k/20260101/eu-west-1/rds/aws4_request" }, body }).then((r) => r.text());
    await rds("Action=CreateDBInstance&DBInstanceIdentifier=db1&EngineLifecycleSupport=open-source-rds-extended-support");
    // the stand-in echoes the request; an answer shaped like moto's is rewritten
    const state = gateway.state;
    expect(state.rdsAnswer("eu-west-1", "<DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier></DBInstance><DBInstance><DBInstanceIdentifier>db2</DBInstanceIdentifier></DBInstance>")).toBe(
      "<DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier><EngineLifecycleSupport>open-source-rds-extended-support</EngineLifecycleSupport></DBInstance><DBInstance><DBInstanceIdentifier>db2</DBInstanceIdentifier></DBInstance>",
    );
    // a new instance reports AWS's default certificate authority, so the provider does not modify it after create
    expect(state.rdsAnswer("eu-west-1", "<DBInstance><CACertificateIdentifier>rds-ca-default</CACertificateIdentifier></DBInstance>")).toBe(
      "<DBInstance><CACertificateIdentifier>rds-ca-rsa2048-g1</CACertificateIdentifier></DBInstance>",
    );
    await rds("Action=DeleteDBInstance&DBInstanceIdentifier=db1");
    expect(state.rdsAnswer("eu-west-1", "<DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier></DBInstance>")).not.toContain("EngineLifecycleSupport");
  });

  test("ECS: the service settings moto ignores come back in its answers as last sent, until the service is deleted", () => {
    const state = gateway.state;
    const send = (action: string, input: object) => state.ecsServiceRequest("eu-west-1", `AmazonEC2ContainerServiceV20141113.${action}`, Buffer.from(JSON.stringify(input)));
    const described = () =>
      JSON.parse(state.ecsAnswer("eu-west-1", JSON.stringify({ services: [{ serviceName: "web", clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/app", desiredCount: 2 }] }))).services[0];
    send("CreateService", { cluster: "app", serviceName: "web", capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], enableExecuteCommand: true, desiredCount: 2 });
    expect(described()).toEqual({ serviceName: "web", clusterArn: expect.any(String), desiredCount: 2, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], enableExecuteCommand: true });
    // UpdateService names the service by ARN and may change one setting; the others stay as they were
    send("UpdateService", { cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/app", service: "arn:aws:ecs:eu-west-1:123456789012:service/app/web", enableExecuteCommand: false });
    expect(described()).toMatchObject({ enableExecuteCommand: false, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
    send("DeleteService", { cluster: "app", service: "web" });
    expect(described()).toEqual({ serviceName: "web", clusterArn: expect.any(String), desiredCount: 2 });
  });

  test("ECS: a service updated to a new task definition reports a completed PRIMARY deployment of it (moto keeps the old one)", () => {
    const moto = (taskDefinition: string) =>
      JSON.stringify({
        service: { serviceName: "api", clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/app", taskDefinition, desiredCount: 2, deployments: [{ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: "td:1", runningCount: 2, rolloutState: "COMPLETED" }] },
      });
    const first = JSON.parse(gateway.state.ecsAnswer("eu-west-1", moto("td:2"))).service.deployments;
    expect(first).toEqual([expect.objectContaining({ status: "PRIMARY", taskDefinition: "td:2", desiredCount: 2, runningCount: 2, rolloutState: "COMPLETED" })]);
    expect(first[0].id).not.toBe("ecs-svc/1");
    // the same deployment in every later answer (a deploy watches its id)
    expect(JSON.parse(gateway.state.ecsAnswer("eu-west-1", moto("td:2"))).service.deployments[0].id).toBe(first[0].id);
    // moto's own deployment stands where it is of the service's task definition
    expect(gateway.state.ecsAnswer("eu-west-1", moto("td:1"))).toBe(moto("td:1"));
  });

  test("SQS: a redrive policy comes back as the compact JSON that was sent, not moto's re-serialization", () => {
    const moto = { Attributes: { RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:dlq", "maxReceiveCount": 5}', VisibilityTimeout: "30" } };
    expect(JSON.parse(gateway.state.sqsAnswer(JSON.stringify(moto)))).toEqual({
      Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq","maxReceiveCount":5}', VisibilityTimeout: "30" },
    });
  });

  test("as Terraform's HTTP proxy it passes an account-prefixed S3 Control request (absolute URL) to the emulator by path", async () => {
    const { request } = await import("node:http");
    const port = Number(new URL(gateway.endpoint).port);
    const answer = await new Promise<string>((done, fail) => {
      const req = request({ host: "127.0.0.1", port, method: "PUT", path: "http://123456789012.127.0.0.1:1/v20180820/configuration/publicAccessBlock", headers: { "x-amz-target": "S3Control.Put" } }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => done(text));
      });
      req.on("error", fail);
      req.end("<x/>");
    });
    expect(JSON.parse(answer)).toEqual({ target: "S3Control.Put", body: "<x/>" });
  });

  test("ECS: a container without memory is registered with a memoryReservation (moto's RunTask needs one) that no answer shows", () => {
    const state = gateway.state;
    const sent = JSON.parse(
      state.registerTaskDefinition("eu-west-1", Buffer.from(JSON.stringify({ family: "f", memory: "1024", containerDefinitions: [{ name: "app" }, { name: "sized", memory: 256 }] }))).toString(),
    );
    expect(sent.containerDefinitions).toEqual([{ name: "app", memoryReservation: 1024 }, { name: "sized", memory: 256 }]);
    const answer = JSON.parse(state.ecsAnswer("eu-west-1", JSON.stringify({ taskDefinition: { family: "f", containerDefinitions: sent.containerDefinitions } })));
    expect(answer.taskDefinition.containerDefinitions).toEqual([{ name: "app" }, { name: "sized", memory: 256 }]);
  });

  test("a state machine has no versions (the provider reads them on every refresh)", async () => {
    expect((await call("AWSStepFunctions.ListStateMachineVersions", { stateMachineArn: "arn" })).body).toEqual({ stateMachineVersions: [] });
  });

  test("an action the emulator answers with 500 fails at once, naming it, instead of being retried", async () => {
    const missing = await call("AWSStepFunctions.Missing", {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ __type: "EmulatorGapException", message: expect.stringContaining("AWSStepFunctions.Missing") });
  });
});
