import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDiagram, DRAWN_TYPES, environmentStacks, IGNORED_TYPES, renderSvg, toDot, toMermaid, unaccountedTypes } from "../../lib/diagram";
import type { DiagramModel } from "../../lib/diagram/model";
import { readStack, regionOf, resourcesOf, type StackJson } from "../../lib/stack-json";
import { synthesize } from "../../lib/terraform";

const outdir = mkdtempSync(join(tmpdir(), "diagram-test-"));
let stacks: Record<string, StackJson>;
let models: Record<string, DiagramModel>;

beforeAll(() => {
  synthesize(outdir);
  stacks = Object.fromEntries(environmentStacks(outdir).map((env) => [env, readStack(join(outdir, "stacks", env))]));
  models = Object.fromEntries(Object.entries(stacks).map(([env, stack]) => [env, buildDiagram(env, regionOf(stack), stack)]));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Follows request and data edges from `from`; true when `to` is reachable. */
function reaches(model: DiagramModel, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const id = queue.shift()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...model.edges.filter((e) => e.from === id && (e.kind === "request" || e.kind === "data" || e.kind === "secret")).map((e) => e.to));
  }
  return false;
}

const nodeWith = (model: DiagramModel, type: string, predicate: (address: string) => boolean = () => true) =>
  model.nodes.find((n) => n.addresses.some((a) => a.startsWith(`${type}.`) && predicate(a)));

