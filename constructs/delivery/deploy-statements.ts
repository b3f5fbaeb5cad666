/**
 * The deploy role's permissions, one function per AWS service, grouped into the role's managed
 * policies by `deployStatements`. Each function reads only the `DeployScope`: plain names of one
 * environment, never a construct or the whole config.
 */
import type { DataAwsIamPolicyDocumentStatement as Statement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { LOCK_SUFFIX } from "./delivery-names";
import { GITHUB_OIDC_HOST } from "./github-oidc";
import { partitionOf } from "../core/partition";

/** The environment a deploy role deploys, as names and ids. */
export interface DeployScope {
  readonly project: string;
  /** Environment name, the value of the `Environment` tag on everything it creates. */
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  /** The site's host names (certificate and alias records), all in `hostedZoneId`. */
  readonly siteNames: readonly string[];
  readonly hostedZoneId: string;
  /** The state bucket, its region, and this environment's state key in it. */
  readonly state: { readonly bucket: string; readonly region: string; readonly key: string };
  /** ARN of the permissions boundary every role the deploy role creates must carry. */
  readonly boundaryArn: string;
  /** Name of the deploy role itself. */
  readonly roleName: string;
  /** Lambda functions subscribed to the alarm topic (chat forwarders): SNS may be allowed to invoke them. @default none */
  readonly alarmSubscriberLambdaArns?: readonly string[];
  /**
   * Repositories of the environment whose tested images this one promotes (config `delivery.promoteFrom`):
   * left out of the other-Environment deny; constructs/promotion-statements.ts allows their reads only. @default none
   */
  readonly promotionSourceRepositoryArns?: readonly string[];
  /**
   * Issue 14: whether the environment has SQS queues (config `queue`, or the scheduled jobs' dead-letter
   * queue) and EventBridge Scheduler schedules (config `scheduledJobs`). @default neither
   */
  readonly workloads?: { readonly queues: boolean; readonly schedules: boolean };
}

/** The permission groups, one managed policy each (a managed policy holds at most 6,144 characters). */
export const DEPLOY_POLICY_GROUPS = ["state", "containers", "network", "data", "identity", "guardrails", "operations"] as const;
export type DeployPolicyGroup = (typeof DEPLOY_POLICY_GROUPS)[number];

/** EC2 calls that create a resource; allowed only when the request tags it with the environment. */
export const EC2_CREATE_ACTIONS: readonly string[] = [
  "ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:AllocateAddress", "ec2:CreateNatGateway",
  "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateFlowLogs",
  "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
];

/** EC2 calls on existing resources; allowed only on resources tagged with the environment. */
export const EC2_TAGGED_ACTIONS: readonly string[] = [
  "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:AssociateVpcCidrBlock", "ec2:DisassociateVpcCidrBlock",
  "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:AssociateSubnetCidrBlock", "ec2:DisassociateSubnetCidrBlock",
  "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
  "ec2:ReleaseAddress", "ec2:AssociateAddress", "ec2:DisassociateAddress",
  "ec2:CreateNatGateway", "ec2:DeleteNatGateway",
  "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute",
  "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
  "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules",
  "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
  "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:CreateTags", "ec2:DeleteTags",
];

/** Calls that remove tags: removing the `Environment` tag is denied (it would escape the tag guard). */
const UNTAG_ACTIONS = [
  "ec2:DeleteTags", "ecs:UntagResource", "ecr:UntagResource", "rds:RemoveTagsFromResource", "logs:UntagResource", "logs:UntagLogGroup",
  "acm:RemoveTagsFromCertificate", "secretsmanager:UntagResource", "iam:UntagRole", "elasticloadbalancing:RemoveTags",
  "application-autoscaling:UntagResource",
];

/** Services whose resources carry the provider's `Environment` default tag; the deny guard covers them. */
const TAGGED_SERVICES = ["ec2", "elasticloadbalancing", "ecs", "ecr", "rds", "logs", "acm", "secretsmanager", "iam", "application-autoscaling", "cloudwatch", "sns", "events", "states"];

type Condition = NonNullable<Statement["condition"]>;

/** Helpers shared by the service groups. */
function context(s: DeployScope) {
  const p = partitionOf(s.region);
  const prefix = `${s.project}-${s.environment}`;
  const arn = (service: string, resource: string, scope: "regional" | "global" = "regional") =>
    `arn:${p}:${service}:${scope === "regional" ? s.region : ""}:${s.accountId}:${resource}`;
  const inRegion: Condition = [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [s.region] }];
  const taggedOnRequest: Condition = [{ test: "StringEquals", variable: "aws:RequestTag/Environment", values: [s.environment] }];
  const taggedResource: Condition = [{ test: "StringEquals", variable: "aws:ResourceTag/Environment", values: [s.environment] }];
  return { p, prefix, arn, inRegion, taggedOnRequest, taggedResource };
}

