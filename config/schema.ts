/**
 * The typed, validated shape of one environment's configuration.
 *
 * Environment differences are data (trap T13): everything that differs between staging
 * and production is a setting here, never an `if (env === "production")` in a construct.
 * Every rule carries its own message saying what is allowed; `loadEnvironment` adds the
 * environment, the setting and the offending value.
 */
import { z } from "zod";
import { fargateSizeProblem } from "../constructs/compute/fargate";
import { FRAMEWORKS, PRESETS } from "../constructs/compute/presets";
import { RULE_IDS } from "../constructs/rules/ids";
import { instanceClassProblem, regionProblem, zoneProblem } from "./checks/aws";
import { fillerReasonProblem } from "./checks/waivers";
import { CACHE_ENGINE_VERSIONS, CACHE_NODE_TYPE } from "../constructs/data/cache-settings";
import { duplicatesHttpsOut, egressRuleId, egressRuleProblems, resolveEgressRule } from "../constructs/network/egress";
import { scheduleExpressionProblem, timeZoneProblem } from "../constructs/compute/schedule-expression";

/** A guardrail rule that does not apply to one resource (or the whole environment), for a written reason. */
const waiverSchema = z.strictObject({
  rule: z.string().refine((id) => RULE_IDS.includes(id), { error: `must be a guardrail rule id: ${RULE_IDS.join(", ")}` }),
  /** Construct path of the resource relative to the stack, or a prefix of it (e.g. "database"). */
  resource: z.string().min(1).optional(),
  reason: z.string().superRefine((reason, ctx) => {
    const problem = fillerReasonProblem(reason);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});
const guardrailsSchema = z.strictObject({ waivers: z.array(waiverSchema).default([]) }).default({ waivers: [] });

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const retentionDays = z
  .number()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: `must be one of the CloudWatch Logs retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
  });

/** A region code from the shipped table (config/data/aws-regions.json), with "did you mean" for typos. */
const region = () =>
  z.string().superRefine((value, ctx) => {
    const problem = regionProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
const HOSTNAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
/** A host name with an optional leading `*.`: ACM wildcard certificates (README "HTTPS, domain and routing"). */
const WILDCARD_HOSTNAME = /^(\*\.)?(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;

/** An IPv4 CIDR whose prefix leaves room for the 12 subnets the network carves out of it. */
const vpcCidr = z
  .string({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" })
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, { error: "must be an IPv4 CIDR block such as 10.0.0.0/16" })
  .refine((v) => v.split("/")[0].split(".").every((o) => Number(o) <= 255), { error: "has an octet above 255" })
  .refine(
    (v) => {
      const prefix = Number(v.split("/")[1]);
      return prefix >= 16 && prefix <= 24;
    },
    { error: "must have a prefix length between /16 and /24 (each of the 12 subnets is 4 bits smaller)" },
  )
  .refine(
    (v) => {
      const [ip, prefix] = v.split("/");
      const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
      return n % 2 ** (32 - Number(prefix)) === 0;
    },
    { error: "has host bits set; use the network address (for example 10.0.0.0/16, not 10.0.0.1/16)" },
  );

const stateSchema = z.strictObject({
  /** S3 bucket holding every environment's state; created by the `bootstrap` stack. */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, { error: "must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens" }),
  /** Region of the state bucket. */
  region: region(),
});

/** Our message for a missing or non-integer number (the value is shown by the loader). */
const wholeNumber = (issue: { input?: unknown }) => (issue.input === undefined ? "is required: a whole number" : "must be a whole number");

const int = (min: number, max: number) =>
  z.int({ error: wholeNumber }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, { error: "must be an environment variable name: uppercase letters, digits and _" });

/** A secret the task reads at start: an existing Secrets Manager secret or SSM SecureString parameter, by name. */
const secretRef = z.union(
  [
    z.strictObject({
      secretsManager: z.string().regex(/^[\w/+=.@-]{1,512}$/, { error: "must be a Secrets Manager secret name" }),
      /** Read one key of a JSON secret. */
      jsonKey: z.string().min(1).optional(),
    }),
    z.strictObject({ ssmParameter: z.string().regex(/^\/?[\w.\-/]{1,1011}$/, { error: "must be an SSM parameter name such as /webapp/staging/stripe-key" }) }),
  ],
  { error: 'must be { secretsManager: "<secret name>", jsonKey?: "<key>" } or { ssmParameter: "<parameter name>" }' },
);

const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/** Where a service's image comes from (README "Images"). */
const imageSchema = z.discriminatedUnion(
  "source",
  [
    z.strictObject({
      /** Built elsewhere (CI) and pushed to the service's ECR repository with an immutable tag. */
      source: z.literal("tag"),
      /** Default tag; override per deploy with `--var <service>_image_tag=...`. */
      tag: z.string().regex(IMAGE_TAG, { error: "must be a Docker tag: letters, digits, _ . -, at most 128 characters" }),
      /** Look the tag up in ECR at plan time and fail the plan when it was never pushed. */
      verifyTagExists: z.boolean().default(true),
    }),
    z.strictObject({
      /** Built and pushed by Terraform's Docker provider during `cdktf deploy`. */
      source: z.literal("build"),
      /** Build context directory, relative to the project root. */
      context: z.string().min(1),
      /** Dockerfile path relative to the context. */
      dockerfile: z.string().min(1).default("Dockerfile"),
    }),
  ],
  { error: 'must be { source: "tag", tag } or { source: "build", context }' },
);

const healthCheckSchema = z.strictObject({
  path: z.string().regex(/^\/[\w\-./~%!$&'()*+,;=:@?]*$/, { error: 'must be a URL path starting with "/"' }),
  matcher: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, { error: 'must be HTTP codes such as "200", "200-399" or "200,302"' }),
  intervalSeconds: int(5, 300),
  timeoutSeconds: int(2, 120),
  healthyThreshold: int(2, 10),
  unhealthyThreshold: int(2, 10),
  gracePeriodSeconds: int(0, 2147483647),
});

const serviceSchema = z
  .strictObject({
    /** Framework preset: environment variables, secrets, health check and migration defaults. */
    framework: z.enum(FRAMEWORKS, { error: `must be one of: ${FRAMEWORKS.join(", ")}` }),
    /** The one port the container listens on: port mapping, target group, security group and PORT (T8). */
    containerPort: int(1, 65535),
    /** Fargate CPU units (256 = 0.25 vCPU). */
    cpu: z.int({ error: wholeNumber }),
    /** Fargate memory in MiB; must be valid for `cpu`. */
    memoryMiB: z.int({ error: wholeNumber }),
    /** Drives both the task's runtime platform and the image build platform (T6). */
    cpuArchitecture: z.enum(["X86_64", "ARM64"], { error: "must be X86_64 or ARM64" }).default("X86_64"),
    desiredCount: int(0, 1000),
    minHealthyPercent: int(0, 100).default(100),
    maxPercent: int(100, 200).default(200),
    /** Run on Fargate Spot (up to 70% cheaper, may be interrupted): for staging. */
    fargateSpot: z.boolean().default(false),
    /** Target-tracking scaling on average CPU. */
    autoscaling: z
      .strictObject({
        minCount: int(1, 1000),
        maxCount: int(1, 1000),
        targetCpuPercent: int(10, 95).default(60),
      })
      .optional(),
    /** Command of the migration task, replacing the preset's (e.g. `["php", "artisan", "migrate", "--force", "--isolated"]`). */
    migrationCommand: z.array(z.string().min(1)).min(1, { error: "must be a command with at least one word" }).optional(),
    /** Mount the container's root filesystem read-only (Security Hub ECS.5); the app may then write only to /tmp-like volumes. */
    readonlyRootFilesystem: z.boolean().default(false),
    /** Overrides of the framework's health check defaults. */
    healthCheck: healthCheckSchema.partial().default({}),
    logRetentionDays: retentionDays,
    /** Extra plain variables; anything secret-looking is refused (use `secrets`). */
    environment: z.record(envName, z.string()).default({}),
    /** Extra secrets by variable name. */
    secrets: z.record(envName, secretRef).default({}),
    image: imageSchema,
  })
  .superRefine((svc, ctx) => {
    const sizeProblem = fargateSizeProblem(svc.cpu, svc.memoryMiB);
    if (sizeProblem) ctx.addIssue({ code: "custom", path: [sizeProblem.startsWith("cpu") ? "cpu" : "memoryMiB"], message: sizeProblem });
    for (const name of Object.keys(svc.secrets).filter((n) => n in svc.environment)) {
      ctx.addIssue({ code: "custom", path: ["secrets", name], message: "is also set in environment; set it in one place only" });
    }
    const scaling = svc.autoscaling;
    if (scaling && (scaling.minCount > scaling.maxCount || svc.desiredCount < scaling.minCount || svc.desiredCount > scaling.maxCount)) {
      ctx.addIssue({
        code: "custom",
        path: ["autoscaling"],
        message: `needs minCount <= desiredCount <= maxCount (desiredCount is ${svc.desiredCount})`,
      });
    }
  });

const databaseSchema = z.strictObject({
  /**
   * MySQL major (and optionally minor) version: 8.4 for new environments; 8.0 is past RDS standard support
   * (README "Operations": upgrading MySQL). Minor versions are upgraded automatically.
   */
  engineVersion: z.string().regex(/^8\.[04](\.\d+)?$/, { error: 'must be MySQL 8.4 or 8.0, e.g. "8.4", "8.4.3" or "8.0"' }).default("8.4"),
  instanceClass: z.string().superRefine((value, ctx) => {
    const problem = instanceClassProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  allocatedStorageGiB: int(20, 65536),
  /** Storage autoscaling ceiling. */
  maxAllocatedStorageGiB: int(20, 65536),
  databaseName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: "must start with a letter; letters, digits and _, at most 64" }).default("app"),
  username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { error: "must start with a letter; letters, digits and _, at most 32" }).default("app"),
  multiAz: z.boolean(),
  backupRetentionDays: int(0, 35),
  deletionProtection: z.boolean(),
  /** Take a final snapshot when the instance is deleted. */
  finalSnapshot: z.boolean(),
  /** Terraform `prevent_destroy`: a plan that would delete the database fails. */
  preventDestroy: z.boolean(),
  logRetentionDays: retentionDays,
  // --- Operations (issue 13): lifecycle, upgrades, slow query log, credentials that survive rotation.
  /**
   * RDS Extended Support after the major version's end of standard support: on (paid, no forced upgrade)
   * or disabled (RDS upgrades the major version itself when standard support ends).
   */
  engineLifecycleSupport: z
    .enum(["open-source-rds-extended-support", "open-source-rds-extended-support-disabled"], {
      error: "must be open-source-rds-extended-support or open-source-rds-extended-support-disabled",
    })
    .default("open-source-rds-extended-support"),
  /** Lets a plan change the major version (8.0 -> 8.4); off except during a reviewed upgrade (README "Operations"). */
  allowMajorVersionUpgrade: z.boolean().default(false),
  /**
   * Apply instance changes now instead of in the next maintenance window. Needed for a major upgrade: the
   * old parameter group can only be deleted once the instance has moved to the new one.
   */
  applyImmediately: z.boolean().default(false),
  /** Queries slower than this many seconds go to the slow query log (exported to CloudWatch). */
  longQueryTimeSeconds: z.number().min(0, { error: "must be at least 0" }).max(3600, { error: "must be at most 3600" }).default(1),
  /** RDS rotates the managed master password every this many days (explicit, not the silent default of 7). */
  masterPasswordRotationDays: int(1, 365).default(30),
  /**
   * Which credentials the backend uses: "app-user" (its own least-privilege user, secret set by you) or
   * "master" (only while migrating an existing environment to its own user; README "Operations").
   */
  applicationCredentials: z.enum(["app-user", "master"], { error: "must be app-user or master" }).default("app-user"),
});

/** A thing that receives an environment's alarms: an e-mail address, or a Lambda (e.g. a chat forwarder) by ARN. */
const alarmSubscriberSchema = z.union(
  [
    z.strictObject({ email: z.email({ error: "must be an e-mail address" }) }),
    z.strictObject({ lambdaArn: z.string().regex(/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/, { error: "must be a Lambda function ARN" }) }),
  ],
  { error: 'must be { email: "ops@example.com" } or { lambdaArn: "arn:aws:lambda:..." }' },
);

/** Alarms, notifications, dashboard and saved queries (README "Operations"). */
const monitoringSchema = z
  .strictObject({
    /** Who gets this environment's alarms (the SNS topic's subscriptions). */
    subscribers: z.array(alarmSubscriberSchema).default([]),
    /** Alarm thresholds; the defaults suit a small production site. */
    thresholds: z
      .strictObject({
        /** Load balancer 5xx responses as a percentage of requests, over 5 minutes. */
        loadBalancer5xxPercent: z.number().min(0.1).max(100).default(5),
        /** 5xx responses from one service's targets per 5 minutes. */
        target5xxPerFiveMinutes: int(1, 100000).default(10),
        /** p95 target response time, seconds, over 5 minutes. */
        p95ResponseSeconds: z.number().min(0.05).max(300).default(2),
        /** Average service CPU / memory, percent, over 3 x 5 minutes. */
        serviceCpuPercent: int(1, 100).default(85),
        serviceMemoryPercent: int(1, 100).default(85),
        /** Average database CPU, percent, over 3 x 5 minutes. */
        databaseCpuPercent: int(1, 100).default(80),
        databaseFreeStorageGiB: int(1, 65536).default(5),
        databaseFreeableMemoryMiB: int(16, 1048576).default(128),
        databaseConnections: int(1, 100000).default(100),
      })
      .prefault({}),
  })
  .prefault({});

// --- issue 14 (cache, outbound traffic, mail, Service Connect): one block, README "Configuration reference" ---
/** Why a service needs some traffic: at least 20 characters that say something (the waiver reason check). */
const reasonText = z.string({ error: 'is required: say why the service needs this traffic, e.g. "SMTP submission to the newsletter relay"' }).superRefine((reason, ctx) => {
  const problem = fillerReasonProblem(reason);
  if (problem) {
    const rule = 'write at least 20 characters saying why the service needs this traffic, e.g. "SMTP submission to the newsletter relay"';
    ctx.addIssue({ code: "custom", message: problem.replace(/; write at least 20 characters.*$/, `; ${rule}`) });
  }
});

/** One outbound rule of a service beyond HTTPS (README "Outbound traffic"). */
const egressRuleSchema = z
  .strictObject({
    protocol: z.enum(["tcp", "udp"], { error: "must be tcp or udp" }).default("tcp"),
    /** One port (587) or an inclusive range ({ from: 8000, to: 8099 }). */
    port: z.union([z.number(), z.strictObject({ from: z.number(), to: z.number() })], { error: "must be a port (e.g. 587) or { from, to }" }),
    /** "vpc" (the environment's VPC CIDR), { cidr: "203.0.113.0/24" } (IPv4 or IPv6) or { prefixList: "pl-..." }. */
    to: z.union([z.literal("vpc"), z.strictObject({ cidr: z.string() }), z.strictObject({ prefixList: z.string() })], {
      error: 'must be "vpc", { cidr: "203.0.113.0/24" } or { prefixList: "pl-0123456789abcdef0" }',
    }),
    /** Why the service needs it; becomes the rule's description. */
    reason: reasonText,
  })
  .superRefine((rule, ctx) => {
    for (const problem of egressRuleProblems(rule)) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });

/** Extra outbound rules per service; HTTPS (443) to anywhere is always allowed (images, secrets, AWS APIs). */
const egressSchema = z
  .strictObject({
    backend: z.array(egressRuleSchema).default([]),
    frontend: z.array(egressRuleSchema).default([]),
  })
  .prefault({});

const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;
const SNAPSHOT_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** An ElastiCache replication group (Valkey or Redis OSS) for the backend (README "Cache"). Off when left out. */
const cacheSchema = z
  .strictObject({
    engine: z.enum(["valkey", "redis"], { error: "must be valkey or redis" }).default("valkey"),
    /** Major.minor; minor upgrades are automatic (ElastiCache.2). */
    engineVersion: z.string().optional(),
    nodeType: z.string().regex(CACHE_NODE_TYPE, { error: "must be a cache node type such as cache.t4g.micro or cache.r7g.large" }),
    /** Nodes in the replication group: 1 primary plus replicas (2 or more for automatic failover). */
    nodes: int(1, 6).default(1),
    /** Promote a replica when the primary fails (Security Hub ElastiCache.3); needs nodes >= 2. */
    automaticFailover: z.boolean().default(false),
    /** Place the replicas in other availability zones; needs automaticFailover. */
    multiAz: z.boolean().default(false),
    /** Days of daily snapshots (Security Hub ElastiCache.1); 0 turns them off. */
    snapshotRetentionDays: int(0, 35).default(0),
    /** UTC daily snapshot window, e.g. "03:00-04:00". */
    snapshotWindow: z.string().regex(SNAPSHOT_WINDOW, { error: 'must be a UTC window such as "03:00-04:00"' }).default("03:00-04:00"),
    /** UTC weekly maintenance window, e.g. "sun:05:00-sun:06:00". */
    maintenanceWindow: z.string().regex(MAINTENANCE_WINDOW, { error: 'must be a UTC window such as "sun:05:00-sun:06:00"' }).default("sun:05:00-sun:06:00"),
    /** Snapshot the data when the replication group is deleted (guardrail ENV.2). */
    finalSnapshot: z.boolean().default(true),
  })
  .superRefine((cache, ctx) => {
    const versions = CACHE_ENGINE_VERSIONS[cache.engine];
    if (cache.engineVersion !== undefined && !versions.includes(cache.engineVersion)) {
      ctx.addIssue({ code: "custom", path: ["engineVersion"], message: `is not a ${cache.engine} version this platform runs; allowed: ${versions.join(", ")}` });
    }
    if (cache.automaticFailover && cache.nodes < 2) {
      ctx.addIssue({ code: "custom", path: ["automaticFailover"], message: `needs a replica to fail over to: set nodes to 2 or more (nodes is ${cache.nodes})` });
    }
    if (cache.multiAz && !cache.automaticFailover) {
      ctx.addIssue({ code: "custom", path: ["multiAz"], message: "needs automaticFailover: true (ElastiCache refuses Multi-AZ without it)" });
    }
  })
  .optional();

/** Mail through Amazon SES with the site's domain as the sending identity (README "Mail"). Off when left out. */
const mailSchema = z
  .strictObject({
    provider: z.literal("ses", { error: 'must be "ses"' }),
    /** Domain of the SES identity, in the hosted zone of domain.hostedZoneId. @default domain.name */
    domain: z.string().regex(HOSTNAME, { error: "must be a lowercase DNS name such as example.com" }).optional(),
    /** The address mail is sent from (MAIL_FROM_ADDRESS); must be at the identity's domain. */
    fromAddress: z.email({ error: "must be an e-mail address such as no-reply@example.com" }),
    /** Custom MAIL FROM subdomain (SPF alignment for DMARC), e.g. "mail" for mail.<domain>. @default none: SES's own */
    mailFromSubdomain: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'must be one DNS label such as "mail"' }).optional(),
  })
  .optional();

/** ECS Service Connect: the frontend reaches the backend inside the VPC (README "Service Connect"). */
const serviceConnectSchema = z
  .strictObject({
    enabled: z.boolean(),
    /** The name the frontend calls the backend by: BACKEND_INTERNAL_URL=http://<dnsName>:<backend port>. */
    dnsName: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: 'must be one lowercase DNS label such as "backend"' }).default("backend"),
  })
  .default({ enabled: false, dnsName: "backend" });
// --- end of issue 14 block ---

// --- issue 14: the queue, workers and scheduled jobs (docs/configuration.md "Workers, scheduled jobs and the queue") ---
/** A worker's or scheduled job's key: part of its cloud names (`<project>-<env>-worker-<name>`). */
const workloadName = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: "must be lowercase letters, digits and single hyphens, starting with a letter" })
  .max(20, { error: "must be at most 20 characters (it is part of role and alarm names AWS limits to 64)" });
const commandSchema = z.array(z.string().min(1, { error: "must not be an empty word" })).min(1, { error: "must be a command with at least one word" });
const expressionCheck = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** The environment's SQS queue and its dead-letter queue. Present = created. */
const queueSchema = z.strictObject({
  /** Seconds a received message stays hidden from other consumers; longer than the slowest job. */
  visibilityTimeoutSeconds: int(0, 43200).default(300),
  /** Days an unprocessed message is kept. */
  messageRetentionDays: int(1, 14).default(4),
  /** Receives after which a message moves to the dead-letter queue (its redrive policy). */
  maxReceiveCount: int(1, 1000).default(5),
  /** Days a dead letter is kept (the maximum, so there is time to look at it). */
  deadLetterRetentionDays: int(1, 14).default(14),
  /** Server-side encryption: SQS-managed keys (SSE-SQS), or a KMS key of yours (SSE-KMS). */
  encryption: z
    .union([z.literal("sqs-managed"), z.strictObject({ kmsKeyArn: z.string().regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, { error: "must be a KMS key ARN" }) })], {
      error: 'must be "sqs-managed" or { kmsKeyArn: "arn:aws:kms:..." }',
    })
    .default("sqs-managed"),
});

/** A queue worker: the backend's image, task role and secrets, its own command and size, no load balancer. */
const workerSchema = z.strictObject({
  /** @default the backend framework's worker command (Laravel: php artisan queue:work); Rails has none */
  command: commandSchema.optional(),
  /** Fargate CPU units. @default the backend's */
  cpu: z.int({ error: wholeNumber }).optional(),
  /** @default the backend's */
  memoryMiB: z.int({ error: wholeNumber }).optional(),
  desiredCount: int(0, 1000).default(1),
  /** @default the backend's */
  fargateSpot: z.boolean().optional(),
  /** @default the backend's */
  logRetentionDays: retentionDays.optional(),
  /** Whether it works off the environment's queue (scaling on its depth). @default true when there is a queue */
  consumesQueue: z.boolean().optional(),
  /** Step scaling on the queue's visible messages when it consumes the queue, else target tracking on CPU. */
  autoscaling: z
    .strictObject({
      minCount: int(0, 1000),
      maxCount: int(1, 1000),
      /** Queue scaling: visible messages at which one more task starts (five times as many start three). */
      scaleOutAtMessages: int(1, 1000000).default(100),
      /** CPU scaling: the average CPU to keep. */
      targetCpuPercent: int(10, 95).default(60),
    })
    .optional(),
  /** Extra plain variables on top of the backend's (secret-looking names are refused). */
  environment: z.record(envName, z.string()).default({}),
});

/** A command run on a schedule by EventBridge Scheduler, in a fresh task of the backend's task definition. */
const scheduledJobSchema = z.strictObject({
  /** @default the backend framework's scheduled job (Laravel: php artisan schedule:run); Rails has none */
  command: commandSchema.optional(),
  /** rate(...), cron(...) or at(...). @default the framework's (Laravel: "rate(1 minute)") */
  schedule: expressionCheck(scheduleExpressionProblem).optional(),
  /** IANA time zone the cron and at expressions are read in. */
  timeZone: expressionCheck(timeZoneProblem).default("UTC"),
  /** false keeps the schedule but stops it firing (state DISABLED). */
  enabled: z.boolean().default(true),
  /** When Scheduler cannot start the task (RunTask fails): how often it retries, and for how long, before the dead-letter queue. */
  retry: z
    .strictObject({
      maximumAttempts: int(0, 185).default(3),
      maximumEventAgeSeconds: int(60, 86400).default(600),
    })
    .prefault({}),
});

const workloadSchemas = {
  /** The environment's queue (SQS with a dead-letter queue). @default none */
  queue: queueSchema.optional(),
  /** Queue workers by name. @default none */
  workers: z.record(workloadName, workerSchema).default({}),
  /** Scheduled jobs by name. @default none */
  scheduledJobs: z.record(workloadName, scheduledJobSchema).default({}),
};

/** Checks that need the rest of the environment: framework defaults, the backend's size, the queue. */
function workloadProblems(cfg: z.output<z.ZodObject<typeof workloadSchemas>> & { services: { backend: { framework: string; cpu: number; memoryMiB: number; fargateSpot: boolean; cpuArchitecture: string } } }): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const backend = cfg.services.backend;
  const preset = PRESETS[backend.framework as keyof typeof PRESETS];
  if (cfg.queue && cfg.queue.deadLetterRetentionDays < cfg.queue.messageRetentionDays) {
    problems.push({
      path: ["queue", "deadLetterRetentionDays"],
      message: `must be at least queue.messageRetentionDays (${cfg.queue.messageRetentionDays}): SQS keeps a message's first enqueue time, so a shorter dead-letter retention deletes dead letters on arrival`,
    });
  }
  for (const [name, worker] of Object.entries(cfg.workers)) {
    const at = (...rest: string[]) => ["workers", name, ...rest];
    if (!worker.command && !preset?.workerCommand) {
      problems.push({ path: at("command"), message: `is required: the ${backend.framework} preset has no default worker command (e.g. ["bundle", "exec", "sidekiq"] or ["bin/jobs"])` });
    }
    // Only a size the worker sets itself is checked here; the backend's own check reports the backend's.
    const sizeProblem = worker.cpu !== undefined || worker.memoryMiB !== undefined ? fargateSizeProblem(worker.cpu ?? backend.cpu, worker.memoryMiB ?? backend.memoryMiB) : undefined;
    if (sizeProblem) {
      const blamed = sizeProblem.startsWith("cpu") ? "cpu" : "memoryMiB";
      problems.push({ path: at(worker[blamed] === undefined ? (blamed === "cpu" ? "memoryMiB" : "cpu") : blamed), message: `${sizeProblem}${worker.cpu === undefined || worker.memoryMiB === undefined ? " (the unset one is the backend's)" : ""}` });
    }
    // (Unset, it is the backend's, whose own check reports Spot with ARM64.)
    if (worker.fargateSpot === true && backend.cpuArchitecture === "ARM64") {
      problems.push({ path: at("fargateSpot"), message: "is true; Fargate Spot does not run ARM64 tasks and the worker runs the backend's ARM64 image: set fargateSpot: false" });
    }
    if (worker.consumesQueue && !cfg.queue) problems.push({ path: at("consumesQueue"), message: "is true but the environment has no queue; add queue: {} or leave consumesQueue out" });
    const scaling = worker.autoscaling;
    if (scaling && (scaling.minCount > scaling.maxCount || worker.desiredCount < scaling.minCount || worker.desiredCount > scaling.maxCount)) {
      problems.push({ path: at("autoscaling"), message: `needs minCount <= desiredCount <= maxCount (desiredCount is ${worker.desiredCount})` });
    }
    const onQueue = worker.consumesQueue ?? cfg.queue !== undefined;
    if (scaling && !onQueue && scaling.minCount < 1) {
      problems.push({ path: at("autoscaling", "minCount"), message: "must be at least 1 when scaling on CPU (only a queue worker can scale to zero and back: the queue depth wakes it)" });
    }
  }
  for (const [name, job] of Object.entries(cfg.scheduledJobs)) {
    const fallback = preset?.scheduledJob;
    if (!job.command && !fallback) problems.push({ path: ["scheduledJobs", name, "command"], message: `is required: the ${backend.framework} preset has no default scheduled job` });
    if (!job.schedule && !fallback) problems.push({ path: ["scheduledJobs", name, "schedule"], message: `is required: the ${backend.framework} preset has no default schedule, e.g. "cron(0 3 * * ? *)"` });
  }
  return problems;
}
// --- end of issue 14 ---