describe.each(["staging", "production"])("diagram of %s", (env) => {
  test("every resource type of the stack is drawn or ignored with a reason", () => {
    // GIVEN the synthesized stack WHEN we list types neither drawn nor ignored THEN there are none:
    // a construct that adds a new resource type must put it in the picture or in IGNORED_TYPES.
    expect(unaccountedTypes(stacks[env])).toEqual([]);
    for (const reason of Object.values(IGNORED_TYPES)) expect(reason.length).toBeGreaterThan(10);
  });

  test("every resource of a drawn type appears in a node, and every node in the DOT and Mermaid text", () => {
    const model = models[env];
    const drawn = new Set<string>(DRAWN_TYPES);
    const expected = resourcesOf(stacks[env]).filter((r) => drawn.has(r.type)).map((r) => r.address);
    expect(expected.length).toBeGreaterThan(30);
    const shown = new Set(model.nodes.flatMap((n) => n.addresses));
    expect(expected.filter((a) => !shown.has(a))).toEqual([]);
    const dot = toDot(model);
    const mermaid = toMermaid(model);
    for (const node of model.nodes) {
      expect(dot).toContain(`${node.id} [label=`);
      expect(mermaid).toContain(`${node.id}`);
    }
    for (const edge of model.edges) expect(mermaid).toMatch(new RegExp(`${edge.from} [-=.]+>(\\|"[^"]*"\\|)? ${edge.to}\\n`));
  });

  test("zones, subnet tiers, NAT gateways, listeners, rules and service ports are labelled from the stack", () => {
    const model = models[env];
    const stack = stacks[env];
    const subnets = resourcesOf(stack).filter((r) => r.type === "aws_subnet");
    const text = model.nodes.flatMap((n) => n.lines).join("\n");
    for (const s of subnets) expect(text).toContain(`${s.values.availability_zone}  ${s.values.cidr_block}`);
    expect(model.nodes.filter((n) => n.kind === "nat")).toHaveLength(resourcesOf(stack).filter((r) => r.type === "aws_nat_gateway").length);
    expect(text).toContain("HTTPS :443");
    expect(text).toContain("redirect to HTTPS :443");
    expect(text).toContain("path /api/*");
    expect(text).toMatch(new RegExp(`Service webapp-${env}-backend :8000`));
    expect(text).toMatch(new RegExp(`Service webapp-${env}-frontend :3000`));
  });

  test("flows: browser -> ALB -> services -> database, bucket and secrets; images pulled from ECR", () => {
    const model = models[env];
    const backend = nodeWith(model, "aws_ecs_service", (a) => a.includes("backend"))!.id;
    const frontend = nodeWith(model, "aws_ecs_service", (a) => a.includes("frontend"))!.id;
    const db = nodeWith(model, "aws_db_instance")!.id;
    const uploads = nodeWith(model, "aws_s3_bucket", (a) => a.includes("uploads"))!.id;
    const appKey = nodeWith(model, "aws_secretsmanager_secret")!.id;
    expect(reaches(model, "browser", backend)).toBe(true);
    expect(reaches(model, "browser", frontend)).toBe(true);
    expect(reaches(model, "browser", db)).toBe(true);
    expect(model.edges).toEqual(expect.arrayContaining([
      expect.objectContaining({ from: backend, to: db, kind: "data" }),
      expect.objectContaining({ from: backend, to: uploads, kind: "data" }),
      expect.objectContaining({ from: backend, to: appKey, kind: "secret" }),
      // The backend connects as its own database user (issue 13, trap T15): it reads the app-user secret.
      expect.objectContaining({ from: backend, to: nodeWith(model, "aws_secretsmanager_secret", (a) => a.includes("app-user"))!.id, kind: "secret" }),
      expect.objectContaining({ from: nodeWith(model, "aws_ecr_repository", (a) => a.includes("frontend"))!.id, to: frontend, kind: "image" }),
    ]));
    // The frontend reaches neither the database nor the bucket.
    expect(model.edges.filter((e) => e.from === frontend && e.kind === "data")).toEqual([]);
    // Nothing the application runs reads the RDS-managed master password; it is drawn with its rotation.
    expect(model.edges.filter((e) => e.to === `${db}_secret` && e.kind === "secret")).toEqual([]);
    expect(model.nodes.find((n) => n.id === `${db}_secret`)!.lines).toContain("rotated every 30 days");
  });

  test("operations: one alarms node with the count, topic, dashboard, and secret change -> rule -> state machine -> backend", () => {
    const model = models[env];
    const resources = resourcesOf(stacks[env]);
    const count = (type: string) => resources.filter((r) => r.type === type).length;
    const ops = model.nodes.filter((n) => n.group === "operations");
    // GIVEN 18 alarm resources WHEN drawn THEN they are ONE node that says how many, and it notifies the topic
    expect(count("aws_cloudwatch_metric_alarm")).toBeGreaterThan(10);
    const alarms = model.nodes.filter((n) => n.kind === "alarms");
    expect(alarms).toHaveLength(1);
    expect(alarms[0].lines[0]).toBe(`CloudWatch alarms (${count("aws_cloudwatch_metric_alarm")})`);
    expect(ops.map((n) => n.id)).toContain("alarms");
    const topic = nodeWith(model, "aws_sns_topic")!.id;
    expect(model.edges).toContainEqual(expect.objectContaining({ from: "alarms", to: topic, kind: "notify" }));
    expect(ops.find((n) => n.kind === "dashboard")!.lines).toContain(`${count("aws_cloudwatch_query_definition")} saved Logs Insights queries`);
    // AND a change of the app-user secret or APP_KEY starts the state machine, which redeploys the backend (not the frontend)
    const rule = nodeWith(model, "aws_cloudwatch_event_rule")!.id;
    const machine = nodeWith(model, "aws_sfn_state_machine")!.id;
    const backend = nodeWith(model, "aws_ecs_service", (a) => a.includes("backend"))!.id;
    const frontend = nodeWith(model, "aws_ecs_service", (a) => a.includes("frontend"))!.id;
    for (const secret of ["app-user", "APP_KEY"]) {
      expect(model.edges).toContainEqual(expect.objectContaining({ from: nodeWith(model, "aws_secretsmanager_secret", (a) => a.includes(secret))!.id, to: rule, kind: "trigger" }));
    }
    expect(model.edges).toContainEqual(expect.objectContaining({ from: rule, to: machine, kind: "trigger" }));
    expect(model.edges).toContainEqual(expect.objectContaining({ from: machine, to: backend, kind: "trigger", label: "redeploy" }));
    expect(model.edges.filter((e) => e.from === machine && e.to === frontend)).toEqual([]);
    // AND the subscribers hang off the topic (production has an e-mail address, staging none)
    const subscribers = model.nodes.filter((n) => n.kind === "subscriber");
    expect(subscribers).toHaveLength(count("aws_sns_topic_subscription"));
    for (const s of subscribers) expect(model.edges).toContainEqual(expect.objectContaining({ from: topic, to: s.id, kind: "notify" }));
    if (env === "staging") expect(nodeWith(model, "aws_sns_topic")!.lines).toContain("no subscribers");
  });
});

test("workers (services without a load balancer) and schedules are drawn, with the schedule's target", () => {
  // GIVEN a stack with a worker service and an EventBridge schedule that runs a task definition
  const stack: StackJson = {
    provider: { aws: [{ region: "eu-west-1" }] },
    resource: {
      aws_ecs_task_definition: {
        worker_td: { family: "app-worker", cpu: "256", memory: "512" },
        report_td: { family: "app-report", cpu: "512", memory: "1024" },
      },
      aws_ecs_service: {
        worker: { name: "app-worker", desired_count: 2, task_definition: "${aws_ecs_task_definition.worker_td.arn}", capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }] },
      },
      aws_scheduler_schedule: {
        nightly: { name: "app-nightly-report", schedule_expression: "cron(0 3 * * ? *)", target: { arn: "${aws_ecs_cluster.c.arn}", ecs_parameters: { task_definition_arn: "${aws_ecs_task_definition.report_td.arn}" } } },
      },
    },
  };
  // WHEN the diagram is built
  const model = buildDiagram("test", "eu-west-1", stack);
  // THEN the worker, the one-off task and the schedule appear, and the schedule points at the task
  expect(model.nodes.find((n) => n.id === "worker")).toMatchObject({ kind: "worker", lines: ["Worker app-worker", "Fargate, 2 tasks", "0.25 vCPU, 0.5 GB"] });
  expect(model.nodes.find((n) => n.id === "nightly")).toMatchObject({ kind: "schedule", lines: ["Schedule app-nightly-report", "cron(0 3 * * ? *)"] });
  expect(model.edges).toContainEqual(expect.objectContaining({ from: "nightly", to: "report_td", kind: "trigger" }));
  expect(unaccountedTypes(stack)).toEqual([]);
});

