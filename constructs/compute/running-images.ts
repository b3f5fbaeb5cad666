import { DataAwsS3Objects } from "@cdktf/provider-aws/lib/data-aws-s3-objects";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataTerraformRemoteStateS3, Fn, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { Construct } from "constructs";

/** Name of the variable that switches the read of the running tags off (offline plans set every `verify_*` to false). */
export const READ_RUNNING_IMAGES_VARIABLE = "verify_running_image_tags";

/** The output that records the tag a tag-mode service runs, e.g. `backend_image_tag_running`. */
export function runningTagOutput(tagVariable: string): string {
  return `${tagVariable}_running`;
}

export interface RunningImagesProps {
  /** The environment's own state: the same bucket, key and region as its S3 backend. */
  readonly state: { readonly bucket: string; readonly key: string; readonly region: string };
  /** Region of the stack's AWS provider; a state bucket elsewhere is listed through a provider of its own region. */
  readonly region: string;
}

/**
 * The image tags an environment runs, read from its own state (issue 10 item 5: the running
 * image is state, not config). Every plan of the stack, whatever runs it (`cdktf diff/deploy`,
 * `npm run deploy`, a workflow), reads the `<service>_image_tag_running` outputs the last apply
 * wrote, so a plan without `-var <service>_image_tag=...` keeps what runs instead of planning the
 * config's tag again.
 *
 * `terraform_remote_state` fails when there is no state at all (Terraform ignores `defaults`
 * then), which is every first deploy: the state object is listed first (`aws_s3_objects`, one
 * ListObjectsV2 on the exact key) and read only when it exists. A state written before these
 * outputs existed lacks them: `try` falls back to the config's tag for that one plan.
 */
export class RunningImages extends Construct {
  /** `verify_running_image_tags`: true for real plans, false in the offline override. */
  readonly readVariable: TerraformVariable;
  readonly stateObjects: DataAwsS3Objects;
  readonly state: DataTerraformRemoteStateS3;

  constructor(scope: Construct, id: string, props: RunningImagesProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    this.readVariable = new TerraformVariable(stack, READ_RUNNING_IMAGES_VARIABLE, {
      type: "bool",
      default: true,
      description: "Read the image tags this environment runs from its own state, so a plan without -var <service>_image_tag keeps them (false only for offline plans)",
    });
    const read = this.readVariable.booleanValue;
    const provider =
      props.state.region === props.region ? undefined : new AwsProvider(this, "state-region", { alias: "state-region", region: props.state.region });
    this.stateObjects = new DataAwsS3Objects(this, "state-object", {
      count: Token.asNumber(Fn.conditional(read, 1, 0)),
      bucket: props.state.bucket,
      prefix: props.state.key,
      maxKeys: 1,
      provider,
    });
    const objects = `data.aws_s3_objects.${stack.getLogicalId(this.stateObjects)}`;
    this.state = new DataTerraformRemoteStateS3(this, "state", {
      bucket: props.state.bucket,
      key: props.state.key,
      region: props.state.region,
      encrypt: true,
    });
    this.state.addOverride("count", `\${var.${READ_RUNNING_IMAGES_VARIABLE} && contains(flatten(${objects}[*].keys), ${JSON.stringify(props.state.key)}) ? 1 : 0}`);
  }

  /** Terraform address of the remote state data source (one instance when it is read). */
  get stateAddress(): string {
    return `data.terraform_remote_state.${TerraformStack.of(this).getLogicalId(this.state)}`;
  }

  /**
   * The tag a tag-mode service deploys: the variable when set, else the tag the state says runs,
   * else (first deploy, offline plan) `configTag`. Records it as `<variable>_running` for the next plan.
   */
  imageTag(variableName: string, configTag: string): string {
    const stack = TerraformStack.of(this);
    const output = runningTagOutput(variableName);
    // A local, so that the expression (and its quoted default) is not JSON-escaped inside container definitions.
    const tag = new TerraformLocal(stack, `${variableName}_deployed`, `\${coalesce(var.${variableName}, try(${this.stateAddress}[0].outputs.${output}, null), ${JSON.stringify(configTag)})}`);
    new TerraformOutput(stack, output, {
      value: tag.asString,
      description: `The ${variableName.replace(/_image_tag$/, "")} image tag this apply deployed (the next plan keeps it unless -var ${variableName}=... is given)`,
    });
    return tag.asString;
  }
}