const ROUTE_PATTERN = /^\/[\w\-./*?~%]*$/;

export const environmentSchema = z
  .strictObject({
    /** Project name, the first part of every cloud name. */
    project: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: "must be lowercase letters, digits and hyphens, starting with a letter" })
      .max(20, { error: "must be at most 20 characters (it prefixes names that AWS limits to 32)" }),
    /** Environment name: the stack name, the second part of every cloud name. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]*$/, { error: "must be lowercase letters and digits, starting with a letter" })
      .max(12, { error: "must be at most 12 characters" }),
    /** AWS region code, e.g. `eu-west-1`. */
    region: region(),
    /**
     * The AWS account this environment lives in. Terraform refuses to run against any other account
     * (protects production from a wrong profile), and S3 bucket names end with it (they are global).
     */
    accountId: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? "is required: the 12-digit AWS account id of this environment"
            : 'must be the 12-digit account id as text in quotes, e.g. "012345678901" (as a number it can lose leading zeros)',
      })
      .regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id" }),
    /** Availability zones, explicit so that plans need no AWS look-up and never reshuffle. */
    availabilityZones: z
      .array(z.string(), { error: "must be a list of availability zone names" })
      .min(2, { error: "must list at least 2 availability zones (the load balancer and Multi-AZ RDS need two)" })
      .max(4, { error: "must list at most 4 availability zones" })
      .refine((azs) => new Set(azs).size === azs.length, { error: "must not repeat an availability zone" }),
    network: z.strictObject({
      vpcCidr,
      /** NAT gateways: 1 is cheap (staging), one per AZ survives an AZ outage (production). */
      natGateways: z.int({ error: wholeNumber }).min(1, { error: "must be at least 1 (tasks in private subnets need a route out to pull images)" }),
      flowLogs: z.strictObject({
        enabled: z.boolean(),
        retentionDays,
      }),
      /**
       * Dual-stack public tier: an Amazon-provided IPv6 block on the VPC, IPv6 on the public subnets, a
       * dual-stack load balancer and AAAA alias records. false = IPv4 only (no IPv6 anywhere).
       */
      ipv6: z.boolean().default(true),
    }),
    domain: z.strictObject(
      {
        /** The site's host name, e.g. `app.example.com`. */
        name: z.string({ error: "is required: the site's host name, e.g. app.example.com" }).regex(HOSTNAME, { error: "must be a lowercase DNS name such as app.example.com" }),
        /** Route53 hosted zone id that serves `name` (see README: "Domain and hosted zone"). */
        hostedZoneId: z.string().regex(/^[A-Z0-9]{1,32}$/, { error: "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
        /** More names on the certificate (and alias records), all in the same hosted zone. */
        alternativeNames: z
          .array(z.string().regex(WILDCARD_HOSTNAME, { error: 'must be a lowercase DNS name such as api.example.com, or a wildcard such as "*.example.com"' }))
          .default([]),
      },
      { error: "is required: { name, hostedZoneId }" },
    ),
    /** How requests reach the backend: a path prefix on the site's host, or its own host name. */
    routing: z
      .discriminatedUnion(
        "mode",
        [
          z.strictObject({
            mode: z.literal("path"),
            pathPatterns: z.array(z.string().regex(ROUTE_PATTERN, { error: 'must be a path pattern such as "/api/*"' }).max(128)).min(1).max(3, { error: "must list at most 3 patterns (AWS allows 3 values per listener rule condition)" }),
          }),
          z.strictObject({ mode: z.literal("host"), hostName: z.string().regex(HOSTNAME, { error: "must be a lowercase DNS name such as api.example.com" }) }),
        ],
        { error: 'must be { mode: "path", pathPatterns: ["/api/*"] } or { mode: "host", hostName: "api.example.com" }' },
      )
      .default({ mode: "path", pathPatterns: ["/api/*"] }),
    loadBalancer: z.strictObject({
      idleTimeoutSeconds: int(1, 4000).default(60),
      deletionProtection: z.boolean(),
      accessLogs: z.strictObject({ enabled: z.boolean(), retentionDays: int(1, 3650) }),
    }),
    services: z.strictObject({ backend: serviceSchema, frontend: serviceSchema }),
    database: databaseSchema,
    monitoring: monitoringSchema,
    uploads: z.strictObject({
      versioned: z.boolean(),
      preventDestroy: z.boolean(),
    }),
    registry: z.strictObject({
      /** Keep this many most recent images per repository. */
      keepImages: int(1, 1000),
      /** Expire untagged images (failed or superseded pushes) after this many days. */
      untaggedExpiryDays: int(1, 365),
      /** Terraform `prevent_destroy` on the repositories. */
      preventDestroy: z.boolean(),
    }),
    /**
     * What a destroy may take with it (README "Tearing down an environment"). The defaults keep data
     * recoverable; an environment that is rebuilt freely (staging) sets all three. Guardrail ENV.6
     * holds every environment that does not waive it to the defaults.
     */
    teardown: z
      .strictObject({
        /** Days a destroyed secret stays restorable (and its name reserved); 0 deletes it at once, so the same name can be created again. */
        secretRecoveryWindowDays: z
          .int({ error: "must be a whole number" })
          .refine((d) => d === 0 || (d >= 7 && d <= 30), { error: "must be 0 (delete at once) or 7 to 30 days (what Secrets Manager allows)" })
          .default(30),
        /** ECR `force_delete`: destroy deletes the repositories with the images in them. */
        forceDeleteImages: z.boolean().default(false),
        /** S3 `force_destroy` on the uploads and access log buckets: destroy deletes every object (and version) first. */
        forceDestroyBuckets: z.boolean().default(false),
      })
      .default({ secretRecoveryWindowDays: 30, forceDeleteImages: false, forceDestroyBuckets: false }),
    cluster: z.strictObject({
      containerInsights: z.boolean(),
      /** Retention of the ECS Exec session logs. */
      execLogRetentionDays: retentionDays,
    }),
    state: stateSchema,
    /** The GitHub repository that deploys this project (OIDC trust of the deploy and plan roles). */
    github: z.strictObject({
      repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, { error: 'must be "owner/name" of a GitHub repository' }),
    }),
    /** Who may deploy this environment from GitHub Actions: pushes to a branch, or jobs in a GitHub environment. */
    delivery: z.strictObject({
      deployFrom: z.union(
        [
          z.strictObject({ branch: z.string().regex(/^[\w./-]{1,255}$/, { error: "must be a branch name" }) }),
          z.strictObject({ environment: z.string().regex(/^[\w .-]{1,255}$/, { error: "must be a GitHub environment name" }) }),
        ],
        { error: 'must be { branch: "main" } or { environment: "production" }' },
      ),
      // --- issue 12: the one workflow (file and branch) whose jobs may assume the deploy role ---
      /** Workflow file under `.github/workflows/` that deploys this environment. @default `deploy-<name>.yml` */
      workflow: z.string().regex(/^[\w.-]+\.ya?ml$/, { error: "must be a workflow file name such as deploy-production.yml" }).optional(),
      /** Branch that workflow runs on (for `deployFrom: { branch }` it must be that branch). @default the deployFrom branch, else "main" */
      workflowBranch: z.string().regex(/^[\w./-]{1,255}$/, { error: "must be a branch name" }).optional(),
      /**
       * Environment whose tested images this one deploys, copied by digest instead of rebuilt (README
       * "Promoting to production"). It must be in the same AWS account. @default none: CI builds the images
       */
      promoteFrom: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: "must be an environment name such as staging" }).optional(),
    }),
    /** Waivers of guardrail rules for this environment (README "Guardrails"). */
    guardrails: guardrailsSchema,
    /** Waivers of guardrail rules for the bootstrap stack (set once in config/project.ts). */
    bootstrap: z.strictObject({ guardrails: guardrailsSchema }).default({ guardrails: { waivers: [] } }),
    /** Extra tags on every resource, next to Project, Environment and ManagedBy. */
    tags: z.record(z.string(), z.string()).default({}),
    // --- Cost estimate assumptions (issue 16, README "Monthly cost estimate"): usage the stacks cannot know. ---
    /** Usage assumptions of `npm run cost`; printed with every estimate. Sizes, counts and classes come from the stacks. */
    cost: z
      .strictObject({
        /** Requests through the load balancer per month (LCU: one new connection per request, bytes below). */
        requestsPerMonth: z.number().min(0, { error: "must be 0 or more" }).default(1_000_000),
        /** Average response size in KiB (the ALB's processed-bytes LCU dimension). */
        averageResponseKiB: z.number().min(0, { error: "must be 0 or more" }).default(64),
        /** GiB per month through the NAT gateways (image pulls, outbound API calls), all gateways together. */
        natDataGiBPerMonth: z.number().min(0, { error: "must be 0 or more" }).default(20),
        /** GiB ingested per month into each CloudWatch log group; storage follows from each group's retention. */
        logIngestGiBPerGroupPerMonth: z.number().min(0, { error: "must be 0 or more" }).default(1),
        /** Share of the database that changes per day, in percent: backup storage beyond the free 100% of the volume. */
        databaseChangePercentPerDay: z.number().min(0).max(100, { error: "must be at most 100" }).default(2),
        /** GiB of images each ECR repository keeps after its lifecycle policy. */
        imageGiBPerRepository: z.number().min(0, { error: "must be 0 or more" }).default(2),
        /** GiB stored in each S3 bucket, and requests per bucket per month. */
        bucketGiB: z.number().min(0, { error: "must be 0 or more" }).default(10),
        bucketPutRequestsPerMonth: z.number().min(0, { error: "must be 0 or more" }).default(100_000),
        bucketGetRequestsPerMonth: z.number().min(0, { error: "must be 0 or more" }).default(1_000_000),
      })
      .prefault({}),
    // --- end of cost estimate assumptions ---
    // --- issue 14: cache, outbound traffic, mail, Service Connect (README "Configuration reference") ---
    cache: cacheSchema,
    egress: egressSchema,
    mail: mailSchema,
    serviceConnect: serviceConnectSchema,
    ...workloadSchemas,
  })
  .superRefine((cfg, ctx) => {
    cfg.availabilityZones.forEach((az, i) => {
      const problem = zoneProblem(cfg.region, az);
      if (problem) ctx.addIssue({ code: "custom", path: ["availabilityZones", i], message: problem });
    });
    if (cfg.services.backend.framework === "nextjs") {
      ctx.addIssue({ code: "custom", path: ["services", "backend", "framework"], message: "must be laravel or rails (the backend API)" });
    }
    if (cfg.services.frontend.framework !== "nextjs") {
      ctx.addIssue({ code: "custom", path: ["services", "frontend", "framework"], message: "must be nextjs" });
    }
    if (cfg.routing.mode === "host" && cfg.routing.hostName === cfg.domain.name) {
      ctx.addIssue({
        code: "custom",
        path: ["routing", "hostName"],
        message: `is domain.name itself, where the frontend is served; host routing needs the backend on a host of its own such as "api.${cfg.domain.name}" (add it to domain.alternativeNames too), or use { mode: "path", pathPatterns: ["/api/*"] }`,
      });
    } else if (cfg.routing.mode === "host" && !cfg.domain.alternativeNames.includes(cfg.routing.hostName)) {
      ctx.addIssue({ code: "custom", path: ["routing", "hostName"], message: `must also be listed in domain.alternativeNames so the certificate covers it` });
    }
    const from = cfg.delivery.deployFrom;
    if ("branch" in from && cfg.delivery.workflowBranch !== undefined && cfg.delivery.workflowBranch !== from.branch) {
      ctx.addIssue({ code: "custom", path: ["delivery", "workflowBranch"], message: `must be the deployFrom branch "${from.branch}" (or left out): the role trusts pushes to that branch only` });
    }
    checkIssue14(cfg, ctx);
    for (const { path, message } of workloadProblems(cfg)) ctx.addIssue({ code: "custom", path, message });
    if (cfg.network.natGateways > cfg.availabilityZones.length) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "natGateways"],
        message: `must be at most the number of availability zones (${cfg.availabilityZones.length})`,
      });
    }
  });

