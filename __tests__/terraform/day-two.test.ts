/**
 * Day two (issue 10, trap T17): what ordinary changes do to a RUNNING environment. Every plan here
 * is real Terraform over the environment's as-applied state (__tests__/as-applied.ts), prepared
 * once per run by the global setup (__tests__/terraform-run.ts); the matrix rows are in
 * __tests__/day-two-matrix.ts.
 */
import { IN_USE_TYPES, STATEFUL_TYPES, reviewPlan, toText, type PlanReview, type ReviewedChange } from "../../lib/plan-review";
import type { PlanJson, ResourceChange } from "../../lib/terraform";
import { GROUPS, rowsFor, type Group } from "./day-two-matrix";
import { RUN_DIR_VARIABLE, RUN_WAIT_MS, readRun, type Run } from "./terraform-run";

let run: Run;
beforeAll(async () => {
  run = await readRun(process.env[RUN_DIR_VARIABLE]);
}, RUN_WAIT_MS);

const ENVIRONMENTS = ["staging", "production"] as const;

function changeOf(plan: PlanJson, pattern: RegExp): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && pattern.test(c.address));
}

function only(plan: PlanJson, pattern: RegExp): ResourceChange {
  const found = changeOf(plan, pattern);
  if (found.length !== 1) throw new Error(`expected one change matching ${pattern}, found ${found.map((c) => c.address).join(", ") || "none"}`);
  return found[0];
}

function reviewed(review: PlanReview, pattern: RegExp): ReviewedChange {
  const found = review.changes.filter((c) => pattern.test(c.address));
  if (found.length !== 1) throw new Error(`expected one reviewed change matching ${pattern}, found ${found.length}`);
  return found[0];
}

const actions = (c: ResourceChange): string => c.change.actions.join();
const TASK = (service: string) => new RegExp(`^aws_ecs_task_definition\\.${service}-service_task-definition_`);
const SERVICE = (service: string) => new RegExp(`^aws_ecs_service\\.${service}-service_`);
const EXEC_POLICY = (service: string) => new RegExp(`^aws_iam_role_policy\\.${service}-service_execution-role-policy_`);

describe.each(ENVIRONMENTS)("%s, as applied", (env) => {
  test("the unchanged configuration plans No changes over the as-applied state (no perpetual diff)", () => {
    const { finalPlan, iterations } = run.asApplied[env];
    const changing = (finalPlan.resource_changes ?? []).filter((c) => actions(c as ResourceChange) !== "no-op").map((c) => `${c.address} [${c.change.actions}]`);
    expect(changing).toEqual([]);
    expect(Object.entries(finalPlan.output_changes ?? {}).filter(([, o]) => (o.actions ?? ["no-op"]).join() !== "no-op")).toEqual([]);
    expect(iterations).toBeLessThanOrEqual(4);
  });

  test("task definitions are kept when replaced (skip_destroy), so a manual rollback to revision n-1 stays possible", () => {
    const tasks = changeOf(run.asApplied[env].finalPlan, /^aws_ecs_task_definition\./);
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    for (const task of tasks) expect(task.change.after?.skip_destroy).toBe(true);
  });
});

