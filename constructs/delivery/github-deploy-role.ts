import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { deployRoleName } from "./delivery-names";
import { DEPLOY_POLICY_GROUPS, EC2_CREATE_ACTIONS, EC2_TAGGED_ACTIONS, deployStatements, type DeployPolicyGroup, type DeployScope } from "./deploy-statements";
import { githubSubject, type GithubOidcProvider, type GithubSource, type WorkflowPin } from "./github-oidc";
import { checkName } from "../core/naming";
import { PropsError } from "../core/errors";
import { promotionStatements } from "./promotion-statements";

export { LOCK_SUFFIX, deployRoleName, planRoleName } from "./delivery-names";
export { DEPLOY_POLICY_GROUPS, type DeployPolicyGroup, type DeployScope } from "./deploy-statements";

/**
 * Terraform types of the environment stacks that the deploy role's permissions are written for.
 * A test compares this list with what the stacks synthesize: a new resource type fails it until
 * the permissions below (and this list) cover it.
 */
export const DEPLOY_ROLE_RESOURCE_TYPES: readonly string[] = [
  // containers
  "aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_ecs_cluster", "aws_ecs_cluster_capacity_providers",
  "aws_ecs_service", "aws_ecs_task_definition", "aws_cloudwatch_log_group", "aws_appautoscaling_target", "aws_appautoscaling_policy",
  // workers, scheduled jobs and the queue (issue 14; permissions only for environments that have them)
  "aws_sqs_queue", "aws_sqs_queue_policy", "aws_scheduler_schedule",
  // network and edge
  "aws_vpc", "aws_default_security_group", "aws_subnet", "aws_internet_gateway", "aws_eip", "aws_nat_gateway", "aws_route_table",
  "aws_route", "aws_route_table_association", "aws_security_group", "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule", "aws_flow_log", "aws_lb", "aws_lb_listener", "aws_lb_listener_rule", "aws_lb_target_group",
  "aws_acm_certificate", "aws_acm_certificate_validation", "aws_route53_record",
  // data
  "aws_db_instance", "aws_db_subnet_group", "aws_db_parameter_group", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_secretsmanager_secret",
  // identity
  "aws_iam_role", "aws_iam_role_policy",
  // operations (README "Operations")
  "aws_sns_topic", "aws_sns_topic_subscription", "aws_lambda_permission", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard",
  "aws_cloudwatch_query_definition", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sfn_state_machine",
  "aws_secretsmanager_secret_rotation",
  // data sources read at plan time
  // the running image tags: lists the environment's own state key (StateList allows that exact prefix)
  "data.aws_s3_objects",
  "data.aws_ecr_image", "data.aws_elb_service_account", "data.aws_iam_policy_document", "data.aws_partition",
];

/**
 * Actions granted on `"*"`, each limited to the environment's region with `aws:RequestedRegion`
 * (the `DenyOtherEnvironments` guard still applies to them):
 * - describes, lists and `ecr:GetAuthorizationToken`, which AWS does not scope by resource;
 * - task definitions (registered and described without a resource ARN) and `ecs:CreateCluster`
 *   (kept on `*` because a wrong resource type would break every first deploy; unverified here);
 * - autoscaling targets and policies, ACM requests and VPC networking: their ARNs hold ids that
 *   AWS makes up, so there is no name to scope by.
 */
export const DEPLOY_UNSCOPED_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition",
  "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks", "ecs:ListTaskDefinitions",
  "logs:DescribeLogGroups",
  "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
  "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:Describe*",
  "application-autoscaling:TagResource", "application-autoscaling:UntagResource", "application-autoscaling:ListTagsForResource",
  "cloudwatch:DescribeAlarms",
  "ec2:Describe*",
  // VPC networking: creates must tag the new resource with the environment, other writes need that tag.
  ...new Set([...EC2_CREATE_ACTIONS, ...EC2_TAGGED_ACTIONS]),
  "elasticloadbalancing:Describe*",
  // requests must tag the certificate with the environment
  "acm:RequestCertificate", "acm:AddTagsToCertificate",
  "rds:Describe*",
  // Logs Insights saved queries have no resource ARN.
  "logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions",
];