/** This environment's state object and lock file only. */
export function stateStatements(s: DeployScope): Statement[] {
  const bucketArn = `arn:${partitionOf(s.state.region)}:s3:::${s.state.bucket}`;
  const lock = `${s.state.key}${LOCK_SUFFIX}`;
  return [
    // Terraform lists the bucket to check the state exists; only this environment's keys may be listed.
    { sid: "StateList", actions: ["s3:ListBucket"], resources: [bucketArn], condition: [{ test: "StringEquals", variable: "s3:prefix", values: [s.state.key, lock] }] },
    { sid: "StateReadWrite", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${bucketArn}/${s.state.key}`] },
    { sid: "StateLock", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucketArn}/${lock}`] },
  ];
}

export function ecrStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
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
  ];
}

export function ecsStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
    {
      sid: "EcsByName",
      actions: [
        "ecs:CreateCluster", "ecs:DescribeClusters", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:PutClusterCapacityProviders", "ecs:DeleteCluster",
        "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices",
        // task definition families are named <project>-<env>-*: the other environment's families (and its migration) are out of reach
        "ecs:RegisterTaskDefinition",
        "ecs:StopTask", "ecs:DescribeTasks", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource",
      ],
      resources: [
        arn("ecs", `cluster/${prefix}-*`),
        arn("ecs", `service/${prefix}-*/*`),
        arn("ecs", `task/${prefix}-*/*`),
        arn("ecs", `task-definition/${prefix}-*:*`),
      ],
    },
    {
      // The migration: its own task definitions, only in its own cluster.
      sid: "EcsRunTask",
      actions: ["ecs:RunTask"],
      resources: [arn("ecs", `task-definition/${prefix}-*:*`)],
      condition: [{ test: "ArnLike", variable: "ecs:cluster", values: [arn("ecs", `cluster/${prefix}-*`)] }],
    },
    {
      // Task definitions are described and deregistered without a resource ARN.
      sid: "EcsUnscoped",
      actions: ["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks", "ecs:ListTaskDefinitions"],
      resources: ["*"],
      condition: inRegion,
    },
  ];
}

export function logsStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
    {
      sid: "LogGroups",
      actions: [
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
        "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
        // the deploy command reads the migration task's log stream
        "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
      ],
      resources: [arn("logs", `log-group:/${s.project}/${s.environment}/*`), arn("logs", `log-group:/aws/rds/instance/${prefix}-*`)],
    },
    { sid: "LogGroupsDescribe", actions: ["logs:DescribeLogGroups"], resources: ["*"], condition: inRegion },
  ];
}

export function autoscalingStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
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
  ];
}

/**
 * EC2 has no name-based ARNs (every id is random): creates must tag the new resource with the
 * environment (tag on create), and every other write needs the resource to carry that tag already.
 */
export function ec2Statements(s: DeployScope): Statement[] {
  const { inRegion, taggedOnRequest, taggedResource } = context(s);
  return [
    { sid: "Ec2Describe", actions: ["ec2:Describe*"], resources: ["*"], condition: inRegion },
    { sid: "Ec2CreateTagged", actions: [...EC2_CREATE_ACTIONS], resources: ["*"], condition: [...inRegion, ...taggedOnRequest] },
    {
      // Tags in the create call itself (TagSpecifications) are authorized as ec2:CreateTags.
      sid: "Ec2TagOnCreate",
      actions: ["ec2:CreateTags"],
      resources: ["*"],
      condition: [...inRegion, ...taggedOnRequest, { test: "StringEquals", variable: "ec2:CreateAction", values: EC2_CREATE_ACTIONS.map((a) => a.slice(4)) }],
    },
    { sid: "Ec2Tagged", actions: [...EC2_TAGGED_ACTIONS], resources: ["*"], condition: [...inRegion, ...taggedResource] },
  ];
}

export function elbStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
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
  ];
}

/** A certificate's ARN holds a random id: requests must tag it with the environment, the rest need that tag. */
export function acmStatements(s: DeployScope): Statement[] {
  const { arn, inRegion, taggedOnRequest, taggedResource } = context(s);
  return [
    { sid: "CertificateRequest", actions: ["acm:RequestCertificate", "acm:AddTagsToCertificate"], resources: ["*"], condition: [...inRegion, ...taggedOnRequest] },
    {
      sid: "Certificates",
      actions: [
        "acm:DescribeCertificate", "acm:GetCertificate", "acm:DeleteCertificate", "acm:AddTagsToCertificate",
        "acm:RemoveTagsFromCertificate", "acm:ListTagsForCertificate", "acm:UpdateCertificateOptions",
      ],
      resources: [arn("acm", "certificate/*")],
      condition: taggedResource,
    },
  ];
}

