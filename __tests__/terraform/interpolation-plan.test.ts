/**
 * Terraform template sequences in user strings reach Terraform literally (issue 15, class 4).
 * The real staging stack is synthesized with `${APP_NAME}` and `%{...}` in a service's environment;
 * its frontend task definition (fully known at plan time) is planned by real Terraform in a one-resource
 * stack, byte for byte as synthesized, and the planned container definitions carry the literal values.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { App, TerraformStack } from "cdktf";
import { projectAwsProvider } from "../../constructs/core/aws-provider";
import { checkTerraform, harnessOptionsFromEnv, planStack, plannedOfType, type StackResult } from "../../lib/terraform";
import { resourceList, synthEnvironment, staging, type ContainerDefinition } from "../helpers";

const USER_VALUES = { MAIL_FROM_NAME: "${APP_NAME}", GREETING: "%{ if admin }hi%{ endif }", PRICE: "$5 {net}" };
const input = { ...staging, services: { ...staging.services, frontend: { ...staging.services.frontend, environment: USER_VALUES } } };

const synthesized = synthEnvironment(input).json;
const frontend = resourceList(synthesized, "aws_ecs_task_definition").find((t) => t.family === "webapp-staging-frontend")!;

test("the stack writes the values escaped for Terraform", () => {
  const environment: { name: string; value: string }[] = JSON.parse(frontend.container_definitions as string)[0].environment;
  expect(environment).toContainEqual({ name: "MAIL_FROM_NAME", value: "$${APP_NAME}" });
  expect(environment).toContainEqual({ name: "GREETING", value: "%%{ if admin }hi%%{ endif }" });
  expect(environment).toContainEqual({ name: "PRICE", value: "$5 {net}" });
});

describe("terraform plan", () => {
  const outdir = mkdtempSync(join(tmpdir(), "interpolation-plan-"));
  let result: StackResult;
  beforeAll(async () => {
    const options = harnessOptionsFromEnv();
    checkTerraform(options);
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "literal");
    projectAwsProvider(stack, { project: "webapp", environment: "staging", region: "eu-west-1" });
    // The stack's own references (log group, image tag local) point outside this one-resource stack:
    // they become plain text; every other byte, the escaped user values included, is as synthesized.
    const definitions = (frontend.container_definitions as string).replace(/(?<!\$)\$\{(aws_|var\.|local\.)[^}]*\}/g, "reference");
    expect(definitions).toContain("$${APP_NAME}");
    new EcsTaskDefinition(stack, "frontend", { family: frontend.family as string, containerDefinitions: definitions });
    app.synth();
    result = await planStack(outdir, "literal", options);
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("plans the literal values, not expressions", () => {
    const [task] = plannedOfType(result.plan, "aws_ecs_task_definition");
    const [container]: ContainerDefinition[] = JSON.parse(task.values.container_definitions as string);
    const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject(USER_VALUES);
  });
});
