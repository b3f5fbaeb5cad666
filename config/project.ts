/**
 * Settings shared by every environment of this project.
 * Edit these first: see README "Configuration reference".
 */
import type { EnvironmentInput } from "./schema";

export const project: Pick<EnvironmentInput, "project" | "state" | "github" | "bootstrap"> = {
  /** Prefix of every cloud name: `<project>-<environment>-<component>`. */
  project: "webapp",
  /**
   * Where Terraform state lives. One bucket, one key per environment
   * (`<project>/<environment>/terraform.tfstate`). Created by the `bootstrap` stack.
   * Bucket names are global: change this to something unique to you.
   */
  state: {
    bucket: "webapp-terraform-state-example",
    region: "eu-west-1",
  },
  /** The repository whose GitHub Actions may plan and deploy (README "Continuous delivery"). */
  github: {
    repository: "example-org/webapp",
  },
  /** Guardrail waivers of the bootstrap stack (the state bucket), each with its reason. */
  bootstrap: {
    guardrails: {
      waivers: [{ rule: "S3.9", reason: "no consumer for S3 server access logs on the state bucket; CloudTrail records who changed state" }],
    },
  },
};
