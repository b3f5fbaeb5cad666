import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import { LOCK_SUFFIX, planRoleName } from "./delivery-names";
import { githubSubject, type GithubOidcProvider } from "./github-oidc";
import { checkName, Naming } from "../core/naming";
import { stateKey } from "../data/state-backend";
import { PropsError } from "../core/errors";

/**
 * Read actions granted on `"*"` (limited to the environments' regions): AWS has no resource-level
 * permission for them. Everything else the plan role reads is named by ARN.
 */
export const PLAN_UNSCOPED_ACTIONS: readonly string[] = [
  "ec2:Describe*", "elasticloadbalancing:Describe*", "ecs:DescribeTaskDefinition", "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks",
  "ecs:ListTaskDefinitions", "rds:Describe*",
  "application-autoscaling:Describe*", "application-autoscaling:ListTagsForResource", "cloudwatch:DescribeAlarms", "logs:DescribeLogGroups",
  "logs:DescribeQueryDefinitions",
];

/** The permission groups of the plan role, one managed policy each. */
export const PLAN_POLICY_GROUPS = ["state", "read"] as const;
export type PlanPolicyGroup = (typeof PLAN_POLICY_GROUPS)[number];

/** One environment a plan reads, as names and ids. */
export interface PlanTarget {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  readonly hostedZoneId: string;
}

export interface GithubPlanRoleProps {
  /** The account's GitHub OIDC provider (trusted principal). */
  readonly oidc: GithubOidcProvider;
  /** `owner/name` of the repository whose pull requests are planned. */
  readonly repository: string;
  /** Every environment a plan may read (their state, their resources). All share one project. */
  readonly environments: readonly PlanTarget[];
  /** The state bucket holding every environment's state. */
  readonly state: { readonly bucket: string; readonly region: string };
  /**
   * The repository's default branch: scheduled workflows (drift detection) run there, and GitHub
   * names their token `repo:<owner/name>:ref:refs/heads/<branch>`.
   * @default "main"
   */
  readonly scheduledBranch?: string;
  /**
   * Longest session, in seconds, a workflow can ask for.
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * The read-only role of pull-request plans and nightly drift detection (`terraform plan -lock=false`).
 *
 * Trust: pull requests of the repository (`repo:<owner/name>:pull_request`) and runs on the default
 * branch (`repo:<owner/name>:ref:refs/heads/main`), where GitHub runs scheduled workflows; no
 * wildcards. Fork pull requests get no OIDC token from GitHub at all.
 *
 * Permissions: read every environment's state object and lock file (never write), and what
 * `terraform plan` refreshes: Describe/List/Get of the resource types the stacks use. Not AWS's
 * `ReadOnlyAccess`: any branch of the repository can run code with this role, and that policy also
 * reads data (every S3 object, DynamoDB items, SSM parameters, log events). This one reads
 * configuration only: bucket settings without object ARNs, secret metadata without values, log
 * groups without log events, and only the `<project>-<env>-*` names where AWS can scope by name.
 */
export class GithubPlanRole extends Construct {
  readonly role: IamRole;
  /** The `sub` claims the role trusts. */
  readonly subjects: readonly string[];
  readonly policies: Readonly<Record<PlanPolicyGroup, IamPolicy>>;
  readonly statements: Readonly<Record<PlanPolicyGroup, DataAwsIamPolicyDocumentStatement[]>>;

  constructor(scope: Construct, id: string, props: GithubPlanRoleProps) {
    super(scope, id);
    const [first] = props.environments;
    if (!first) throw new PropsError(`GithubPlanRole "${id}": environments must list at least one environment`);
    const maxSession = props.maxSessionDurationSeconds ?? 3600;
    if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
      throw new PropsError(`GithubPlanRole "${id}": maxSessionDurationSeconds must be a whole number from 3600 to 43200; got ${maxSession}`);
    }
    const name = planRoleName(first.project);
    this.subjects = [
      githubSubject(props.repository, { pullRequest: true }),
      githubSubject(props.repository, { branch: props.scheduledBranch ?? "main" }),
    ];

    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [props.oidc.trustStatement(this.subjects)] });
    this.role = new IamRole(this, "role", {
      name,
      description: "GitHub Actions plans pull requests and detects drift (read-only)",
      assumeRolePolicy: trust.json,
      maxSessionDuration: maxSession,
    });

    this.statements = planStatements(props.environments, props.state);
    const policies = {} as Record<PlanPolicyGroup, IamPolicy>;
    for (const group of PLAN_POLICY_GROUPS) {
      const document = new DataAwsIamPolicyDocument(this, `${group}-document`, { statement: this.statements[group] });
      policies[group] = new IamPolicy(this, `${group}-policy`, {
        name: checkName("iamPolicy", `${name}-${group}`),
        description: `Plans from GitHub Actions: ${group}`,
        policy: document.json,
      });
      new IamRolePolicyAttachment(this, `${group}-attachment`, { role: this.role.name, policyArn: policies[group].arn });
    }
    this.policies = policies;
  }
}

const unique = (values: readonly string[]) => [...new Set(values)];

