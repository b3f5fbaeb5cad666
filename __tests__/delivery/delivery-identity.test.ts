/**
 * What the delivery identities rely on outside the GitHub roles themselves (issue 12): every role
 * of an environment carries the boundary the bootstrap stack creates, the service roles trust their
 * service only on behalf of this account, the bootstrap stack is pinned to its account and blocks
 * public buckets, and the workflow pin is validated in config.
 */
import { ConfigError, loadEnvironment } from "../../config";
import { plannedOfType } from "../../lib/terraform";
import { PROD_ACCOUNT, TWO_ACCOUNTS } from "../terraform/shared-plans";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun } from "../terraform/terraform-run";
import { buildStacks, messageOf, production, resourceList, staging, synth, type Synth } from "../helpers";

const ACCOUNT = "111111111111";
const { bootstrap, environments } = buildStacks();
const boot = synth(bootstrap).json;
const envs: [string, Synth][] = environments.map((stack) => [stack.config.name, synth(stack).json]);

describe("permissions boundary", () => {
  test("the bootstrap stack creates one boundary policy per environment, named <project>-<env>-workload-boundary", () => {
    const names = resourceList(boot, "aws_iam_policy")
      .map((p) => String(p.name))
      .filter((n) => n.endsWith("-workload-boundary"));
    expect(names.sort()).toEqual(["webapp-production-workload-boundary", "webapp-staging-workload-boundary"]);
  });

  test.each(envs)("%s: every IAM role carries its environment's boundary, by ARN computed from config", (env, json) => {
    const roles = resourceList(json, "aws_iam_role");
    expect(roles.length).toBeGreaterThanOrEqual(env === "production" ? 5 : 4);
    for (const role of roles) {
      expect({ role: role.name, boundary: role.permissions_boundary }).toEqual({ role: role.name, boundary: `arn:aws:iam::${ACCOUNT}:policy/webapp-${env}-workload-boundary` });
    }
  });

  test("the boundary grants no IAM action (except staging's narrow PassRole for its scheduled jobs) and names no other environment", () => {
    for (const env of ["staging", "production"]) {
      const other = env === "staging" ? "production" : "staging";
      const [doc] = Object.entries(boot.data?.aws_iam_policy_document ?? {})
        .filter(([id]) => id.startsWith(`workload-boundary-${env}_`))
        .map(([, d]) => d as { statement: { actions: string[]; resources: string[] }[] });
      // Issue 14: an environment with scheduled jobs lets its Scheduler role hand the environment's own roles to
      // ECS tasks, nothing else: without it Scheduler cannot start a task. Production has none.
      const passRole = doc.statement.filter((s) => s.actions.includes("iam:PassRole"));
      expect(passRole).toEqual(
        env === "staging"
          ? [{ sid: "PassTaskRoles", actions: ["iam:PassRole"], resources: ["arn:aws:iam::111111111111:role/webapp-staging-*"], condition: [{ test: "StringLike", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }] }]
          : [],
      );
      const actions = doc.statement.filter((s) => !passRole.includes(s)).flatMap((s) => s.actions);
      expect(actions.filter((a) => a.startsWith("iam:") || a === "*" || a.endsWith(":*"))).toEqual([]);
      expect(JSON.stringify(doc)).not.toContain(other);
    }
  });
});

