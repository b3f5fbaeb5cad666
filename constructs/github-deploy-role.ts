import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { partitionOf } from "./app-secrets";
import { GITHUB_OIDC_HOST, githubSubject, type GithubOidcProvider } from "./github-oidc";
import { checkName, Naming } from "./naming";
import { stateKey } from "./state-backend";
import { PropsError } from "./errors";

/** Suffix of the state lock object Terraform writes next to the state with `use_lockfile`. */
export const LOCK_SUFFIX = ".tflock";

/** `<project>-<env>-github-deploy`: the role GitHub Actions assumes to deploy one environment. */
export function deployRoleName(project: string, environment: string): string {
  return new Naming(project, environment).name("iamRole", "github-deploy");
}

/** `<project>-github-plan`: the read-only role of pull-request plans and drift detection. */
export function planRoleName(project: string): string {
  return checkName("iamRole", `${project}-github-plan`);
}

/**
 * Terraform types of the environment stacks that the deploy role's permissions are written for.
 * A test compares this list with what the stacks synthesize: a new resource type fails it until
 * the permissions below (and this list) cover it.
 */
export const DEPLOY_ROLE_RESOURCE_TYPES: readonly string[] = [
  // containers
  "aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_ecs_cluster", "aws_ecs_cluster_capacity_providers",
  "aws_ecs_service", "aws_ecs_task_definition", "aws_cloudwatch_log_group", "aws_appautoscaling_target", "aws_appautoscaling_policy",
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
  "data.aws_ecr_image", "data.aws_ecr_authorization_token", "data.aws_elb_service_account", "data.aws_iam_policy_document", "data.aws_partition",
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
  "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition",
  "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks", "ecs:ListTaskDefinitions",
  "logs:DescribeLogGroups",
  "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
  "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:Describe*",
  "application-autoscaling:TagResource", "application-autoscaling:UntagResource", "application-autoscaling:ListTagsForResource",
  "cloudwatch:DescribeAlarms",
  "ec2:Describe*",
  // VPC networking: scoped by region here and by the Environment tag in the guardrails policy.
  "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:AssociateVpcCidrBlock", "ec2:DisassociateVpcCidrBlock",
  "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:AssociateSubnetCidrBlock", "ec2:DisassociateSubnetCidrBlock",
  "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
  "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:AssociateAddress", "ec2:DisassociateAddress",
  "ec2:CreateNatGateway", "ec2:DeleteNatGateway",
  "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute",
  "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
  "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules",
  "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
  "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:CreateTags", "ec2:DeleteTags",
  "elasticloadbalancing:Describe*",
  "acm:RequestCertificate",
  "rds:Describe*",
  // Logs Insights saved queries have no resource ARN.
  "logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions",
];

/** Services whose resources carry the provider's `Environment` default tag; the deny guard covers them. */
const TAGGED_SERVICES = ["ec2", "elasticloadbalancing", "ecs", "ecr", "rds", "logs", "acm", "secretsmanager", "iam", "application-autoscaling", "cloudwatch", "sns", "events", "states"];

/** The permission groups, one managed policy each (a managed policy holds at most 6,144 characters). */
export const DEPLOY_POLICY_GROUPS = ["state", "containers", "network", "data", "identity", "guardrails", "operations"] as const;
export type DeployPolicyGroup = (typeof DEPLOY_POLICY_GROUPS)[number];