/** Cross-setting checks of the issue 14 settings: duplicate egress rules, the mail domain. */
function checkIssue14(
  cfg: { network: { vpcCidr: string }; domain: { name: string }; egress: z.output<typeof egressSchema>; mail?: z.output<typeof mailSchema> },
  ctx: z.RefinementCtx,
): void {
  for (const service of ["backend", "frontend"] as const) {
    const seen = new Map<string, number>();
    cfg.egress[service].forEach((rule, i) => {
      const resolved = resolveEgressRule(rule, cfg.network.vpcCidr);
      if (duplicatesHttpsOut(resolved)) {
        ctx.addIssue({ code: "custom", path: ["egress", service, i], message: "repeats HTTPS (443/tcp) to 0.0.0.0/0, which every service always has; remove it" });
      }
      const id = egressRuleId(resolved);
      if (seen.has(id)) ctx.addIssue({ code: "custom", path: ["egress", service, i], message: `admits the same traffic as egress.${service}[${seen.get(id)}] (same protocol, ports and destination); merge their reasons into one rule` });
      else seen.set(id, i);
    });
  }
  if (cfg.mail) {
    const domain = cfg.mail.domain ?? cfg.domain.name;
    const at = cfg.mail.fromAddress.split("@").pop() ?? "";
    if (at !== domain && !at.endsWith(`.${domain}`)) {
      ctx.addIssue({ code: "custom", path: ["mail", "fromAddress"], message: `must be an address at the SES identity's domain ${domain} (or a subdomain of it); SES refuses to send from other domains` });
    }
  }
}

/** What a configuration file writes (defaults may be left out). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment configuration, with defaults applied. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
