import { S3Backend, type TerraformStack } from "cdktf";

export interface StateBackendProps {
  readonly bucket: string;
  readonly region: string;
  readonly project: string;
  readonly environment: string;
}

/** The state key of one environment: unique per environment, so no two stacks share a state. */
export function stateKey(project: string, environment: string): string {
  return `${project}/${environment}/terraform.tfstate`;
}

/**
 * S3 remote state for one environment: its own key, server-side encryption, and S3-native
 * locking (`use_lockfile`, Terraform 1.11+; no DynamoDB table). `S3BackendConfig` has no typed
 * `useLockfile` in CDKTF 0.21, hence the override.
 */
export function useS3StateBackend(stack: TerraformStack, props: StateBackendProps): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: props.bucket,
    key: stateKey(props.project, props.environment),
    region: props.region,
    encrypt: true,
  });
  backend.addOverride("use_lockfile", true);
  return backend;
}
