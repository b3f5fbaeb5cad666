/**
 * GitHub Actions identities in the bootstrap stack: the OIDC provider, one deploy role per
 * environment and the read-only plan role (README "Continuous delivery").
 */
import { TerraformStack, Testing } from "cdktf";
import { DEPLOY_ROLE_RESOURCE_TYPES, DEPLOY_UNSCOPED_ACTIONS, GithubDeployRole } from "../../constructs/delivery/github-deploy-role";
import { GithubOidcProvider, githubSubject } from "../../constructs/delivery/github-oidc";
import { PLAN_UNSCOPED_ACTIONS } from "../../constructs/delivery/github-plan-role";
import { plannedOfType } from "../../lib/terraform";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun } from "../terraform/terraform-run";
import { buildStacks, policyDocument, production, resourceList, resources, staging, synth, type Synth } from "../helpers";

type Statement = {
  sid?: string;
  effect?: string;
  actions: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
};

const REPO = "example-org/webapp";
const BUCKET = "arn:aws:s3:::webapp-terraform-state-example";

function statementsOf(json: Synth, idPart: string): Statement[] {
  return policyDocument(json, idPart).statement as Statement[];
}

/** Every policy statement of one role (permissions only, not the trust policy), by group. */
function roleStatements(json: Synth, construct: string): Record<string, Statement[]> {
  const documents = Object.entries(json.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.startsWith(`${construct}_`) && !id.startsWith(`${construct}_trust_`));
  return Object.fromEntries(documents.map(([id, doc]) => [id.slice(construct.length + 1).replace(/-document_.*$/, ""), (doc as { statement: Statement[] }).statement]));
}

const allows = (statements: Statement[]) => statements.filter((s) => (s.effect ?? "Allow") === "Allow");

