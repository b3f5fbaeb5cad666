/**
 * Plans that single test files need beyond the shipped stacks, made in the shared run's Terraform
 * batches (terraform-run.ts) instead of a Terraform run of their own: each one starting the AWS
 * provider again cost seconds. A test file reads its plan with `run.extra(id)`.
 * Not a test file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { App, TerraformStack } from "cdktf";
import { environments, type EnvironmentInput } from "../../config";
import { projectAwsProvider } from "../../constructs/core/aws-provider";
import { READ_RUNNING_IMAGES_VARIABLE } from "../../constructs/compute/running-images";
import { synthesize } from "../../lib/terraform";
import type { BatchEntry } from "../../lib/terraform-batch";

const input = (name: string): EnvironmentInput => (environments as EnvironmentInput[]).find((e) => e.name === name)!;

export interface SharedPlan {
  readonly id: string;
  /** Synthesizes the plan's stack under `outdir`; returns the stack directory. */
  synth(outdir: string): string;
  /** The environment whose as-applied state the plan runs over. @default none (empty state) */
  readonly over?: "staging" | "production";
  /** The rest of the batch entry, given the stack directory and the as-applied state (if any). */
  entry?(stackDir: string, asApplied?: { outputs?: Record<string, unknown> }): Omit<BatchEntry, "id" | "stackDir" | "state">;
}

// delivery-identity.test.ts: production in an account of its own.
export const PROD_ACCOUNT = "222222222222";
export const TWO_ACCOUNTS: EnvironmentInput[] = [
  input("staging"),
  { ...input("production"), accountId: PROD_ACCOUNT, state: { bucket: "webapp-terraform-state-prod", region: "eu-west-1" }, delivery: { deployFrom: { environment: "production" } } },
];

// interpolation-plan.test.ts: Terraform template sequences in user strings.
export const USER_VALUES = { MAIL_FROM_NAME: "${APP_NAME}", GREETING: "%{ if admin }hi%{ endif }", PRICE: "$5 {net}" };
export const INTERPOLATION_INPUT: EnvironmentInput = {
  ...input("staging"),
  services: { ...input("staging").services, frontend: { ...input("staging").services.frontend, environment: USER_VALUES } },
};

// running-image.test.ts: a configuration whose tags are OLDER than what runs.
export const RUNNING_TAG = "v0.1.0";
export const OLDER_CONFIG_TAG = "v0.0.5";
export const ROLLBACK_TAG = "v0.0.9";

export const SHARED_PLANS: readonly SharedPlan[] = [
  {
    id: "two_accounts_bootstrap",
    synth: (outdir) => {
      synthesize(outdir, TWO_ACCOUNTS);
      return join(outdir, "stacks", "bootstrap-production");
    },
  },
  {
    // The frontend task definition of the real staging stack, byte for byte as synthesized, in a
    // one-resource stack: its references point outside it and become plain text.
    id: "interpolation",
    synth: (outdir) => {
      const staging = join(outdir, "staging");
      synthesize(staging, [INTERPOLATION_INPUT]);
      const synthesized = JSON.parse(readFileSync(join(staging, "stacks", "staging", "cdk.tf.json"), "utf8"));
      const frontend = Object.values(synthesized.resource.aws_ecs_task_definition as Record<string, { family: string; container_definitions: string }>).find(
        (t) => t.family === "webapp-staging-frontend",
      )!;
      const definitions = frontend.container_definitions.replace(/(?<!\$)\$\{(aws_|var\.|local\.)[^}]*\}/g, "reference");
      const app = new App({ outdir, stackTraces: false });
      const stack = new TerraformStack(app, "literal");
      projectAwsProvider(stack, { project: "webapp", environment: "staging", region: "eu-west-1" });
      new EcsTaskDefinition(stack, "frontend", { family: frontend.family, containerDefinitions: definitions });
      app.synth();
      return join(outdir, "stacks", "literal");
    },
  },
  {
    // The stack's `terraform_remote_state` of its own state points at a local file holding the
    // `<service>_image_tag_running` outputs the last apply wrote; the S3 existence check in front of
    // it calls AWS, so it is replaced by the gate variable alone.
    id: "running_image",
    over: "staging",
    synth: (outdir) => {
      const older = { source: "tag", tag: OLDER_CONFIG_TAG } as const;
      const staging = input("staging");
      synthesize(outdir, [{ ...staging, services: { backend: { ...staging.services.backend, image: older }, frontend: { ...staging.services.frontend, image: older } } }]);
      return join(outdir, "stacks", "staging");
    },
    entry: (stackDir, asApplied) => {
      const synthesized = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
      const [objects] = Object.keys(synthesized.data.aws_s3_objects);
      const [remote] = Object.keys(synthesized.data.terraform_remote_state);
      const running = join(stackDir, "running.tfstate");
      const outputs = { backend_image_tag_running: RUNNING_TAG, frontend_image_tag_running: RUNNING_TAG };
      writeFileSync(
        running,
        JSON.stringify({ ...asApplied, outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, type: "string" }])) }),
      );
      return {
        // No value for the frontend: it must keep what runs. An explicit, older tag for the backend: a rollback.
        vars: { [READ_RUNNING_IMAGES_VARIABLE]: true, backend_image_tag: ROLLBACK_TAG },
        overrides: {
          "zz_running_state_override.tf.json": {
            data: {
              aws_s3_objects: { [objects]: { count: 0 } },
              terraform_remote_state: { [remote]: { backend: "local", config: { path: running }, count: `\${var.${READ_RUNNING_IMAGES_VARIABLE} ? 1 : 0}` } },
            },
          },
        },
      };
    },
  },
];