export interface GithubDeployRoleProps {
  /** The account's GitHub OIDC provider (trusted principal). */
  readonly oidc: GithubOidcProvider;
  /** `owner/name` of the repository whose workflows deploy. */
  readonly repository: string;
  /** The environment this role deploys: names, region, account, hosted zone, state key and boundary. */
  readonly scope: Omit<DeployScope, "roleName">;
  /** Who may deploy: pushes to a branch, or jobs in a GitHub environment (config `delivery.deployFrom`). */
  readonly deployFrom: GithubSource;
  /**
   * The one workflow (file under `.github/workflows/`, on one ref) whose jobs may assume the role,
   * checked with the `job_workflow_ref` and `ref` claims next to `sub`.
   */
  readonly workflow: WorkflowPin;
  /**
   * Longest session, in seconds, a workflow can ask for (`role-duration-seconds`): the deploy waits
   * up to 20 + 25 minutes for the migration and the rollout, plus the applies.
   * @default 7200
   */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * The role one environment's deploy workflow assumes through GitHub's OIDC provider.
 *
 * Trust: exactly one `sub`, from config `delivery.deployFrom`: pushes to a branch
 * (`repo:<owner/name>:ref:refs/heads/<branch>`) or jobs in a GitHub environment
 * (`repo:<owner/name>:environment:<name>`, where required reviewers gate it), `aud`
 * `sts.amazonaws.com`, and the workflow file and ref (`job_workflow_ref`, `ref`): a pull request,
 * another branch or another workflow that names the same GitHub environment cannot assume it.
 *
 * Permissions, one managed policy per group (constructs/deploy-statements.ts):
 * - state: this environment's state object and lock file only, and bucket listing of those keys;
 * - containers, network, data: the environment's resources by name (`<project>-<env>-*` ARNs) where
 *   AWS supports resource-level permissions; EC2 and ACM by the `Environment` tag (creates must set
 *   it, other writes need it); see DEPLOY_UNSCOPED_ACTIONS;
 * - identity: the environment's own roles, created and changed only with the environment's
 *   permissions boundary, passed to ECS tasks and VPC flow logs only;
 * - guardrails: denies touching any resource tagged with another `Environment`, setting or removing
 *   that tag, the GitHub roles, the boundaries, boundary removal and resource policies on secrets.
 */
export class GithubDeployRole extends Construct {
  readonly role: IamRole;
  /** The one `sub` claim the role trusts. */
  readonly subject: string;
  readonly policies: Readonly<Record<DeployPolicyGroup, IamPolicy>>;
  /** The statements of each group, as written into its policy document. */
  readonly statements: Readonly<Record<DeployPolicyGroup, DataAwsIamPolicyDocumentStatement[]>>;
  /** Read of the promotion source's repositories (scope.promotionSourceRepositoryArns), when set. */
  readonly promotionPolicy?: IamPolicy;

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const target = props.scope;
    const maxSession = props.maxSessionDurationSeconds ?? 7200;
    if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
      throw new PropsError(`GithubDeployRole "${id}": maxSessionDurationSeconds must be a whole number from 3600 to 43200; got ${maxSession}`);
    }
    const name = deployRoleName(target.project, target.environment);
    this.subject = githubSubject(props.repository, props.deployFrom);

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [props.oidc.trustStatement([this.subject], [props.workflow])],
    });
    this.role = new IamRole(this, "role", {
      name,
      description: `GitHub Actions deploys ${target.environment} (${this.subject})`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: maxSession,
    });

    this.statements = deployStatements({ ...target, roleName: name });
    const policies = {} as Record<DeployPolicyGroup, IamPolicy>;
    for (const group of DEPLOY_POLICY_GROUPS) {
      const document = new DataAwsIamPolicyDocument(this, `${group}-document`, { statement: this.statements[group] });
      policies[group] = new IamPolicy(this, `${group}-policy`, {
        name: checkName("iamPolicy", `${name}-${group}`),
        description: `${target.environment} deploy from GitHub Actions: ${group}`,
        policy: document.json,
      });
      new IamRolePolicyAttachment(this, `${group}-attachment`, { role: this.role.name, policyArn: policies[group].arn });
    }
    this.policies = policies;
    const sources = target.promotionSourceRepositoryArns ?? [];
    if (sources.length) {
      const document = new DataAwsIamPolicyDocument(this, "promotion-document", { statement: promotionStatements(sources) });
      this.promotionPolicy = new IamPolicy(this, "promotion-policy", {
        name: checkName("iamPolicy", `${name}-promotion`),
        description: `${target.environment} deploy from GitHub Actions: read the images it promotes`,
        policy: document.json,
      });
      new IamRolePolicyAttachment(this, "promotion-attachment", { role: this.role.name, policyArn: this.promotionPolicy.arn });
    }
  }
}