describe.each(ENVIRONMENTS)("%s: the change matrix", (env) => {
  const plan = (group: Group): PlanJson => run.matrixPlan(env, group);
  const review = (group: Group): PlanReview => reviewPlan(plan(group));

  describe.each(GROUPS.map((g) => [g]))("group %s, as a whole", (group) => {
    test("replaces no ECS service, nothing in use delete-first, and no stateful resource", () => {
      const changes = (plan(group).resource_changes ?? []).filter((c) => c.mode === "managed");
      expect(changes.filter((c) => c.type === "aws_ecs_service" && c.change.actions.includes("delete")).map((c) => c.address)).toEqual([]);
      expect(changes.filter((c) => IN_USE_TYPES[c.type] && actions(c) === "delete,create").map((c) => c.address)).toEqual([]);
      expect(changes.filter((c) => STATEFUL_TYPES[c.type] && c.change.actions.includes("delete")).map((c) => c.address)).toEqual([]);
    });

    test("the review blocks only what a row says it blocks", () => {
      const blocked = review(group).blocking.map((c) => c.address);
      // The rollback row: the backend's task definition and its migration task (same image), and staging's
      // queue worker, which runs the backend's image too (issue 14).
      const worker = env === "staging" ? [expect.stringMatching(/^aws_ecs_task_definition\.worker-default_task-definition_/)] : [];
      const expected = group === "runtime" ? [expect.stringMatching(/^aws_ecs_task_definition\.backend-service_migration-task-definition_/), expect.stringMatching(TASK("backend")), ...worker] : [];
      expect(blocked.sort()).toEqual(expected);
    });
  });

  const rows = rowsFor(env);
  const assertions: Record<string, () => void> = {
    image: () => {
      const task = reviewed(review("app"), TASK("frontend"));
      const [container] = task.taskDefinition!.containers;
      // Only the image changes: AWS's defaults are emitted, so no "- cpu = 0" or "- mountPoints = []" noise.
      expect(container).toEqual({
        name: "frontend",
        image: { from: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-frontend:v0.1.0`, to: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-frontend:v0.2.0`, older: false },
      });
      const before = JSON.parse(only(plan("app"), TASK("frontend")).change.before!.container_definitions as string)[0];
      const after = JSON.parse(only(plan("app"), TASK("frontend")).change.after!.container_definitions as string)[0];
      expect({ ...after, image: before.image }).toEqual(before);
      expect(actions(only(plan("app"), SERVICE("frontend")))).toBe("update");
      expect(toText(review("app"))).toContain(`container frontend: image 111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-frontend:v0.1.0 → 111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-frontend:v0.2.0\n`);
    },
    size: () => {
      const task = reviewed(review("app"), TASK("backend")).taskDefinition!;
      const cpu = env === "staging" ? ["512", "1024"] : ["1024", "2048"];
      expect(task.taskCpu).toEqual({ from: cpu[0], to: cpu[1] });
      expect(task.taskMemory).toEqual({ from: String(Number(cpu[0]) * 2), to: String(Number(cpu[1]) * 2) });
      expect(actions(only(plan("app"), SERVICE("backend")))).toBe("update");
    },
    variable: () => {
      const [container] = reviewed(review("app"), TASK("backend")).taskDefinition!.containers;
      expect(container.environment).toEqual({ added: { FEATURE_CHECKOUT: "on" }, removed: {}, changed: {} });
      expect(toText(review("app"))).toContain('container backend: + variable FEATURE_CHECKOUT="on"');
    },
    secret: () => {
      const [container] = reviewed(review("app"), TASK("backend")).taskDefinition!.containers;
      expect(container.secrets).toEqual({ added: ["STRIPE_SECRET"], removed: [], changedSource: [] });
      const text = toText(review("app"));
      expect(text).toContain("container backend: + secret STRIPE_SECRET\n");
      expect(text).not.toContain(`webapp/${env}/STRIPE_SECRET`); // names only, never where the value lives
      // The execution role may read the new secret, and the reviewer sees the policy (known at plan time).
      const policy = only(plan("app"), EXEC_POLICY("backend"));
      expect(actions(policy)).toBe("update");
      expect(policy.change.after?.policy).toContain(`secret:webapp/${env}/STRIPE_SECRET-??????`);
    },
    retention: () => {
      expect(actions(only(plan("app"), /^aws_cloudwatch_log_group\.frontend-service_logs_/))).toBe("update");
      // The frontend's execution role names its log group by ARN from config: untouched, never "known after apply".
      expect(changeOf(plan("app"), EXEC_POLICY("frontend")).map(actions)).toEqual(["no-op"]);
    },
    "db-class": () => {
      const db = only(plan("runtime"), /^aws_db_instance\./);
      expect(actions(db)).toBe("update");
      expect(db.change.after?.instance_class).toBe(env === "staging" ? "db.t4g.small" : "db.t4g.large");
      // The backend's execution role reads the RDS-managed secret by config-known ARN pattern and tag.
      expect(changeOf(plan("runtime"), EXEC_POLICY("backend")).map(actions)).toEqual(["no-op"]);
      expect((plan("runtime").resource_changes ?? []).filter((c) => c.mode === "data" && actions(c) === "read")).toEqual([]);
    },
    "db-minor": () => {
      const db = only(plan("runtime"), /^aws_db_instance\./);
      expect(actions(db)).toBe("update");
      expect(db.change.after?.engine_version).toBe("8.0.40");
    },
    port: () => {
      // The security group stays (its name and description carry nothing a user changes); its rule is updated in place.
      expect(changeOf(plan("runtime"), /^aws_security_group\.frontend-service_/).map(actions)).toEqual(["no-op"]);
      expect(actions(only(plan("runtime"), /^aws_vpc_security_group_ingress_rule\.frontend-service_from-load-balancer_/))).toBe("update");
      // The target group has the port in its name and is created before the old one goes.
      expect(actions(only(plan("runtime"), /^aws_lb_target_group\.load-balancer_frontend-tg_/))).toBe("create,delete");
      expect(actions(only(plan("runtime"), SERVICE("frontend")))).toBe("update");
      expect(reviewed(review("runtime"), TASK("frontend")).taskDefinition!.containers[0].ports).toEqual({ from: "3000/tcp", to: "3001/tcp" });
    },
    rollback: () => {
      const task = reviewed(review("runtime"), TASK("backend"));
      expect(task.gate).toBe("blocked");
      expect(task.blockReason).toBe(
        `rolls back the image of backend (111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-backend:v0.1.0 → 111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-${env}-backend:v0.0.9)`,
      );
      expect(toText(review("runtime"))).toContain("ROLLBACK: the new tag is older than the running one");
      const allow = review("runtime").blocking.map((c) => c.address);
      // The backend's task definition and its migration's, plus each worker's (workers run the backend's image: issue 14).
      expect(allow.filter((a) => !/^aws_ecs_task_definition\.worker-/.test(a))).toHaveLength(2);
      expect(allow.filter((a) => /^aws_ecs_task_definition\.worker-/.test(a))).toHaveLength(env === "staging" ? 1 : 0);
      expect(reviewPlan(plan("runtime"), { allow: [task.address] }).blocked).toBe(true);
      expect(reviewPlan(plan("runtime"), { allow }).blocked).toBe(false);
    },
    spot: () => {
      const service = only(plan("runtime"), SERVICE("backend"));
      expect(actions(service)).toBe("update");
      expect(service.change.after?.force_new_deployment).toBe(true);
      const provider = env === "staging" ? "FARGATE" : "FARGATE_SPOT";
      expect(service.change.after?.capacity_provider_strategy).toEqual([expect.objectContaining({ capacity_provider: provider, weight: 1 })]);
    },
    scale: () => {
      if (env === "staging") {
        const service = only(plan("runtime"), SERVICE("frontend"));
        expect(actions(service)).toBe("update");
        expect(service.change.after?.desired_count).toBe(2);
      } else {
        const target = only(plan("runtime"), /^aws_appautoscaling_target\.frontend-service_/);
        expect(actions(target)).toBe("update");
        expect([target.change.after?.min_capacity, target.change.after?.max_capacity]).toEqual([3, 8]);
      }
    },
    zone: () => {
      const subnets = changeOf(plan("edge"), /^aws_subnet\./);
      expect(subnets.filter((c) => actions(c) === "create")).toHaveLength(3);
      expect(subnets.filter((c) => !["create", "no-op"].includes(actions(c)))).toEqual([]);
    },
    nat: () => {
      const nat = changeOf(plan("edge"), /^aws_nat_gateway\./).map(actions);
      if (env === "staging") expect(nat.sort()).toEqual(["create", "no-op"]);
      else expect(nat.sort()).toEqual(["delete", "delete", "no-op"]);
    },
    domain: () => {
      expect(actions(only(plan("edge"), /^aws_acm_certificate\./))).toBe("create,delete");
      expect(actions(only(plan("edge"), /^aws_lb_listener\.load-balancer_https_/))).toBe("update");
      const [frontend] = reviewed(review("edge"), TASK("frontend")).taskDefinition!.containers;
      expect(frontend.environment?.changed.NEXT_PUBLIC_SITE_URL).toEqual({ from: `https://${env === "staging" ? "staging" : "www"}.example.com`, to: `https://new-${env === "staging" ? "staging" : "www"}.example.com` });
    },
    health: () => {
      const tg = only(plan("edge"), /^aws_lb_target_group\.load-balancer_frontend-tg_/);
      expect(actions(tg)).toBe("update");
      expect(tg.change.after?.health_check).toEqual([expect.objectContaining({ path: "/healthz" })]);
    },
    egress: () => {
      // A new rule of its own: the security group running tasks use stays.
      const rule = only(plan("app"), /^aws_vpc_security_group_egress_rule\.backend-service_egress-tcp-587-/);
      expect(actions(rule)).toBe("create");
      expect(rule.change.after).toMatchObject({ from_port: 587, to_port: 587, cidr_ipv4: "203.0.113.0/24", description: "SMTP submission to the newsletter relay" });
      expect(changeOf(plan("app"), /^aws_security_group\.backend-service_/).map(actions)).toEqual(["no-op"]);
    },
    "service-connect": () => {
      // service_connect_configuration is updated in place by UpdateService: no service is replaced.
      for (const service of ["backend", "frontend"]) {
        const change = only(plan("edge"), SERVICE(service));
        expect(actions(change)).toBe("update");
        expect(change.change.after?.service_connect_configuration).toEqual([expect.objectContaining({ enabled: true })]);
      }
      expect(actions(only(plan("edge"), /^aws_service_discovery_http_namespace\./))).toBe("create");
      expect(actions(only(plan("edge"), /^aws_vpc_security_group_ingress_rule\.service-connect_backend-from-frontend_/))).toBe("create");
      expect(changeOf(plan("edge"), /^aws_security_group\.(backend|frontend)-service_/).map(actions)).toEqual(["no-op", "no-op"]);
      const [frontend] = reviewed(review("edge"), TASK("frontend")).taskDefinition!.containers;
      // The "routing" row of this group switches to host routing: no path prefix, like API_URL.
      expect(frontend.environment?.added).toEqual({ BACKEND_INTERNAL_URL: "http://backend:8000" });
    },
    cache: () => {
      const group = only(plan("cache"), /^aws_elasticache_replication_group\./);
      expect(actions(group)).toBe("create");
      expect(group.change.after).toMatchObject({ engine: "valkey", transit_encryption_enabled: true, at_rest_encryption_enabled: "true", num_cache_clusters: 2 });
      expect(JSON.stringify(group.change.after)).not.toContain("auth_token\":\"");
      for (const pattern of [/^aws_elasticache_subnet_group\./, /^aws_security_group\.cache_/, /^aws_secretsmanager_secret\.cache_auth-token_/]) expect(actions(only(plan("cache"), pattern))).toBe("create");
      // The backend reads the token through its execution role, rolled in place.
      expect(actions(only(plan("cache"), EXEC_POLICY("backend")))).toBe("update");
      expect(only(plan("cache"), EXEC_POLICY("backend")).change.after?.policy).toContain(`secret:webapp/${env}/cache/auth-token-??????`);
    },
    mail: () => {
      expect(actions(only(plan("edge"), /^aws_sesv2_email_identity\.mail_identity_/))).toBe("create");
      const dkim = changeOf(plan("edge"), /^aws_route53_record\.mail_dkim-/);
      expect(dkim.map(actions)).toEqual(["create", "create", "create"]);
      const taskPolicy = only(plan("edge"), /^aws_iam_role_policy\.backend-service_task-role-policy_/);
      expect(actions(taskPolicy)).toBe("update");
      expect(taskPolicy.change.after?.policy).toContain("arn:aws:ses:eu-west-1:111111111111:identity/example.com");
    },
    "workloads-on": () => {
      // Everything new is created; nothing that runs is replaced or deleted (the group invariants hold too).
      for (const pattern of [/^aws_sqs_queue\.queue_/, /^aws_sqs_queue\.queue_dead-letter-queue_/, /^aws_sqs_queue\.scheduled-jobs_dead-letter-queue_/, /^aws_ecs_service\.worker-default_/, /^aws_scheduler_schedule\.scheduled-jobs_job-scheduler_/, /^aws_iam_role\.scheduled-jobs_role_/]) {
        expect(changeOf(plan("edge"), pattern).map(actions)).toContain("create");
      }
      expect(actions(only(plan("edge"), SERVICE("backend")))).toBe("update");
      // The backend's task role gains the queue, in place; its container gains the sqs connection.
      const taskPolicy = only(plan("edge"), /^aws_iam_role_policy\.backend-service_task-role-policy_/);
      expect(actions(taskPolicy)).toBe("update");
      expect(taskPolicy.change.after?.policy).toContain(`arn:aws:sqs:eu-west-1:111111111111:webapp-${env}-jobs`);
      const [backend] = reviewed(review("edge"), TASK("backend")).taskDefinition!.containers;
      // (The cache and mail rows of this group add their own variables.)
      expect(backend.environment?.added).toMatchObject({ QUEUE_CONNECTION: "sqs", SQS_PREFIX: "https://sqs.eu-west-1.amazonaws.com/111111111111", SQS_QUEUE: `webapp-${env}-jobs` });
      expect(actions(only(plan("edge"), /^aws_security_group\.backend-service_/))).toBe("no-op");
    },
    "workloads-change": () => {
      // The worker's task definition gets a new revision (the old one is kept) and its service rolls in place.
      const [worker] = reviewed(review("edge"), /^aws_ecs_task_definition\.worker-default_task-definition_/).taskDefinition!.containers;
      expect(worker.command).toEqual({ from: ["php", "artisan", "queue:work", "--sleep=3", "--tries=3", "--max-time=3600"], to: ["php", "artisan", "queue:work", "--queue=high,default"] });
      expect(actions(only(plan("edge"), /^aws_ecs_service\.worker-default_/))).toBe("update");
      expect(actions(only(plan("edge"), /^aws_security_group\.worker-default_/))).toBe("no-op");
      // The schedule is updated in place, in its new time zone.
      const schedule = only(plan("edge"), /^aws_scheduler_schedule\.scheduled-jobs_job-nightly-report_/);
      expect(actions(schedule)).toBe("update");
      expect([schedule.change.after?.schedule_expression, schedule.change.after?.schedule_expression_timezone]).toEqual(["cron(30 4 * * ? *)", "Europe/Berlin"]);
    },
    routing: () => {
      const rule = only(plan("edge"), /^aws_lb_listener_rule\.load-balancer_backend-rule_/);
      expect(actions(rule)).toBe("update");
      expect(JSON.stringify(rule.change.after?.condition)).toContain(`api.new-${env === "staging" ? "staging" : "www"}.example.com`);
    },
  };

  test("every row of the matrix has its assertions", () => {
    expect(rows.map((r) => r.id).filter((id) => !assertions[id])).toEqual([]);
  });

  test.each(rows.map((r) => [r.title, r.group, r.id]))("%s (plan of group %s)", (_title, _group, id) => {
    assertions[id]();
  });
});
