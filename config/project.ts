/**
 * Settings shared by every environment of this project.
 * Edit these first: see README "Configuration reference".
 */
export const project = {
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
} as const;
