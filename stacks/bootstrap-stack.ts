import { Aspects, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { projectAwsProvider } from "../constructs/core/aws-provider";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { secretSource } from "../constructs/data/app-secrets";
import { workloadBoundaryArn } from "../constructs/delivery/delivery-names";
import { GithubDeployRole } from "../constructs/delivery/github-deploy-role";
import { GithubOidcProvider } from "../constructs/delivery/github-oidc";
import { GithubPlanRole } from "../constructs/delivery/github-plan-role";
import { PropsError } from "../constructs/core/errors";
import { PrivateBucket } from "../constructs/data/private-bucket";
import { stateKey } from "../constructs/data/state-backend";
import { WorkloadBoundary } from "../constructs/delivery/workload-boundary";
import { promotionSourceRepositories } from "./promotion-source";
import { Guardrails, RULES, type Waiver } from "../constructs/rules";

export interface BootstrapStackProps {
  /**
   * Stack name, and the name of its local state file `terraform.<name>.tfstate`.
   * @default "bootstrap"
   */
  readonly stackName?: string;
  readonly project: string;
  readonly state: { readonly bucket: string; readonly region: string };
  /** The repository whose GitHub Actions plan and deploy (config `github.repository`). */
  readonly github: { readonly repository: string };
  /** The environments of this stack's account, all in one account: one deploy role and one read-only plan role each. */
  readonly environments: readonly EnvironmentConfig[];
  /** Guardrail waivers of this stack (config `bootstrap.guardrails.waivers`). @default none */
  readonly waivers?: readonly Waiver[];
}

/** Stack name of the bootstrap stack: `cdktf deploy bootstrap`. */
export const BOOTSTRAP_STACK = "bootstrap";

/**
 * Creates what must exist before anything else can run: the state bucket that the environment
 * stacks' S3 backends need, and the identities GitHub Actions uses (README "Continuous delivery"):
 * the GitHub OIDC provider, one deploy role and one read-only plan role per environment.
 * Its own state is local (it cannot live in the bucket it creates); the file sits in the project
 * root as `terraform.bootstrap.tfstate` (README: "Bootstrap order").
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: PrivateBucket;
  readonly githubOidc: GithubOidcProvider;
  /** Deploy role per environment name. */
  readonly deployRoles: Readonly<Record<string, GithubDeployRole>>;
  /** Read-only plan role per environment name (README "Permissions of the roles"). */
  readonly planRoles: Readonly<Record<string, GithubPlanRole>>;
  /** Permissions boundary per environment name: every role of that environment carries it. */
  readonly boundaries: Readonly<Record<string, WorkloadBoundary>>;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const name = props.stackName ?? BOOTSTRAP_STACK;
    super(scope, name);
    const accounts = new Set(props.environments.map((e) => e.accountId));
    if (accounts.size > 1) throw new PropsError(`BootstrapStack "${name}": environments must all be in one account; got ${[...accounts].join(", ")}`);
    const [first] = props.environments;
    projectAwsProvider(this, { project: props.project, environment: "shared", region: props.state.region, accountId: first?.accountId });
    // Relative to cdktf.out/stacks/bootstrap, where Terraform runs: keeps synth output machine-independent.
    new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });

    this.stateBucket = new PrivateBucket(this, "state-bucket", {
      bucketName: props.state.bucket,
      versioned: true,
      noncurrentVersionRetentionDays: 90,
      preventDestroy: true,
    });
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket, description: "Terraform state bucket" });
    // No bucket of the account can be made public, whatever a bucket policy (which deploy roles may set on their own buckets) says.
    new S3AccountPublicAccessBlock(this, "account-public-access-block", {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    // Construct ids are a contract (state addresses). They sort after "state-bucket" in the synthesized
    // JSON, which keeps the state bucket's policy document the stack's first data source.
    this.githubOidc = new GithubOidcProvider(this, "workflow-oidc");
    const roles: Record<string, GithubDeployRole> = {};
    const boundaries: Record<string, WorkloadBoundary> = {};
    for (const environment of props.environments) {
      const { project, name, region, accountId } = environment;
      const secrets = Object.values(environment.services).flatMap((service) => Object.values(service.secrets).map((ref) => secretSource(ref, region, accountId)));
      boundaries[name] = new WorkloadBoundary(this, `workload-boundary-${name}`, {
        project,
        environment: name,
        region,
        accountId,
        extraSecretArns: [...new Set(secrets.filter((s) => s.kind === "secretsmanager").map((s) => s.resourceArn))].sort(),
        parameterArns: [...new Set(secrets.filter((s) => s.kind === "ssm").map((s) => s.resourceArn))].sort(),
        workloads: workloadsOf(environment),
      });
      const from = environment.delivery.deployFrom;
      const promotionSourceRepositoryArns = promotionSourceRepositories(environment, props.environments);
      const deployRole = new GithubDeployRole(this, `workflow-deploy-${name}`, {
        oidc: this.githubOidc,
        repository: props.github.repository,
        deployFrom: from,
        workflow: {
          repository: props.github.repository,
          file: environment.delivery.workflow ?? `deploy-${name}.yml`,
          ref: `refs/heads/${"branch" in from ? from.branch : (environment.delivery.workflowBranch ?? "main")}`,
        },
        scope: {
          project,
          environment: name,
          region,
          accountId,
          siteNames: [environment.domain.name, ...environment.domain.alternativeNames],
          hostedZoneId: environment.domain.hostedZoneId,
          state: { ...props.state, key: stateKey(project, name) },
          boundaryArn: workloadBoundaryArn(project, name, region, accountId),
          alarmSubscriberLambdaArns: environment.monitoring.subscribers.flatMap((s) => ("lambdaArn" in s ? [s.lambdaArn] : [])),
          promotionSourceRepositoryArns,
          workloads: workloadsOf(environment),
        },
      });
      roles[name] = deployRole;
      new TerraformOutput(this, `${name}_deploy_role_arn`, {
        value: deployRole.role.arn,
        description: `Role the ${name} deploy workflow assumes (${deployRole.subject}): repository variable AWS_DEPLOY_ROLE_ARN_${name.toUpperCase()}`,
      });
    }
    this.boundaries = boundaries;
    this.deployRoles = roles;
    const planRoles: Record<string, GithubPlanRole> = {};
    for (const env of props.environments) {
      const from = env.delivery.deployFrom;
      // An environment deployed from a GitHub environment (with reviewers) is planned from one too.
      const reviewed = "environment" in from ? { environment: `${from.environment}-plan` } : undefined;
      planRoles[env.name] = new GithubPlanRole(this, `workflow-plan-${env.name}`, {
        oidc: this.githubOidc,
        repository: props.github.repository,
        environments: [{ project: env.project, environment: env.name, region: env.region, accountId: env.accountId, hostedZoneId: env.domain.hostedZoneId }],
        state: props.state,
        reviewed,
      });
      new TerraformOutput(this, `${env.name}_plan_role_arn`, {
        value: planRoles[env.name].role.arn,
        description: `Read-only role of ${env.name}'s pull-request plans${reviewed ? ` (jobs in the GitHub environment ${reviewed.environment})` : ""} and drift detection: repository variable AWS_PLAN_ROLE_ARN_${env.name.toUpperCase()}`,
      });
    }
    this.planRoles = planRoles;
    new TerraformOutput(this, "github_oidc_provider_arn", { value: this.githubOidc.arn, description: "GitHub Actions OIDC identity provider" });
    Aspects.of(this).add(new Guardrails(RULES, props.waivers ?? []));
  }
}

/** Issue 14: what the environment's roles need beyond the web services (undefined: nothing, as before). */
function workloadsOf(environment: EnvironmentConfig): { queues: boolean; schedules: boolean } | undefined {
  const schedules = Object.keys(environment.scheduledJobs).length > 0;
  const queues = environment.queue !== undefined || schedules;
  return queues || schedules ? { queues, schedules } : undefined;
}