describe("service role trust (confused deputy)", () => {
  test("production's VPC flow-log role trusts the flow-log service only for this account's flow logs", () => {
    const json = envs.find(([name]) => name === "production")![1];
    const [trust] = Object.entries(json.data?.aws_iam_policy_document ?? {})
      .filter(([id]) => id.includes("flow-log-trust"))
      .map(([, d]) => (d as { statement: Record<string, unknown>[] }).statement[0]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
      { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc-flow-log/*`] },
    ]);
  });
});

describe("task and execution role trust (confused deputy)", () => {
  // AWS documents aws:SourceAccount and aws:SourceArn = arn:aws:ecs:<region>:<account>:* for roles ECS tasks
  // assume; it documents no narrower SourceArn (cluster, task definition) for ecs-tasks.amazonaws.com.
  test.each(["staging", "production"])("%s: every role trusted by ecs-tasks.amazonaws.com only for ECS in this account and region", (env) => {
    const json = envs.find(([name]) => name === env)![1];
    const trusts = Object.values(json.data?.aws_iam_policy_document ?? {})
      .flatMap((d) => (d as { statement: { principals?: { identifiers: string[] }[]; condition?: unknown }[] }).statement)
      .filter((s) => s.principals?.some((p) => p.identifiers.includes("ecs-tasks.amazonaws.com")));
    // backend and frontend: task role and execution role; staging's queue worker: its execution role (it runs as the backend's task role)
    expect(trusts).toHaveLength(env === "staging" ? 5 : 4);
    for (const trust of trusts) {
      expect(trust.condition).toEqual([
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:ecs:eu-west-1:${ACCOUNT}:*`] },
      ]);
    }
  });
});

describe("bootstrap stack", () => {
  test("Terraform refuses to run it in any account but the environments'", () => {
    expect(boot.provider.aws[0].allowed_account_ids).toEqual([ACCOUNT]);
  });

  test("the account blocks public buckets (a deploy role may set policies on its own buckets)", () => {
    expect(resourceList(boot, "aws_s3_account_public_access_block")).toEqual([
      { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    ]);
  });
});

describe("workflow pin in config", () => {
  test("a custom workflow file and branch for an environment-gated deploy reach the trust policy", () => {
    const input = { ...production, delivery: { deployFrom: { environment: "production" }, workflow: "release.yml", workflowBranch: "release" } };
    const { bootstrap: other } = buildStacks([staging, input]);
    const [trust] = Object.entries(synth(other).json.data?.aws_iam_policy_document ?? {})
      .filter(([id]) => id.startsWith("workflow-deploy-production_trust_"))
      .map(([, d]) => (d as { statement: { condition: { variable: string; values: string[] }[] }[] }).statement[0]);
    expect(trust.condition.slice(2)).toEqual([
      expect.objectContaining({ variable: "token.actions.githubusercontent.com:job_workflow_ref", values: ["example-org/webapp/.github/workflows/release.yml@refs/heads/release"] }),
      expect.objectContaining({ variable: "token.actions.githubusercontent.com:ref", values: ["refs/heads/release"] }),
    ]);
  });

  test("a workflow branch other than the deployFrom branch is refused, naming environment, setting and value", () => {
    const message = messageOf(() => loadEnvironment({ ...staging, delivery: { deployFrom: { branch: "main" }, workflowBranch: "develop" } }), ConfigError);
    expect(message).toContain('Invalid configuration for environment "staging"');
    expect(message).toMatch(/delivery\.workflowBranch: got "develop"; must be the deployFrom branch "main"/);
  });

  test("a workflow that is not a file name is refused", () => {
    const message = messageOf(() => loadEnvironment({ ...staging, delivery: { deployFrom: { branch: "main" }, workflow: "../evil.yml" } }), ConfigError);
    expect(message).toMatch(/delivery\.workflow: got "\.\.\/evil\.yml"; must be a workflow file name such as deploy-production\.yml/);
  });
});

describe("separate AWS accounts per environment", () => {
  // Promotion across accounts is not supported (below): production builds its own images here.
  const twoAccounts = TWO_ACCOUNTS;

  test("GIVEN production promotes from staging in another account THEN config loading fails naming the environment, the setting, the value and what is allowed", () => {
    const promoting = [staging, { ...twoAccounts[1], delivery: { deployFrom: { environment: "production" }, promoteFrom: "staging" } }];
    expect(messageOf(() => buildStacks(promoting), ConfigError)).toBe(
      `Invalid configuration for environment "production":\n  - delivery.promoteFrom: got "staging" (account ${ACCOUNT}, eu-west-1); must be another environment in this environment's account and region (${PROD_ACCOUNT}, eu-west-1): ` +
        "promotion across accounts or regions is not supported yet; leave promoteFrom out and CI builds this environment's images",
    );
    expect(messageOf(() => buildStacks([staging, { ...production, delivery: { deployFrom: { environment: "production" }, promoteFrom: "production" } }]), ConfigError)).toContain('delivery.promoteFrom: got "production"; must be another environment');
  });

  test("GIVEN only production is synthesized (its source not in the synth) THEN its bootstrap grants no promotion read", () => {
    const alone = synth(buildStacks([production]).bootstrap).json;
    expect(Object.keys(alone.resource?.aws_iam_policy ?? {}).filter((id) => id.includes("promotion"))).toEqual([]);
    expect(Object.keys(boot.resource?.aws_iam_policy ?? {}).filter((id) => id.includes("promotion"))).toHaveLength(1);
  });
  const built = buildStacks(twoAccounts);
  const [first, second] = built.bootstraps.map((stack) => ({ name: stack.node.id, json: synth(stack).json }));
  const prodStack = synth(built.environments.find((e) => e.config.name === "production")!).json;

  test("one bootstrap stack per account: bootstrap (staging's account) and bootstrap-production, each pinned to its account", () => {
    expect(built.bootstraps.map((b) => b.node.id)).toEqual(["bootstrap", "bootstrap-production"]);
    expect(first.json.provider.aws[0].allowed_account_ids).toEqual([ACCOUNT]);
    expect(second.json.provider.aws[0].allowed_account_ids).toEqual([PROD_ACCOUNT]);
    expect(second.json.terraform.backend).toEqual({ local: { path: "../../../terraform.bootstrap-production.tfstate" } });
  });

  test("each account has its own state bucket, OIDC provider, boundary, deploy role and plan role, for its environments only", () => {
    for (const [{ json }, env, account, bucket] of [
      [first, "staging", ACCOUNT, "webapp-terraform-state-example"],
      [second, "production", PROD_ACCOUNT, "webapp-terraform-state-prod"],
    ] as const) {
      const other = env === "staging" ? "production" : "staging";
      expect(resourceList(json, "aws_s3_bucket").map((b) => b.bucket)).toEqual([bucket]);
      expect(resourceList(json, "aws_iam_openid_connect_provider")).toHaveLength(1);
      expect(resourceList(json, "aws_iam_role").map((r) => r.name).sort()).toEqual([`webapp-github-plan-${env}`, `webapp-${env}-github-deploy`]);
      const policies = JSON.stringify(json.data?.aws_iam_policy_document);
      expect(policies).toContain(`:${account}:`);
      expect(policies).not.toContain(other);
      expect(policies).not.toContain(account === ACCOUNT ? PROD_ACCOUNT : ACCOUNT);
    }
  });

  test("production's stack keeps its state in its own account's bucket and runs only in its account", () => {
    expect(prodStack.terraform.backend.s3).toMatchObject({ bucket: "webapp-terraform-state-prod", key: "webapp/production/terraform.tfstate" });
    expect(prodStack.provider.aws[0].allowed_account_ids).toEqual([PROD_ACCOUNT]);
    for (const role of resourceList(prodStack, "aws_iam_role")) {
      expect(role.permissions_boundary).toBe(`arn:aws:iam::${PROD_ACCOUNT}:policy/webapp-production-workload-boundary`);
    }
  });

  test("through real Terraform: production's account bootstrap plans without warnings (the shared run's two_accounts_bootstrap)", async () => {
    const { plan, diagnostics } = (await readRun(process.env[RUN_DIR_VARIABLE])).extra("two_accounts_bootstrap");
    expect(diagnostics).toEqual([]);
    expect(plannedOfType(plan, "aws_iam_role").map((r) => r.values.name).sort()).toEqual(["webapp-github-plan-production", "webapp-production-github-deploy"]);
    expect(plannedOfType(plan, "aws_s3_bucket").map((r) => r.values.bucket)).toEqual(["webapp-terraform-state-prod"]);
  }, RUN_WAIT_MS);
});