describe("GitHub Actions identities (bootstrap stack)", () => {
  const { bootstrap } = buildStacks();
  const { json } = synth(bootstrap);
  const oidcAddress = `aws_iam_openid_connect_provider.${Object.keys(resources(json, "aws_iam_openid_connect_provider"))[0]}`;

  describe("OIDC provider", () => {
    test("one provider for token.actions.githubusercontent.com with audience sts.amazonaws.com, no pinned thumbprint", () => {
      const providers = resourceList(json, "aws_iam_openid_connect_provider");
      expect(providers).toHaveLength(1);
      expect(providers[0]).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
      expect(providers[0]).not.toHaveProperty("thumbprint_list");
    });
  });

  describe.each([
    ["staging", `repo:${REPO}:ref:refs/heads/main`],
    ["production", `repo:${REPO}:environment:production`],
  ])("%s deploy role", (env, subject) => {
    const workflowRef = `${REPO}/.github/workflows/deploy-${env}.yml@refs/heads/main`;
    const construct = `workflow-deploy-${env}`;
    const groups = roleStatements(json, construct);
    const all = Object.values(groups).flat();
    const key = `webapp/${env}/terraform.tfstate`;

    test(`GIVEN config delivery.deployFrom THEN the trust policy admits exactly sub ${subject}, aud sts.amazonaws.com, and the deploy-${env}.yml workflow on main`, () => {
      expect(statementsOf(json, `${construct}_trust`)).toEqual([
        {
          sid: "GithubActions",
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [`\${${oidcAddress}.arn}`] }],
          condition: [
            { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
            { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: [subject] },
            { test: "StringEquals", variable: "token.actions.githubusercontent.com:job_workflow_ref", values: [workflowRef] },
            { test: "StringEquals", variable: "token.actions.githubusercontent.com:ref", values: ["refs/heads/main"] },
          ],
        },
      ]);
    });

    test("named <project>-<env>-github-deploy, two-hour sessions (the deploy's waits plus applies), its own trust policy", () => {
      const role = resourceList(json, "aws_iam_role").find((r) => r.name === `webapp-${env}-github-deploy`);
      expect(role).toMatchObject({ max_session_duration: 7200 });
      expect(role?.assume_role_policy).toMatch(new RegExp(`^\\$\\{data\\.aws_iam_policy_document\\.${construct}_trust_\\w+\\.json\\}$`));
    });

    test("seven managed policies (production: eight, with the promotion read), all attached to the role", () => {
      const policies = resourceList(json, "aws_iam_policy").filter((p) => String(p.name).startsWith(`webapp-${env}-github-deploy-`));
      const names = ["containers", "data", "guardrails", "identity", "network", "operations", ...(env === "production" ? ["promotion"] : []), "state"];
      expect(policies.map((p) => p.name).sort()).toEqual(names.map((g) => `webapp-${env}-github-deploy-${g}`));
      const attachments = Object.entries(resources(json, "aws_iam_role_policy_attachment")).filter(([id]) => id.startsWith(`${construct}_`));
      expect(attachments).toHaveLength(names.length);
      expect(attachments.every(([, a]) => String(a.role).includes(`${construct}_role_`))).toBe(true);
    });

    test("state: read/write of its own state key and lock file only, listing limited to those keys", () => {
      expect(groups.state).toEqual([
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [BUCKET], condition: [{ test: "StringEquals", variable: "s3:prefix", values: [key, `${key}.tflock`] }] },
        { sid: "StateReadWrite", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${BUCKET}/${key}`] },
        { sid: "StateLock", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${BUCKET}/${key}.tflock`] },
      ]);
    });

    test("no other statement reaches the state bucket or another environment's names (production: but the read of staging's two repositories it promotes from)", () => {
      const other = env === "staging" ? "production" : "staging";
      const outsideState = Object.entries(groups)
        .filter(([group]) => group !== "state")
        .flatMap(([, statements]) => allows(statements));
      expect(outsideState.flatMap((s) => s.resources ?? []).filter((r) => r.includes("webapp-terraform-state-example"))).toEqual([]);
      const promotion = (s: Statement) => s.sid === "PromotionSourceRead";
      expect(JSON.stringify(allows(all).filter((s) => !promotion(s)))).not.toContain(other);
      expect(allows(all).filter(promotion)).toEqual(
        env === "production"
          ? [{ sid: "PromotionSourceRead", actions: ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], resources: ["arn:aws:ecr:eu-west-1:111111111111:repository/webapp-staging-backend", "arn:aws:ecr:eu-west-1:111111111111:repository/webapp-staging-frontend"] }]
          : [],
      );
    });

    test("no wildcard service actions; a '*' resource only for the listed unscopable actions, and only in the environment's region", () => {
      for (const statement of allows(all)) {
        expect(statement.actions.filter((a) => a === "*" || a.endsWith(":*"))).toEqual([]);
        if (statement.resources?.includes("*")) {
          expect(statement.resources).toEqual(["*"]);
          expect(statement.actions.filter((a) => !DEPLOY_UNSCOPED_ACTIONS.includes(a))).toEqual([]);
          expect(statement.condition?.[0]).toEqual({ test: "StringEquals", variable: "aws:RequestedRegion", values: ["eu-west-1"] });
        }
      }
    });

    test("resources are named by the environment's prefix where AWS can scope by name", () => {
      const byId = Object.fromEntries(allows(all).map((s) => [s.sid, s.resources]));
      const prefix = `webapp-${env}-`;
      const account = "111111111111";
      expect(byId.EcrRepositories).toEqual([`arn:aws:ecr:eu-west-1:${account}:repository/${prefix}*`]);
      expect(byId.EcsByName).toEqual([
        `arn:aws:ecs:eu-west-1:${account}:cluster/${prefix}*`,
        `arn:aws:ecs:eu-west-1:${account}:service/${prefix}*/*`,
        `arn:aws:ecs:eu-west-1:${account}:task/${prefix}*/*`,
        `arn:aws:ecs:eu-west-1:${account}:task-definition/${prefix}*:*`,
      ]);
      expect(byId.Buckets).toEqual([`arn:aws:s3:::${prefix}*`]);
      expect(byId.AppSecrets).toEqual([`arn:aws:secretsmanager:eu-west-1:${account}:secret:webapp/${env}/*`]);
      expect(byId.LogGroups).toEqual([
        `arn:aws:logs:eu-west-1:${account}:log-group:/webapp/${env}/*`,
        `arn:aws:logs:eu-west-1:${account}:log-group:/aws/rds/instance/${prefix}*`,
      ]);
      expect(byId.Roles).toEqual([`arn:aws:iam::${account}:role/${prefix}*`]);
    });

    test("iam:PassRole only for the environment's roles, only to ECS tasks, VPC flow logs, the redeploy-on-secret-change Step Functions and EventBridge roles, and (with scheduled jobs) Scheduler", () => {
      const passing = allows(all).filter((s) => s.actions.some((a) => a === "iam:PassRole" || a === "iam:*"));
      expect(passing).toEqual([
        expect.objectContaining({
          actions: ["iam:PassRole"],
          resources: [expect.stringMatching(new RegExp(`:role/webapp-${env}-\\*$`))],
          condition: [
            {
              test: "StringEquals",
              variable: "iam:PassedToService",
              values: ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com", ...(env === "staging" ? ["scheduler.amazonaws.com"] : [])],
            },
          ],
        }),
      ]);
    });

    test("DNS changes only in the environment's hosted zone, for its names and their validation records", () => {
      const dns = allows(all).find((s) => s.actions.includes("route53:ChangeResourceRecordSets"));
      const config = env === "staging" ? staging : production;
      expect(dns?.resources).toEqual([`arn:aws:route53:::hostedzone/${config.domain.hostedZoneId}`]);
      expect(dns?.condition).toEqual([
        { test: "ForAllValues:StringLike", variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames", values: [config.domain.name, `_*.${config.domain.name}`] },
        { test: "ForAllValues:StringEquals", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: ["A", "AAAA", "CNAME"] },
      ]);
    });

    test("never reads secret values", () => {
      expect(allows(all).flatMap((s) => s.actions).filter((a) => /^secretsmanager:(GetSecretValue|Get\*|\*)$/.test(a))).toEqual([]);
    });

    test("guardrails deny the GitHub identities and anything tagged with another Environment", () => {
      const [identities, otherEnvironments] = groups.guardrails;
      expect(identities).toMatchObject({ effect: "Deny", actions: ["iam:*"] });
      expect(identities.resources).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`:role/webapp-${env}-github-deploy$`)), expect.stringMatching(/:role\/webapp-github-plan-\*$/), expect.stringMatching(/:oidc-provider\/token\.actions\.githubusercontent\.com$/)]),
      );
      // production promotes staging's images (config delivery.promoteFrom): only those two repositories are left out,
      // and PromotionSourceReadOnly (evaluated in iam-simulation.test.ts) keeps them read-only
      expect(otherEnvironments).toMatchObject({
        effect: "Deny",
        ...(env === "production"
          ? { not_resources: ["arn:aws:ecr:eu-west-1:111111111111:repository/webapp-staging-backend", "arn:aws:ecr:eu-west-1:111111111111:repository/webapp-staging-frontend"] }
          : { resources: ["*"] }),
        condition: [
          { test: "StringNotEquals", variable: "aws:ResourceTag/Environment", values: [env] },
          { test: "Null", variable: "aws:ResourceTag/Environment", values: ["false"] },
        ],
      });
      expect(otherEnvironments.actions).toEqual(expect.arrayContaining(["ec2:*", "ecs:*", "rds:*", "iam:*", "elasticloadbalancing:*"]));
    });
  });

  describe.each(["staging", "production"])("%s plan role", (env) => {
    const groups = roleStatements(json, `workflow-plan-${env}`);
    const all = Object.values(groups).flat();
    const keys = [`webapp/${env}/terraform.tfstate`, `webapp/${env}/terraform.tfstate.tflock`];

    test("named <project>-github-plan-<env>, one-hour sessions", () => {
      expect(resourceList(json, "aws_iam_role").find((r) => r.name === `webapp-github-plan-${env}`)).toMatchObject({ max_session_duration: 3600 });
    });

    test("reads its own environment's state object and lock file only, writes nothing", () => {
      expect(groups.state).toEqual([
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [BUCKET], condition: [{ test: "StringEquals", variable: "s3:prefix", values: keys }] },
        { sid: "StateRead", actions: ["s3:GetObject"], resources: keys.map((k) => `${BUCKET}/${k}`) },
      ]);
    });

    test("a '*' resource only for the listed unscopable reads, only in the environments' region", () => {
      for (const statement of all.filter((s) => s.resources?.includes("*"))) {
        expect(statement.resources).toEqual(["*"]);
        expect(statement.actions.filter((a) => !PLAN_UNSCOPED_ACTIONS.includes(a))).toEqual([]);
        expect(statement.condition).toEqual([{ test: "StringEquals", variable: "aws:RequestedRegion", values: ["eu-west-1"] }]);
      }
    });

    test("read-only: only Describe, List and Get actions (and the definition check terraform plan makes), no Deny needed", () => {
      expect(all.every((s) => (s.effect ?? "Allow") === "Allow")).toBe(true);
      expect(all.flatMap((s) => s.actions).filter((a) => !/^[a-z0-9-]+:(Describe|List|Get)/.test(a))).toEqual(["states:ValidateStateMachineDefinition"]);
    });

    test("reads configuration, not data: no secret values, no objects outside the state keys, no log events", () => {
      const actions = all.flatMap((s) => s.actions);
      expect(actions.filter((a) => /^(secretsmanager:GetSecretValue|ssm:GetParameter|logs:GetLogEvents|logs:FilterLogEvents|s3:Get\*|s3:\*)/.test(a))).toEqual([]);
      const objectReads = all.filter((s) => s.actions.some((a) => a === "s3:GetObject")).flatMap((s) => s.resources ?? []);
      expect(objectReads).toEqual(keys.map((k) => `${BUCKET}/${k}`));
      const bucketSettings = groups.read.find((s) => s.sid === "BucketSettings");
      expect(bucketSettings?.resources).toEqual([`arn:aws:s3:::webapp-${env}-*`]);
      // nothing of the other environment
      expect(JSON.stringify(all)).not.toContain(env === "staging" ? "production" : "staging");
    });
  });

  test("staging's plan role trusts pull requests and the default branch (scheduled drift runs) of the repository, nothing else", () => {
    expect(statementsOf(json, "workflow-plan-staging_trust")).toEqual([
      expect.objectContaining({
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [`\${${oidcAddress}.arn}`] }],
        condition: [
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: [`repo:${REPO}:pull_request`, `repo:${REPO}:ref:refs/heads/main`] },
        ],
      }),
    ]);
  });

  test("production's plan role trusts the drift workflow on main and pull-request plan jobs in the GitHub environment production-plan, nothing else", () => {
    const federated = { actions: ["sts:AssumeRoleWithWebIdentity"], principals: [{ type: "Federated", identifiers: [`\${${oidcAddress}.arn}`] }] };
    const aud = { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] };
    expect(statementsOf(json, "workflow-plan-production_trust")).toEqual([
      expect.objectContaining({
        ...federated,
        sid: "DriftOnDefaultBranch",
        condition: [
          aud,
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: [`repo:${REPO}:ref:refs/heads/main`] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:job_workflow_ref", values: [`${REPO}/.github/workflows/drift.yml@refs/heads/main`] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:ref", values: ["refs/heads/main"] },
        ],
      }),
      expect.objectContaining({
        ...federated,
        sid: "ReviewedPullRequestPlans",
        condition: [
          aud,
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: [`repo:${REPO}:environment:production-plan`] },
          { test: "StringLike", variable: "token.actions.githubusercontent.com:job_workflow_ref", values: [`${REPO}/.github/workflows/pull-request.yml@refs/pull/*/merge`] },
          { test: "StringLike", variable: "token.actions.githubusercontent.com:ref", values: ["refs/pull/*/merge"] },
        ],
      }),
    ]);
  });

  test("outputs: the role ARNs and the provider ARN for the repository variables", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(["github_oidc_provider_arn", "production_deploy_role_arn", "production_plan_role_arn", "staging_deploy_role_arn", "staging_plan_role_arn", "state_bucket"]);
  });

  test("GIVEN staging deploys from a GitHub environment WHEN synthesized THEN its role trusts that environment instead of the branch", () => {
    const { bootstrap: other } = buildStacks([{ ...staging, delivery: { deployFrom: { environment: "staging" } } }, production]);
    const [trust] = statementsOf(synth(other).json, "workflow-deploy-staging_trust");
    expect(trust.condition?.[1].values).toEqual([`repo:${REPO}:environment:staging`]);
    expect(trust.condition?.[2].values).toEqual([`${REPO}/.github/workflows/deploy-staging.yml@refs/heads/main`]);
  });

  test("every resource type the environment stacks create is one the deploy role's permissions were written for", () => {
    const { environments } = buildStacks();
    const types = new Set<string>();
    for (const stack of environments) {
      const synthesized = synth(stack).json;
      for (const type of Object.keys(synthesized.resource ?? {}).filter((t) => t.startsWith("aws_"))) types.add(type);
      for (const type of Object.keys(synthesized.data ?? {}).filter((t) => t.startsWith("aws_"))) types.add(`data.${type}`);
    }
    expect([...types].filter((t) => !DEPLOY_ROLE_RESOURCE_TYPES.includes(t)).sort()).toEqual([]);
  });
});

