import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface ProjectAwsProviderProps {
  readonly project: string;
  /** Environment tag value (`staging`, `production`, or `shared` for the bootstrap stack). */
  readonly environment: string;
  readonly region: string;
  /**
   * Terraform refuses to plan or apply in any other account.
   * @default any account
   */
  readonly accountId?: string;
  /** Extra tags on every resource. @default none */
  readonly extraTags?: Readonly<Record<string, string>>;
}

/** Value of the `ManagedBy` tag on every resource. */
export const MANAGED_BY = "cdktf";

/**
 * The AWS provider with the project's default tags: the one place tags come from
 * (Project, Environment, ManagedBy, plus any extra tags from config).
 */
export function projectAwsProvider(scope: Construct, props: ProjectAwsProviderProps): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: props.region,
    allowedAccountIds: props.accountId ? [props.accountId] : undefined,
    defaultTags: [
      {
        tags: { ...props.extraTags, Project: props.project, Environment: props.environment, ManagedBy: MANAGED_BY },
      },
    ],
  });
}