export function route53Statements(s: DeployScope): Statement[] {
  const { p } = context(s);
  const zone = `arn:${p}:route53:::hostedzone/${s.hostedZoneId}`;
  // Alias records carry the site's names; ACM validation records are `_<hash>.<name>` (`*.` dropped).
  const recordNames = [
    ...new Set(
      s.siteNames.flatMap((name) => {
        const base = name.replace(/^\*\./, "");
        return [base, `_*.${base}`];
      }),
    ),
  ];
  return [
    {
      // Only the site's names and their ACM validation records, only A, AAAA and CNAME, only in the configured zone.
      sid: "DnsRecords",
      actions: ["route53:ChangeResourceRecordSets"],
      resources: [zone],
      condition: [
        { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames", values: recordNames },
        { test: "ForAllValues:StringEquals", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: ["A", "AAAA", "CNAME"] },
      ],
    },
    { sid: "DnsZone", actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets"], resources: [zone] },
    { sid: "DnsChanges", actions: ["route53:GetChange"], resources: [`arn:${p}:route53:::change/*`] },
  ];
}

export function rdsStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  return [
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
  ];
}

export function s3Statements(s: DeployScope): Statement[] {
  const { p, prefix } = context(s);
  return [
    {
      // Bucket configuration only: no object ARN, so no object can be read, written or deleted.
      // A bucket policy can only be set on the environment's own buckets; the account-level public
      // access block (bootstrap stack) refuses public ones.
      sid: "Buckets",
      actions: [
        "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucketTagging", "s3:PutBucketVersioning",
        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
        "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
        "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration",
      ],
      resources: [`arn:${p}:s3:::${prefix}-*`],
    },
  ];
}

export function secretsStatements(s: DeployScope): Statement[] {
  const { arn, prefix } = context(s);
  return [
    {
      // The app secrets' containers, never their values, and no resource policy (which could grant reads).
      sid: "AppSecrets",
      actions: [
        "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret", "secretsmanager:DescribeSecret",
        "secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:GetResourcePolicy",
        "secretsmanager:ListSecretVersionIds",
      ],
      resources: [arn("secretsmanager", `secret:${s.project}/${s.environment}/*`)],
    },
    {
      // RDS creates the master password secret with the caller's permissions and names it `rds!db-<uuid>`.
      sid: "DatabaseSecretCreate",
      actions: ["secretsmanager:CreateSecret"],
      resources: [arn("secretsmanager", "secret:rds!*")],
    },
    {
      // Afterwards only this environment's: RDS tags its secret with the instance ARN, which carries the prefix.
      sid: "DatabaseManagedSecret",
      actions: [
        "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret",
        "secretsmanager:PutSecretValue", "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret", "secretsmanager:DeleteSecret",
      ],
      resources: [arn("secretsmanager", "secret:rds!*")],
      condition: [{ test: "StringLike", variable: "aws:ResourceTag/aws:rds:primaryDBInstanceArn", values: [arn("rds", `db:${prefix}-*`)] }],
    },
  ];
}

export function kmsStatements(s: DeployScope): Statement[] {
  const { arn } = context(s);
  return [
    {
      // The AWS managed keys of RDS and Secrets Manager, used through those services only.
      sid: "ServiceKeys",
      actions: ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"],
      resources: [arn("kms", "key/*")],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`rds.${s.region}.amazonaws.com`, `secretsmanager.${s.region}.amazonaws.com`] }],
    },
  ];
}

/**
 * The environment's task, execution and flow-log roles. Every call that creates a role or changes
 * its permissions requires the role to carry the environment's permissions boundary; the boundary
 * itself can be neither removed nor changed (guardrails).
 */
