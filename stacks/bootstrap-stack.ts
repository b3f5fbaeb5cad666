import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { projectAwsProvider } from "../constructs/aws-provider";
import { PrivateBucket } from "../constructs/private-bucket";

export interface BootstrapStackProps {
  readonly project: string;
  readonly state: { readonly bucket: string; readonly region: string };
}

/** Stack name of the bootstrap stack: `cdktf deploy bootstrap`. */
export const BOOTSTRAP_STACK = "bootstrap";

/**
 * Creates what the environment stacks' S3 backends need before they can run: the state bucket.
 * Its own state is local (it cannot live in the bucket it creates); the file sits in the project
 * root as `terraform.bootstrap.tfstate` (README: "Bootstrap order").
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: PrivateBucket;

  constructor(scope: Construct, props: BootstrapStackProps) {
    super(scope, BOOTSTRAP_STACK);
    projectAwsProvider(this, { project: props.project, environment: "shared", region: props.state.region });
    // Relative to cdktf.out/stacks/bootstrap, where Terraform runs: keeps synth output machine-independent.
    new LocalBackend(this, { path: "../../../terraform.bootstrap.tfstate" });

    this.stateBucket = new PrivateBucket(this, "state-bucket", {
      bucketName: props.state.bucket,
      versioned: true,
      noncurrentVersionRetentionDays: 90,
      preventDestroy: true,
    });
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket, description: "Terraform state bucket" });
  }
}