describe("validation", () => {
  test("the OIDC subject of each source", () => {
    expect(githubSubject("acme/app", { branch: "main" })).toBe("repo:acme/app:ref:refs/heads/main");
    expect(githubSubject("acme/app", { environment: "production" })).toBe("repo:acme/app:environment:production");
    expect(githubSubject("acme/app", { pullRequest: true })).toBe("repo:acme/app:pull_request");
  });

  test("a repository that is not owner/name is refused", () => {
    expect(() => githubSubject("acme", { branch: "main" })).toThrow('GitHub repository "acme" must be "owner/name"');
    expect(() => githubSubject("acme/*", { branch: "main" })).toThrow(/must be "owner\/name"/);
  });

  test("a wildcard branch or environment is refused: trust policies match sub exactly", () => {
    expect(() => githubSubject("acme/app", { branch: "release/*" })).toThrow('GitHub branch "release/*" must be one exact name');
    expect(() => githubSubject("acme/app", { environment: "prod?" })).toThrow('GitHub environment "prod?" must be one exact name');
  });

  test("a session longer than IAM allows is refused", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const oidc = new GithubOidcProvider(stack, "oidc");
    const scope = {
      project: "webapp",
      environment: "staging",
      region: "eu-west-1",
      accountId: "111111111111",
      siteNames: ["staging.example.com"],
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      state: { bucket: "state", region: "eu-west-1", key: "webapp/staging/terraform.tfstate" },
      boundaryArn: "arn:aws:iam::111111111111:policy/webapp-staging-workload-boundary",
    };
    const props = { oidc, repository: REPO, scope, deployFrom: { branch: "main" }, workflow: { repository: REPO, file: "deploy-staging.yml", ref: "refs/heads/main" } };
    expect(() => new GithubDeployRole(stack, "deploy", { ...props, maxSessionDurationSeconds: 50_000 })).toThrow(
      'GithubDeployRole "deploy": maxSessionDurationSeconds must be a whole number from 3600 to 43200; got 50000',
    );
  });
});

describe("through real Terraform (the shared run's bootstrap plan)", () => {
  test("the bootstrap stack plans without warnings; every managed policy fits IAM's 6,144 characters", async () => {
    const result = (await readRun(process.env[RUN_DIR_VARIABLE])).stacks.bootstrap;
    expect(result.diagnostics).toEqual([]);
    const policies = plannedOfType(result.plan, "aws_iam_policy");
    // per environment: 7 for the deploy role, 2 for the plan role, one permissions boundary; production's promotion read
    expect(policies).toHaveLength(21);
    for (const policy of policies) {
      const document = policy.values.policy;
      expect(typeof document).toBe("string");
      // IAM counts a managed policy's characters without whitespace.
      expect((document as string).replace(/\s/g, "").length).toBeLessThanOrEqual(6144);
      expect(JSON.parse(document as string).Version).toBe("2012-10-17");
    }
    const [provider] = plannedOfType(result.plan, "aws_iam_openid_connect_provider");
    expect(provider.values).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
  }, RUN_WAIT_MS);
});