export function iamStatements(s: DeployScope): Statement[] {
  const { arn, prefix } = context(s);
  const roles = [arn("iam", `role/${prefix}-*`, "global")];
  const withBoundary: Condition = [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [s.boundaryArn] }];
  return [
    {
      sid: "CreateRolesWithBoundary",
      actions: ["iam:CreateRole"],
      resources: roles,
      condition: [...withBoundary, { test: "StringEquals", variable: "aws:RequestTag/Environment", values: [s.environment] }],
    },
    {
      // No managed policy attachments: the stacks use inline policies, written only into bounded roles.
      sid: "RolePoliciesWithBoundary",
      actions: ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"],
      resources: roles,
      condition: withBoundary,
    },
    {
      sid: "Roles",
      actions: [
        "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
        "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
      ],
      resources: roles,
    },
    {
      sid: "PassRoles",
      actions: ["iam:PassRole"],
      resources: roles,
      condition: [
        {
          test: "StringEquals",
          variable: "iam:PassedToService",
          // Step Functions and EventBridge: the redeploy-on-secret-change roles (README "Operations"); Scheduler: the scheduled jobs' role.
          values: ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com", ...(s.workloads?.schedules ? ["scheduler.amazonaws.com"] : [])],
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
  ];
}

export function guardrailStatements(s: DeployScope): Statement[] {
  const { arn } = context(s);
  const otherEnvironment: Condition = [
    { test: "StringNotEquals", variable: "aws:ResourceTag/Environment", values: [s.environment] },
    { test: "Null", variable: "aws:ResourceTag/Environment", values: ["false"] },
  ];
  return [
    {
      // Its own role, every GitHub role (deploy roles match <project>-<env>-*), the OIDC provider and every
      // environment's permissions boundary.
      sid: "DenyGithubIdentities",
      effect: "Deny",
      actions: ["iam:*"],
      resources: [
        arn("iam", `role/${s.roleName}`, "global"),
        arn("iam", `role/${s.project}-*-github-deploy`, "global"),
        arn("iam", `role/${s.project}-github-plan-*`, "global"),
        arn("iam", `oidc-provider/${GITHUB_OIDC_HOST}`, "global"),
        arn("iam", `policy/${s.project}-*-workload-boundary`, "global"),
      ],
    },
    {
      // Anything already tagged with another Environment (the other environments, the shared bootstrap
      // resources). Untagged requests (creates, describes) are unaffected: Null "false" = key present.
      sid: "DenyOtherEnvironments",
      effect: "Deny",
      actions: TAGGED_SERVICES.map((service) => `${service}:*`),
      ...(s.promotionSourceRepositoryArns?.length ? { notResources: [...s.promotionSourceRepositoryArns] } : { resources: ["*"] }),
      condition: otherEnvironment,
    },
    {
      // No create or tag call may set another Environment's tag.
      sid: "DenyOtherEnvironmentTags",
      effect: "Deny",
      actions: TAGGED_SERVICES.map((service) => `${service}:*`),
      resources: ["*"],
      condition: [
        { test: "StringNotEquals", variable: "aws:RequestTag/Environment", values: [s.environment] },
        { test: "Null", variable: "aws:RequestTag/Environment", values: ["false"] },
      ],
    },
    {
      sid: "DenyEnvironmentUntag",
      effect: "Deny",
      actions: UNTAG_ACTIONS,
      resources: ["*"],
      condition: [{ test: "ForAnyValue:StringEquals", variable: "aws:TagKeys", values: ["Environment"] }],
    },
    {
      // The boundary stays on every role; resource policies could grant what the identity policies do not.
      sid: "DenyEscalation",
      effect: "Deny",
      actions: ["iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "secretsmanager:PutResourcePolicy", "secretsmanager:GetSecretValue"],
      resources: ["*"],
    },
  ];
}

/** Alarms, their topic and subscribers, the dashboard, saved queries and the redeploy-on-secret-change machinery (README "Operations"). */
export function operationsStatements(s: DeployScope): Statement[] {
  const { arn, prefix, inRegion } = context(s);
  const lambdas = s.alarmSubscriberLambdaArns ?? [];
  return [
    {
      sid: "Alarms",
      actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
      resources: [arn("cloudwatch", `alarm:${prefix}-*`)],
    },
    { sid: "Dashboards", actions: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"], resources: [arn("cloudwatch", `dashboard/${prefix}-*`, "global")] },
    // Logs Insights saved queries have no resource ARN.
    { sid: "SavedQueries", actions: ["logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions"], resources: ["*"], condition: inRegion },
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
    // Issue 14: the queue and dead-letter queues, and the scheduled jobs' schedules (in the default group: schedules carry no tags).
    ...(s.workloads?.queues
      ? [
          {
            sid: "Queues",
            actions: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags"],
            resources: [arn("sqs", `${prefix}-*`)],
          },
        ]
      : []),
    ...(s.workloads?.schedules
      ? [{ sid: "Schedules", actions: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"], resources: [arn("scheduler", `schedule/default/${prefix}-*`)] }]
      : []),
    ...(lambdas.length
      ? [{ sid: "AlarmSubscribers", actions: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy", "lambda:GetFunction"], resources: [...lambdas] }]
      : []),
  ];
}

/** Every statement of one environment's deploy role, by policy group. */
export function deployStatements(s: DeployScope): Record<DeployPolicyGroup, Statement[]> {
  return {
    state: stateStatements(s),
    containers: [...ecrStatements(s), ...ecsStatements(s), ...logsStatements(s), ...autoscalingStatements(s)],
    network: [...ec2Statements(s), ...elbStatements(s), ...acmStatements(s), ...route53Statements(s)],
    data: [...rdsStatements(s), ...s3Statements(s), ...secretsStatements(s), ...kmsStatements(s)],
    identity: iamStatements(s),
    guardrails: guardrailStatements(s),
    operations: operationsStatements(s),
  };
}