function planStatements(environments: readonly PlanTarget[], state: GithubPlanRoleProps["state"]): Record<PlanPolicyGroup, DataAwsIamPolicyDocumentStatement[]> {
  const bucketArn = `arn:${partitionOf(state.region)}:s3:::${state.bucket}`;
  const keys = environments.flatMap((env) => {
    const key = stateKey(env.project, env.environment);
    return [key, `${key}${LOCK_SUFFIX}`];
  });
  const inRegions = [{ test: "StringEquals", variable: "aws:RequestedRegion", values: unique(environments.map((e) => e.region)) }];
  const each = (build: (env: PlanTarget, p: string, prefix: string) => string) =>
    unique(environments.map((env) => build(env, partitionOf(env.region), new Naming(env.project, env.environment).prefix)));

  return {
    state: [
      { sid: "StateList", actions: ["s3:ListBucket"], resources: [bucketArn], condition: [{ test: "StringEquals", variable: "s3:prefix", values: keys }] },
      // Reading the lock file shows who holds a lock; plans run with -lock=false and never write.
      { sid: "StateRead", actions: ["s3:GetObject"], resources: keys.map((key) => `${bucketArn}/${key}`) },
    ],
    read: [
      {
        // Describe and List calls that AWS does not scope by resource; they return configuration, not data.
        sid: "DescribeUnscoped",
        actions: [...PLAN_UNSCOPED_ACTIONS],
        resources: ["*"],
        condition: inRegions,
      },
      {
        sid: "EcsByName",
        actions: ["ecs:DescribeClusters", "ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListTagsForResource"],
        resources: environments.flatMap((env) => {
          const base = `arn:${partitionOf(env.region)}:ecs:${env.region}:${env.accountId}`;
          const prefix = new Naming(env.project, env.environment).prefix;
          return [`${base}:cluster/${prefix}-*`, `${base}:service/${prefix}-*/*`, `${base}:task/${prefix}-*/*`, `${base}:task-definition/${prefix}-*:*`];
        }),
      },
      {
        // A certificate's ARN holds a random id: the environments' accounts and regions only.
        sid: "Certificates",
        actions: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
        resources: each((env, p) => `arn:${p}:acm:${env.region}:${env.accountId}:certificate/*`),
      },
      {
        // Log group settings and tags; no log events.
        sid: "LogGroups",
        actions: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
        resources: environments.flatMap((env) => {
          const base = `arn:${partitionOf(env.region)}:logs:${env.region}:${env.accountId}:log-group`;
          return [`${base}:/${env.project}/${env.environment}/*`, `${base}:/aws/rds/instance/${new Naming(env.project, env.environment).prefix}-*`];
        }),
      },
      {
        sid: "DatabaseTags",
        actions: ["rds:ListTagsForResource"],
        resources: environments.flatMap((env) => {
          const base = `arn:${partitionOf(env.region)}:rds:${env.region}:${env.accountId}`;
          const prefix = new Naming(env.project, env.environment).prefix;
          return [`${base}:db:${prefix}-*`, `${base}:subgrp:${prefix}-*`, `${base}:pg:${prefix}-*`];
        }),
      },
      {
        sid: "Repositories",
        actions: ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListTagsForResource", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy"],
        resources: each((env, p, prefix) => `arn:${p}:ecr:${env.region}:${env.accountId}:repository/${prefix}-*`),
      },
      {
        // Bucket configuration (HeadBucket needs ListBucket); no object ARN, so no object can be read.
        sid: "BucketSettings",
        actions: [
          "s3:ListBucket", "s3:GetBucket*", "s3:GetLifecycleConfiguration", "s3:GetEncryptionConfiguration",
          "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration",
        ],
        resources: each((_env, p, prefix) => `arn:${p}:s3:::${prefix}-*`),
      },
      {
        // Metadata of the app secrets, never their values.
        sid: "SecretMetadata",
        actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
        resources: each((env, p) => `arn:${p}:secretsmanager:${env.region}:${env.accountId}:secret:${env.project}/${env.environment}/*`),
      },
      {
        sid: "Roles",
        actions: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListRoleTags"],
        resources: each((env, p, prefix) => `arn:${p}:iam::${env.accountId}:role/${prefix}-*`),
      },
      {
        // Alarms, dashboard, alarm topic, redeploy rule and state machine (README "Operations").
        sid: "Operations",
        actions: [
          "cloudwatch:ListTagsForResource", "cloudwatch:GetDashboard", "sns:GetTopicAttributes", "sns:GetSubscriptionAttributes",
          "sns:ListTagsForResource", "events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource",
          "states:DescribeStateMachine", "states:ListStateMachineVersions", "states:ListTagsForResource",
        ],
        resources: environments.flatMap((env) => {
          const [p, prefix, at] = [partitionOf(env.region), new Naming(env.project, env.environment).prefix, `${env.region}:${env.accountId}`];
          return [
            `arn:${p}:cloudwatch:${at}:alarm:${prefix}-*`, `arn:${p}:cloudwatch::${env.accountId}:dashboard/${prefix}-*`, `arn:${p}:sns:${at}:${prefix}-*`,
            `arn:${p}:events:${at}:rule/${prefix}-*`, `arn:${p}:states:${at}:stateMachine:${prefix}-*`,
          ];
        }),
      },
      {
        // Not a read, but terraform plan calls it for every changed state machine definition (provider >= 5.67).
        sid: "ValidateStateMachines",
        actions: ["states:ValidateStateMachineDefinition"],
        resources: each((env, p) => `arn:${p}:states:${env.region}:${env.accountId}:stateMachine:*`),
      },
      {
        // The rotation settings of the RDS-managed master secret (metadata only).
        sid: "MasterSecretMetadata",
        actions: ["secretsmanager:DescribeSecret"],
        resources: each((env, p) => `arn:${p}:secretsmanager:${env.region}:${env.accountId}:secret:rds!*`),
      },
      {
        sid: "DnsZones",
        actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
        resources: each((env, p) => `arn:${p}:route53:::hostedzone/${env.hostedZoneId}`),
      },
    ],
  };
}
