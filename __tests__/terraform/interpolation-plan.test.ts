/**
 * Terraform template sequences in user strings reach Terraform literally (issue 15, class 4).
 * The real staging stack is synthesized with `${APP_NAME}` and `%{...}` in a service's environment;
 * its frontend task definition (fully known at plan time) is planned by real Terraform in a one-resource
 * stack, byte for byte as synthesized, and the planned container definitions carry the literal values.
 */
import { plannedOfType } from "../../lib/terraform";
import { resourceList, synthEnvironment, type ContainerDefinition } from "../helpers";
import { INTERPOLATION_INPUT, USER_VALUES } from "./shared-plans";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun } from "./terraform-run";

const synthesized = synthEnvironment(INTERPOLATION_INPUT).json;
const frontend = resourceList(synthesized, "aws_ecs_task_definition").find((t) => t.family === "webapp-staging-frontend")!;

test("the stack writes the values escaped for Terraform", () => {
  const environment: { name: string; value: string }[] = JSON.parse(frontend.container_definitions as string)[0].environment;
  expect(environment).toContainEqual({ name: "MAIL_FROM_NAME", value: "$${APP_NAME}" });
  expect(environment).toContainEqual({ name: "GREETING", value: "%%{ if admin }hi%%{ endif }" });
  expect(environment).toContainEqual({ name: "PRICE", value: "$5 {net}" });
});

// The plan is made in the shared run (shared-plans.ts, "interpolation").
test("terraform plans the literal values, not expressions", async () => {
  const { plan, diagnostics } = (await readRun(process.env[RUN_DIR_VARIABLE])).extra("interpolation");
  expect(diagnostics).toEqual([]);
  const [task] = plannedOfType(plan, "aws_ecs_task_definition");
  expect(task.values.container_definitions).toContain("reference");
  const [container]: ContainerDefinition[] = JSON.parse(task.values.container_definitions as string);
  const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
  expect(env).toMatchObject(USER_VALUES);
}, RUN_WAIT_MS);
