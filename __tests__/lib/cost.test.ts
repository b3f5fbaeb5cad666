import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments, loadEnvironments } from "../../config";
import { STAGING_WITH_EVERYTHING } from "../helpers";
import { CostError, estimateAll, estimateStack, FREE_TYPES, PRICED_TYPES, PRICES, splitTasks, unpricedTypes, type Estimate } from "../../lib/cost";
import { runsPerMonth, type CostAssumptions, type PriceTable } from "../../lib/cost/estimate";
import { difference } from "../../lib/cost/format";
import { readmeBlock } from "../../lib/cost/readme";
import { environmentStacks } from "../../lib/diagram";
import { readStack, type StackJson } from "../../lib/stack-json";
import { synthesize } from "../../lib/terraform";

const outdir = mkdtempSync(join(tmpdir(), "cost-test-"));
let shipped: Estimate[];
beforeAll(() => {
  synthesize(outdir);
  shipped = estimateAll(outdir, loadEnvironments(environments));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Round prices so the expected total can be computed by hand. */
const price = (usd: number) => ({ usd, unit: "test", source: "test", date: "2026-11-29", basis: "test" });
const TEST_PRICES: PriceTable = {
  date: "2026-11-29",
  currency: "USD",
  hoursPerMonth: 730,
  vcpus: { "db.t4g.micro": 2 },
  extendedSupport: { "mysql 8.0": { standardSupportEnds: "2026-07-31", year3Starts: "2028-08-01" } },
  regions: {
    "eu-west-1": Object.fromEntries(
      Object.entries({
        "fargate.x86_64.vcpuHour": 0.04,
        "fargate.x86_64.gbHour": 0.004,
        "fargateSpot.x86_64.vcpuHour": 0.012,
        "fargateSpot.x86_64.gbHour": 0.0012,
        "alb.hour": 0.02,
        "alb.lcuHour": 0.008,
        "nat.hour": 0.05,
        "nat.gb": 0.05,
        "ipv4.hour": 0.005,
        "rds.mysql.db.t4g.micro.hour": 0.02,
        "rds.gp3.gbMonth": 0.1,
        "rds.backup.gbMonth": 0.1,
        "rds.extendedSupport.year1.vcpuHour": 0.1,
        "rds.extendedSupport.year3.vcpuHour": 0.2,
        "logs.ingestGb": 0.5,
        "logs.storageGbMonth": 0.03,
        "cloudwatch.alarmMonth": 0.1,
        "cloudwatch.dashboardMonth": 3,
        "secretsmanager.secretMonth": 0.4,
        "ecr.gbMonth": 0.1,
        "route53.zoneMonth": 0.5,
        "s3.standard.gbMonth": 0.02,
        "s3.put.per1000": 0.005,
        "s3.get.per1000": 0.0004,
      }).map(([k, v]) => [k, price(v)]),
    ),
  },
};

const SMALL_STACK: StackJson = {
  provider: { aws: [{ region: "eu-west-1" }] },
  resource: {
    aws_ecs_task_definition: { td: { family: "app", cpu: "1024", memory: "2048", runtime_platform: { cpu_architecture: "X86_64" } } },
    aws_ecs_service: {
      app: {
        name: "app",
        desired_count: 3,
        task_definition: "${aws_ecs_task_definition.td.arn}",
        capacity_provider_strategy: [
          { capacity_provider: "FARGATE", base: 1, weight: 1 },
          { capacity_provider: "FARGATE_SPOT", weight: 1 },
        ],
      },
    },
    aws_lb: { alb: { name: "alb", internal: false, subnets: ["${aws_subnet.a.id}", "${aws_subnet.b.id}"] } },
    aws_nat_gateway: { nat: { allocation_id: "${aws_eip.nat.id}" } },
    aws_eip: { nat: { domain: "vpc" } },
    aws_db_instance: {
      db: { identifier: "db", engine: "mysql", engine_version: "8.0", instance_class: "db.t4g.micro", multi_az: true, allocated_storage: 20, storage_type: "gp3", backup_retention_period: 7, manage_master_user_password: true },
    },
    aws_cloudwatch_log_group: { logs: { name: "/app", retention_in_days: 30 } },
    aws_secretsmanager_secret: { key: { name: "app/key" } },
    aws_ecr_repository: { repo: { name: "app" } },
    aws_route53_record: { a: { zone_id: "Z1", name: "app.example.com", type: "A" } },
    aws_s3_bucket: { uploads: { bucket: "uploads" } },
  },
};

const ASSUMPTIONS: CostAssumptions = {
  requestsPerMonth: 65_700_000, // = 730 h x 3600 s x 25: exactly 1 LCU of new connections
  averageResponseKiB: 0, // processed bytes then cost no LCU
  natDataGiBPerMonth: 10,
  logIngestGiBPerGroupPerMonth: 2,
  databaseChangePercentPerDay: 5,
  imageGiBPerRepository: 3,
  bucketGiB: 100,
  bucketPutRequestsPerMonth: 10_000,
  bucketGetRequestsPerMonth: 100_000,
};

describe("arithmetic on a small hand-checked stack", () => {
  test("the total is the hand-computed 479.53", () => {
    // By hand (730 hours a month):
    //   Fargate: 3 tasks, base 1 on FARGATE, the other 2 split 1:1 -> 2 on-demand, 1 Spot; 1 vCPU / 2 GB each
    //     on-demand vCPU 2 x 1 x 730 x 0.04 = 58.40     memory 2 x 2 x 730 x 0.004  = 11.68
    //     Spot      vCPU 1 x 1 x 730 x 0.012 = 8.76     memory 1 x 2 x 730 x 0.0012 = 1.752
    //   ALB: 730 x 0.02 = 14.60; LCU: 65.7M requests / (730 x 3600 s) / 25 = 1 LCU -> 730 x 0.008 = 5.84
    //        public IPv4: 2 zones x 730 x 0.005 = 7.30
    //   NAT: 730 x 0.05 = 36.50; data 10 GB x 0.05 = 0.50; its EIP 730 x 0.005 = 3.65
    //   RDS db.t4g.micro Multi-AZ: 2 x 730 x 0.02 = 29.20; gp3 2 x 20 GB x 0.1 = 4.00
    //       backups beyond free: 20 GB x 5% x (7 - 1) days = 6 GB x 0.1 = 0.60
    //       MySQL 8.0 Extended Support (as of 2026-11-29, standard support ended 2026-07-31):
    //       2 vCPU x 2 instances x 730 x 0.1 = 292.00
    //   Logs: ingest 2 GB x 0.5 = 1.00; storage 2 GB x (30 / 30.4167) months x 0.03 = 0.059178
    //   Secrets: app/key + RDS-managed master password = 2 x 0.4 = 0.80
    //   ECR: 1 x 3 GB x 0.1 = 0.30; Route53: 1 zone (Z1) x 0.5 = 0.50
    //   S3: 100 GB x 0.02 = 2.00; 10,000 PUT = 10 x 0.005 = 0.05; 100,000 GET = 100 x 0.0004 = 0.04
    //   total = 70.08 + 10.512 + 27.74 + 40.65 + 325.80 + 1.059178 + 0.80 + 0.30 + 0.50 + 2.09 = 479.531178
    const estimate = estimateStack("small", "eu-west-1", SMALL_STACK, ASSUMPTIONS, TEST_PRICES, "2026-11-29");
    expect(estimate.totalUsd).toBe(479.53);
    const sum = (category: string) => estimate.lines.filter((l) => l.category === category).reduce((n, l) => n + l.monthlyUsd, 0);
    expect(sum("Compute")).toBeCloseTo(80.592, 6);
    expect(sum("Load balancer")).toBeCloseTo(20.44, 6);
    expect(sum("Public IPv4")).toBeCloseTo(10.95, 6);
    expect(sum("NAT")).toBeCloseTo(37.0, 6);
    expect(sum("Database")).toBeCloseTo(325.8, 6);
    expect(sum("Logs")).toBeCloseTo(1.059178, 5);
  });

  test("Extended Support: none before the end of standard support, the year-3 rate from year 3", () => {
    // 479.531178 - 292 = 187.531178 before 1 August 2026; + 292 more (0.2 instead of 0.1) from 1 August 2028.
    expect(estimateStack("small", "eu-west-1", SMALL_STACK, ASSUMPTIONS, TEST_PRICES, "2026-07-31").totalUsd).toBe(187.53);
    expect(estimateStack("small", "eu-west-1", SMALL_STACK, ASSUMPTIONS, TEST_PRICES, "2028-08-01").totalUsd).toBe(771.53);
  });

  test("alarms bill per metric (each metric of a metric-math alarm), dashboards per dashboard; high resolution is refused", () => {
    // GIVEN a single-metric alarm, a metric-math alarm over 2 metrics and 1 expression, a target-tracking policy and a dashboard
    const stack: StackJson = {
      resource: {
        aws_cloudwatch_metric_alarm: {
          cpu: { alarm_name: "cpu", metric_name: "CPUUtilization", period: 300 },
          rate: {
            alarm_name: "rate",
            metric_query: [
              { id: "errors", metric: { metric_name: "5xx", period: 60 } },
              { id: "requests", metric: { metric_name: "RequestCount", period: 60 } },
              { id: "rate", expression: "errors / requests", return_data: true },
            ],
          },
        },
        aws_appautoscaling_policy: { p: { policy_type: "TargetTrackingScaling" } },
        aws_cloudwatch_dashboard: { d: { dashboard_name: "ops" } },
      },
    };
    // WHEN it is estimated THEN 1 + 2 + 2 = 5 alarm metrics x 0.1 = 0.50, and 1 dashboard x 3 = 3.00
    const estimate = estimateStack("small", "eu-west-1", stack, ASSUMPTIONS, TEST_PRICES);
    expect(estimate.lines.find((l) => l.priceKey === "cloudwatch.alarmMonth")).toMatchObject({ quantity: 5, item: expect.stringContaining("4 CloudWatch alarms, 5 alarm metrics") });
    expect(estimate.lines.find((l) => l.priceKey === "cloudwatch.dashboardMonth")).toMatchObject({ quantity: 1, monthlyUsd: 3 });
    expect(estimate.totalUsd).toBe(3.5);
    // AND a 10-second alarm is a clear error rather than a silent underestimate
    const fast = JSON.parse(JSON.stringify(stack)) as StackJson;
    (fast.resource!.aws_cloudwatch_metric_alarm.cpu as Record<string, unknown>).period = 10;
    expect(() => estimateStack("small", "eu-west-1", fast, ASSUMPTIONS, TEST_PRICES)).toThrow(/Environment "small": alarm cpu has a period under 60 s/);
  });

  test("tasks are placed like ECS: base first, then by weight", () => {
    expect(splitTasks(3, [{ capacity_provider: "FARGATE", base: 1, weight: 1 }, { capacity_provider: "FARGATE_SPOT", weight: 1 }])).toEqual([["FARGATE", 2], ["FARGATE_SPOT", 1]]);
    expect(splitTasks(4, [{ capacity_provider: "FARGATE_SPOT", weight: 3 }, { capacity_provider: "FARGATE", weight: 1 }])).toEqual([["FARGATE_SPOT", 3], ["FARGATE", 1]]);
    expect(splitTasks(0, [{ capacity_provider: "FARGATE", base: 2, weight: 1 }])).toEqual([["FARGATE", 0]]);
  });

  test("a region or an instance class without a price is a clear error naming the environment", () => {
    expect(() => estimateStack("tokyo", "ap-northeast-1", SMALL_STACK, ASSUMPTIONS, TEST_PRICES)).toThrow(
      new CostError('Environment "tokyo": region "ap-northeast-1" has no prices in lib/cost/prices.json; it has eu-west-1. Add the region with the source and date of each price.'),
    );
    const big = JSON.parse(JSON.stringify(SMALL_STACK)) as StackJson;
    (big.resource!.aws_db_instance.db as Record<string, unknown>).instance_class = "db.x2g.large";
    expect(() => estimateStack("small", "eu-west-1", big, ASSUMPTIONS, TEST_PRICES)).toThrow(/Environment "small": no price "rds\.mysql\.db\.x2g\.large\.hour" for eu-west-1/);
  });
});

describe("the shipped environments", () => {
  test.each(["staging", "production"])("every resource type of %s is priced or listed as free", (env) => {
    const stack = readStack(join(outdir, "stacks", env));
    expect(unpricedTypes(stack)).toEqual([]);
    for (const reason of [...Object.values(PRICED_TYPES), ...Object.values(FREE_TYPES)]) expect(reason.length).toBeGreaterThan(3);
    expect(Object.keys(PRICED_TYPES).filter((t) => t in FREE_TYPES)).toEqual([]);
  });

  test("with every optional part on (cache, mail, Service Connect, outbound rules), every type is still priced or free; the cache by node", () => {
    const dir = mkdtempSync(join(tmpdir(), "cost-full-"));
    try {
      synthesize(dir, [STAGING_WITH_EVERYTHING]);
      const stack = readStack(join(dir, "stacks", "staging"));
      expect(unpricedTypes(stack)).toEqual([]);
      const [cache] = estimateStack("staging", "eu-west-1", stack, ASSUMPTIONS).lines.filter((l) => l.category === "Cache");
      expect(cache).toMatchObject({ quantity: 2 * PRICES.hoursPerMonth, unit: "node-hours", priceKey: "elasticache.redis.cache.t4g.small.hour" });
      // Valkey (the default engine) is billed 20% below Redis OSS.
      expect(cache.unitUsd).toBeCloseTo(PRICES.regions["eu-west-1"]["elasticache.redis.cache.t4g.small.hour"].usd * 0.8, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an unknown resource type is reported", () => {
    expect(unpricedTypes({ resource: { aws_kinesis_stream: { q: {} }, aws_vpc: { v: {} } } })).toEqual(["aws_kinesis_stream"]);
  });

  test("estimates follow config: Spot and one NAT in staging, Multi-AZ and three NATs in production", () => {
    expect(environmentStacks(outdir)).toEqual(["production", "staging"]);
    const staging = shipped.find((e) => e.environment === "staging")!;
    const production = shipped.find((e) => e.environment === "production")!;
    expect(staging.lines.filter((l) => l.category === "Compute").every((l) => l.priceKey.startsWith("fargateSpot."))).toBe(true);
    expect(production.lines.filter((l) => l.category === "Compute").every((l) => l.priceKey.startsWith("fargate."))).toBe(true);
    expect(staging.lines.find((l) => l.priceKey === "nat.hour")!.quantity).toBe(730);
    expect(production.lines.find((l) => l.priceKey === "nat.hour")!.quantity).toBe(3 * 730);
    expect(production.lines.find((l) => l.priceKey === "rds.mysql.db.t4g.medium.hour")!.quantity).toBe(2 * 730);
    expect(production.assumptions.requestsPerMonth).toBe(10_000_000);
    expect(staging.assumptions.requestsPerMonth).toBe(1_000_000);
    expect(production.totalUsd).toBeGreaterThan(staging.totalUsd);
  });

  test("every price has a source, a date and how it was obtained, for the three shipped regions", () => {
    expect(Object.keys(PRICES.regions).sort()).toEqual(["ap-northeast-1", "eu-west-1", "us-east-1"]);
    const keys = Object.keys(PRICES.regions["eu-west-1"]).sort();
    for (const [region, table] of Object.entries(PRICES.regions)) {
      expect([region, Object.keys(table).sort()]).toEqual([region, keys]);
      for (const p of Object.values(table)) {
        expect(p.usd).toBeGreaterThan(0);
        expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
        expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(["memory", "search"]).toContain(p.basis);
      }
    }
  });

  test("the README shows the generated numbers with the date of the price table (run `npm run cost -- --write-readme`)", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "docs", "cost.md"), "utf8");
    expect(readme).toContain(readmeBlock(shipped));
    expect(readmeBlock(shipped)).toContain(`lib/cost/prices.json of ${PRICES.date}`);
  });

  test("the pull-request difference names each environment's base, head and changed categories", () => {
    const head = shipped;
    const base = shipped.map((e) => ({ ...e, totalUsd: e.totalUsd - 10, lines: e.lines.map((l) => (l.category === "NAT" ? { ...l, monthlyUsd: l.monthlyUsd - 10 / e.lines.filter((x) => x.category === "NAT").length } : l)) }));
    const text = difference(base, head);
    const staging = head.find((e) => e.environment === "staging")!;
    expect(text).toContain(`| staging | $${(staging.totalUsd - 10).toFixed(2)} | $${staging.totalUsd.toFixed(2)} | +$10.00 |`);
    expect(text).toMatch(/- staging, NAT: \$[\d.]+ -> \$[\d.]+ \(\+\$10\.00\)/);
    expect(difference(undefined, head)).toContain("The base branch has no cost estimate");
  });
});

test("the pull-request workflow runs the cost script on base and head and comments the difference", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require("yaml") as typeof import("yaml");
  const workflow = parse(readFileSync(join(__dirname, "..", "..", ".github", "workflows", "pull-request.yml"), "utf8"));
  const steps = workflow.jobs.cost.steps as { name?: string; run?: string; with?: Record<string, string>; "working-directory"?: string }[];
  const base = steps.find((s) => s.with?.ref === "${{ github.event.pull_request.base.sha }}")!;
  expect(steps.find((s) => s["working-directory"] === base.with!.path)!.run).toMatch(/npm run --silent cost -- --json > "\$RUNNER_TEMP\/cost-base\.json"/);
  expect(steps.some((s) => /npm run --silent cost -- --json > "\$RUNNER_TEMP\/cost-head\.json"/.test(s.run ?? ""))).toBe(true);
  expect(steps.some((s) => /cost -- diff "\$RUNNER_TEMP\/cost-base\.json" "\$RUNNER_TEMP\/cost-head\.json"/.test(s.run ?? ""))).toBe(true);
  expect(steps.find((s) => /comment/i.test(s.name ?? ""))!.run).toContain("cost-comment.md");
});