export interface GithubDeployRoleProps {
  /** The account's GitHub OIDC provider (trusted principal). */
  readonly oidc: GithubOidcProvider;
  /** `owner/name` of the repository whose workflows deploy. */
  readonly repository: string;
  /**
   * The environment this role deploys: names, region, account, hosted zone, state bucket and who may
   * deploy it (`delivery.deployFrom`).
   */
  readonly environment: EnvironmentConfig;
  /**
   * Longest session, in seconds, a workflow can ask for (`role-duration-seconds`).
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * The role one environment's deploy workflow assumes through GitHub's OIDC provider.
 *
 * Trust: exactly one `sub`, from config `delivery.deployFrom`: pushes to a branch
 * (`repo:<owner/name>:ref:refs/heads/<branch>`) or jobs in a GitHub environment
 * (`repo:<owner/name>:environment:<name>`, where required reviewers gate it), and `aud`
 * `sts.amazonaws.com`.
 *
 * Permissions, one managed policy per group:
 * - state: this environment's state object and lock file only, and bucket listing of those keys;
 * - containers, network, data: the environment's resources by name (`<project>-<env>-*` ARNs) where
 *   AWS supports resource-level permissions, by region where it does not (EC2/VPC, describes, creates
 *   whose ARN holds a random id); see DEPLOY_UNSCOPED_ACTIONS;
 * - identity: the environment's own roles and passing them to ECS tasks and VPC flow logs only;
 * - guardrails: denies touching any resource tagged with another `Environment`, and the GitHub roles.
 *
 * What this cannot prevent: a role that may write the inline and trust policies of the
 * environment's task roles can give such a role more rights than it has itself. Whoever can push
 * to the deploy branch (or approve the GitHub environment) is therefore trusted with the account,
 * which is why production deploys need reviewers. A permissions boundary on the environment's roles
 * would close this; the environment stacks do not set one yet.
 */
export class GithubDeployRole extends Construct {
  readonly role: IamRole;
  /** The one `sub` claim the role trusts. */
  readonly subject: string;
  readonly policies: Readonly<Record<DeployPolicyGroup, IamPolicy>>;
  /** The statements of each group, as written into its policy document. */
  readonly statements: Readonly<Record<DeployPolicyGroup, DataAwsIamPolicyDocumentStatement[]>>;

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const env = props.environment;
    const maxSession = props.maxSessionDurationSeconds ?? 3600;
    if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
      throw new PropsError(`GithubDeployRole "${id}": maxSessionDurationSeconds must be a whole number from 3600 to 43200; got ${maxSession}`);
    }
    const naming = new Naming(env.project, env.name, env.accountId);
    const name = deployRoleName(env.project, env.name);
    this.subject = githubSubject(props.repository, env.delivery.deployFrom);

    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [props.oidc.trustStatement([this.subject])] });
    this.role = new IamRole(this, "role", {
      name,
      description: `GitHub Actions deploys ${env.name} (${this.subject})`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: maxSession,
    });

    this.statements = deployStatements(env, naming, name);
    const policies = {} as Record<DeployPolicyGroup, IamPolicy>;
    for (const group of DEPLOY_POLICY_GROUPS) {
      const document = new DataAwsIamPolicyDocument(this, `${group}-document`, { statement: this.statements[group] });
      policies[group] = new IamPolicy(this, `${group}-policy`, {
        name: checkName("iamPolicy", `${name}-${group}`),
        description: `${env.name} deploy from GitHub Actions: ${group}`,
        policy: document.json,
      });
      new IamRolePolicyAttachment(this, `${group}-attachment`, { role: this.role.name, policyArn: policies[group].arn });
    }
    this.policies = policies;
  }
}