test("staging's queue is drawn with its dead-letter queue, the services that use it, and the scheduler's dead letters (issue 14)", () => {
  const text = readFileSync(join(__dirname, "..", "..", "docs", "diagrams", "staging.mmd"), "utf8");
  expect(text).toMatch(/queue_140BE0E7 -->\|"dead letters"\| queue_dead_letter_queue_/);
  expect(text).toMatch(/backend_service_97A8D48A -->\|"messages"\| queue_140BE0E7/);
  expect(text).toMatch(/worker_default_service_EBFE9BA2 -->\|"messages"\| queue_140BE0E7/);
  expect(text).toMatch(/scheduled_jobs_job_scheduler_919FDE7A -->\|"failed starts"\| scheduled_jobs_dead_letter_queue_/);
});

test("a Lambda subscriber of the alarm topic is drawn with its invoke permission", () => {
  // GIVEN a topic with a Lambda subscription and the permission that lets SNS invoke it, and one alarm on the topic
  const fn = "arn:aws:lambda:eu-west-1:111111111111:function:chat-forwarder";
  const stack: StackJson = {
    resource: {
      aws_sns_topic: { topic: { name: "app-alarms" } },
      aws_sns_topic_subscription: { sub: { topic_arn: "${aws_sns_topic.topic.arn}", protocol: "lambda", endpoint: fn } },
      aws_lambda_permission: { perm: { function_name: fn, principal: "sns.amazonaws.com", source_arn: "${aws_sns_topic.topic.arn}" } },
      aws_cloudwatch_metric_alarm: { cpu: { alarm_name: "cpu", alarm_actions: ["${aws_sns_topic.topic.arn}"] } },
    },
  };
  // WHEN drawn THEN the subscriber node carries both addresses, and alarms -> topic -> subscriber
  const model = buildDiagram("test", "eu-west-1", stack);
  expect(model.nodes.find((n) => n.id === "sub")).toMatchObject({ kind: "subscriber", group: "operations", lines: ["Lambda subscriber", "chat-forwarder"], addresses: ["aws_sns_topic_subscription.sub", "aws_lambda_permission.perm"] });
  expect(model.edges).toEqual(expect.arrayContaining([
    expect.objectContaining({ from: "alarms", to: "topic", kind: "notify" }),
    expect.objectContaining({ from: "topic", to: "sub", kind: "notify" }),
  ]));
  expect(model.groups.map((g) => g.id)).toContain("operations");
  expect(unaccountedTypes(stack)).toEqual([]);
});

test("a resource type that is neither drawn nor ignored is reported", () => {
  const stack: StackJson = { resource: { aws_kinesis_stream: { events: { name: "events" } }, aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } } };
  expect(unaccountedTypes(stack)).toEqual(["aws_kinesis_stream"]);
});

test("the SVG is rendered in-process by Graphviz (WebAssembly) and carries every node title", async () => {
  const model = models.staging;
  const svg = await renderSvg(toDot(model));
  expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\s*$/);
  const text = svg.replace(/&#45;/g, "-").replace(/&amp;/g, "&");
  for (const node of model.nodes) expect(text).toContain(node.lines[0]);
});

test("the committed docs/diagrams match the stacks (run `npm run diagram` after a change)", async () => {
  for (const [env, model] of Object.entries(models)) {
    expect(readFileSync(join(__dirname, "..", "..", "docs", "diagrams", `${env}.mmd`), "utf8")).toBe(toMermaid(model));
    expect(readFileSync(join(__dirname, "..", "..", "docs", "diagrams", `${env}.svg`), "utf8")).toBe(await renderSvg(toDot(model)));
  }
});

test("production: autoscaled services show their range, and the ALB writes to its access-log bucket", () => {
  const model = models.production;
  const backend = nodeWith(model, "aws_ecs_service", (a) => a.includes("backend"))!;
  expect(backend.lines).toContain("Fargate, 2 tasks, scales 2-6");
  const alb = nodeWith(model, "aws_lb")!.id;
  const logs = nodeWith(model, "aws_s3_bucket", (a) => a.includes("access-logs"))!.id;
  expect(model.edges).toContainEqual({ from: alb, to: logs, kind: "data", label: "access logs" });
  expect(models.staging.edges.filter((e) => e.label === "access logs")).toEqual([]);
});