describe("scheduled tasks (issue 14)", () => {
  test("runs a month: rate expressions exactly, cron minutes x hours every day, at() and restricted fields not counted", () => {
    expect(runsPerMonth("rate(1 minute)", 730)).toBe(43_800);
    expect(runsPerMonth("rate(5 minutes)", 730)).toBe(8_760);
    expect(runsPerMonth("rate(2 hours)", 730)).toBe(365);
    expect(runsPerMonth("cron(0 3 * * ? *)", 730)).toBeCloseTo(30.42, 2);
    expect(runsPerMonth("cron(0,30 9 * * ? *)", 730)).toBeCloseTo(60.83, 2);
    expect(runsPerMonth("cron(*/15 * * * ? *)", 730)).toBe(4 * 24 * (730 / 24));
    expect(runsPerMonth("at(2026-12-31T23:00:00)", 730)).toBe(0);
  });

  test("staging prices Laravel's every-minute scheduler as 43,800 one-minute tasks on Fargate Spot", () => {
    const config = loadEnvironments(environments).find((c) => c.name === "staging")!;
    const stack = readStack(join(outdir, "stacks", "staging"));
    const lines = estimateStack("staging", config.region, stack, config.cost).lines.filter((l) => l.item.startsWith("webapp-staging-job-scheduler "));
    expect(lines.map((l) => l.priceKey)).toEqual(["fargateSpot.x86_64.vcpuHour", "fargateSpot.x86_64.gbHour"]);
    expect(lines[0].quantity).toBeCloseTo((43_800 / 60) * 0.5, 5);
  });
});