/** Every statement of the deploy role of `env`, by policy group. */
function deployStatements(env: EnvironmentConfig, naming: Naming, roleName: string): Record<DeployPolicyGroup, DataAwsIamPolicyDocumentStatement[]> {
  const p = partitionOf(env.region);
  const { region, accountId: account, project } = env;
  const prefix = naming.prefix;
  const inRegion = [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [region] }];
  const arn = (service: string, resource: string, scope: "regional" | "global" = "regional") =>
    `arn:${p}:${service}:${scope === "regional" ? region : ""}:${account}:${resource}`;

  const statePartition = partitionOf(env.state.region);
  const bucketArn = `arn:${statePartition}:s3:::${env.state.bucket}`;
  const key = stateKey(project, env.name);
  const lock = `${key}${LOCK_SUFFIX}`;

  // Alias records carry the site's names; ACM validation records are `_<hash>.<name>` (`*.` dropped).
  const recordNames = [
    ...new Set(
      [env.domain.name, ...env.domain.alternativeNames].flatMap((name) => {
        const base = name.replace(/^\*\./, "");
        return [base, `_*.${base}`];
      }),
    ),
  ];

  return {
    state: [
      // Terraform lists the bucket to check the state exists; only this environment's keys may be listed.
      { sid: "StateList", actions: ["s3:ListBucket"], resources: [bucketArn], condition: [{ test: "StringEquals", variable: "s3:prefix", values: [key, lock] }] },
      { sid: "StateReadWrite", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${bucketArn}/${key}`] },
      { sid: "StateLock", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucketArn}/${lock}`] },
    ],
    containers: [
      { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"], condition: inRegion },
      {
        sid: "EcrRepositories",
        actions: [
          "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages",
          "ecr:ListTagsForResource", "ecr:TagResource", "ecr:UntagResource", "ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration",
          "ecr:GetLifecyclePolicy", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:GetRepositoryPolicy",
          // image push (CI, or the Docker provider in build mode) and pull
          "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
        ],
        resources: [arn("ecr", `repository/${prefix}-*`)],
      },
      {
        sid: "EcsByName",
        actions: [
          "ecs:DescribeClusters", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:PutClusterCapacityProviders", "ecs:DeleteCluster",
          "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices",
          "ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource",
        ],
        resources: [
          arn("ecs", `cluster/${prefix}-*`),
          arn("ecs", `service/${prefix}-*/*`),
          arn("ecs", `task/${prefix}-*/*`),
          arn("ecs", `task-definition/${prefix}-*:*`),
        ],
      },
      {
        // Task definitions are registered and described without a resource ARN; clusters get theirs on creation.
        sid: "EcsUnscoped",
        actions: DEPLOY_UNSCOPED_ACTIONS.filter((a) => a.startsWith("ecs:")),
        resources: ["*"],
        condition: inRegion,
      },
      {
        sid: "LogGroups",
        actions: [
          "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
          "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
          // the deploy command reads the migration task's log stream
          "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
        ],
        resources: [arn("logs", `log-group:/${project}/${env.name}/*`), arn("logs", `log-group:/aws/rds/instance/${prefix}-*`)],
      },
      { sid: "LogGroupsDescribe", actions: ["logs:DescribeLogGroups"], resources: ["*"], condition: inRegion },
      {
        // Scalable targets and policies are identified by random ids: no name-based ARN exists.
        sid: "Autoscaling",
        actions: [
          "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
          "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:Describe*",
          "application-autoscaling:TagResource", "application-autoscaling:UntagResource", "application-autoscaling:ListTagsForResource",
          "cloudwatch:DescribeAlarms",
        ],
        resources: ["*"],
        condition: inRegion,
      },
      {
        // Target tracking creates and deletes its alarms with the caller's permissions.
        sid: "AutoscalingAlarms",
        actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
        resources: [arn("cloudwatch", `alarm:TargetTracking-service/${prefix}-*`)],
      },
    ],
    network: [
      // EC2 offers no name-based ARNs (every id is random) and most VPC calls cannot be scoped to a
      // resource before it exists: region here, the Environment tag in the guardrails policy.
      { sid: "Ec2Describe", actions: ["ec2:Describe*"], resources: ["*"], condition: inRegion },
      { sid: "Vpc", actions: DEPLOY_UNSCOPED_ACTIONS.filter((a) => a.startsWith("ec2:") && a !== "ec2:Describe*"), resources: ["*"], condition: inRegion },
      {
        sid: "LoadBalancer",
        actions: [
          "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes",
          "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "elasticloadbalancing:SetIpAddressType",
          "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
          "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:CreateRule",
          "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
          "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
        ],
        resources: [
          arn("elasticloadbalancing", `loadbalancer/app/${prefix}-*/*`),
          arn("elasticloadbalancing", `listener/app/${prefix}-*/*/*`),
          arn("elasticloadbalancing", `listener-rule/app/${prefix}-*/*/*/*`),
          arn("elasticloadbalancing", `targetgroup/${prefix}-*/*`),
        ],
      },
      { sid: "LoadBalancerDescribe", actions: ["elasticloadbalancing:Describe*"], resources: ["*"], condition: inRegion },
      // A certificate's ARN holds a random id: requests are scoped by region, the rest by tag (guardrails).
      { sid: "CertificateRequest", actions: ["acm:RequestCertificate"], resources: ["*"], condition: inRegion },
      {
        sid: "Certificates",
        actions: [
          "acm:DescribeCertificate", "acm:GetCertificate", "acm:DeleteCertificate", "acm:AddTagsToCertificate",
          "acm:RemoveTagsFromCertificate", "acm:ListTagsForCertificate", "acm:UpdateCertificateOptions",
        ],
        resources: [arn("acm", "certificate/*")],
      },
      {
        // Only the site's names and their ACM validation records, only A, AAAA and CNAME, only in the configured zone.
        sid: "DnsRecords",
        actions: ["route53:ChangeResourceRecordSets"],
        resources: [`arn:${p}:route53:::hostedzone/${env.domain.hostedZoneId}`],
        condition: [
          { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames", values: recordNames },
          { test: "ForAllValues:StringEquals", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: ["A", "AAAA", "CNAME"] },
        ],
      },
      { sid: "DnsZone", actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets"], resources: [`arn:${p}:route53:::hostedzone/${env.domain.hostedZoneId}`] },
      { sid: "DnsChanges", actions: ["route53:GetChange"], resources: [`arn:${p}:route53:::change/*`] },
    ],
    data: [
      {
        sid: "Database",
        actions: [
          "rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:RebootDBInstance", "rds:CreateDBSnapshot",
          "rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup",
          "rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup", "rds:ResetDBParameterGroup",
          "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
        ],
        resources: [
          arn("rds", `db:${prefix}-*`),
          arn("rds", `subgrp:${prefix}-*`),
          arn("rds", `pg:${prefix}-*`),
          arn("rds", `snapshot:${prefix}-*`),
          // an instance is created in the engine's default option group
          arn("rds", "og:default:*"),
        ],
      },
      { sid: "DatabaseDescribe", actions: ["rds:Describe*"], resources: ["*"], condition: inRegion },
      {
        // Bucket configuration only: no object ARN, so no object can be read, written or deleted.
        sid: "Buckets",
        actions: [
          "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucket*", "s3:DeleteBucketPolicy",
          "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
          "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration",
        ],
        resources: [`arn:${p}:s3:::${prefix}-*`],
      },
      {
        // The app secrets' containers, never their values (no GetSecretValue / PutSecretValue).
        sid: "AppSecrets",
        actions: [
          "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret", "secretsmanager:DescribeSecret",
          "secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:GetResourcePolicy",
          "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy", "secretsmanager:ListSecretVersionIds",
        ],
        resources: [arn("secretsmanager", `secret:${project}/${env.name}/*`)],
      },
      {
        // RDS creates the master password secret with the caller's permissions and names it `rds!db-<id>`
        // itself, so it cannot be scoped to this environment by name. No GetSecretValue.
        sid: "DatabaseManagedSecret",
        actions: [
          "secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret",
          "secretsmanager:PutSecretValue", "secretsmanager:RotateSecret", "secretsmanager:DeleteSecret",
        ],
        resources: [arn("secretsmanager", "secret:rds!*")],
      },
      {
        // The AWS managed keys of RDS and Secrets Manager, used through those services only.
        sid: "ServiceKeys",
        actions: ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"],
        resources: [arn("kms", "key/*")],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`rds.${region}.amazonaws.com`, `secretsmanager.${region}.amazonaws.com`] }],
      },
    ],
    identity: [
      {
        // The environment's task, execution and flow-log roles. No managed policy attachments: the stacks use inline policies.
        sid: "Roles",
        actions: [
          "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
          "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
          "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
        ],
        resources: [arn("iam", `role/${prefix}-*`, "global")],
      },
      {
        sid: "PassRoles",
        actions: ["iam:PassRole"],
        resources: [arn("iam", `role/${prefix}-*`, "global")],
        condition: [
          {
            test: "StringEquals",
            variable: "iam:PassedToService",
            // Step Functions and EventBridge: the redeploy-on-secret-change roles (README "Operations").
            values: ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"],
          },
        ],
      },
      {
        // First use of ECS, ELB, RDS and ECS autoscaling in an account creates their service-linked roles.
        sid: "ServiceLinkedRoles",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: [arn("iam", "role/aws-service-role/*", "global")],
        condition: [
          {
            test: "StringEquals",
            variable: "iam:AWSServiceName",
            values: ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"],
          },
        ],
      },
    ],
    operations: [
      {
        sid: "Alarms",
        actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
        resources: [arn("cloudwatch", `alarm:${prefix}-*`)],
      },
      { sid: "Dashboards", actions: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"], resources: [arn("cloudwatch", `dashboard/${prefix}-*`, "global")] },
      { sid: "SavedQueries", actions: DEPLOY_UNSCOPED_ACTIONS.filter((a) => a.includes("QueryDefinition")), resources: ["*"], condition: inRegion },
      {
        sid: "AlarmTopic",
        actions: [
          "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
          "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
        ],
        resources: [arn("sns", `${prefix}-*`)],
      },
      {
        sid: "RedeployOnSecretChange",
        actions: [
          "events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule",
          "events:TagResource", "events:UntagResource", "events:ListTagsForResource",
          "states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine",
          "states:ListStateMachineVersions", "states:TagResource", "states:UntagResource", "states:ListTagsForResource",
        ],
        resources: [arn("events", `rule/${prefix}-*`), arn("states", `stateMachine:${prefix}-*`)],
      },
      // The provider validates a state machine definition during plan; AWS authorizes it on stateMachine:*.
      { sid: "ValidateDefinitions", actions: ["states:ValidateStateMachineDefinition"], resources: [arn("states", "stateMachine:*")] },
      // Rotation of the RDS-managed master secret (named rds!db-<id> by RDS); no secret values.
      { sid: "MasterRotation", actions: ["secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret", "secretsmanager:DescribeSecret"], resources: [arn("secretsmanager", "secret:rds!*")] },
      ...lambdaSubscribers(env),
    ],
    guardrails: [
      {
        // Its own role and every GitHub role (deploy roles match <project>-<env>-*), and the OIDC provider.
        sid: "DenyGithubIdentities",
        effect: "Deny",
        actions: ["iam:*"],
        resources: [
          arn("iam", `role/${roleName}`, "global"),
          arn("iam", `role/${project}-*-github-deploy`, "global"),
          arn("iam", `role/${planRoleName(project)}`, "global"),
          arn("iam", `oidc-provider/${GITHUB_OIDC_HOST}`, "global"),
        ],
      },
      {
        // Anything already tagged with another Environment (the other environments, the shared bootstrap
        // resources). Untagged requests (creates, describes) are unaffected: Null "false" = key present.
        sid: "DenyOtherEnvironments",
        effect: "Deny",
        actions: TAGGED_SERVICES.map((s) => `${s}:*`),
        resources: ["*"],
        condition: [
          { test: "StringNotEquals", variable: "aws:ResourceTag/Environment", values: [env.name] },
          { test: "Null", variable: "aws:ResourceTag/Environment", values: ["false"] },
        ],
      },
    ],
  };
}

/** Chat forwarders subscribed to the alarm topic: the deploy role grants SNS permission to invoke them, nothing else. */
function lambdaSubscribers(env: EnvironmentConfig): DataAwsIamPolicyDocumentStatement[] {
  const arns = env.monitoring.subscribers.flatMap((s) => ("lambdaArn" in s ? [s.lambdaArn] : []));
  return arns.length ? [{ sid: "AlarmSubscribers", actions: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy", "lambda:GetFunction"], resources: arns }] : [];
}
