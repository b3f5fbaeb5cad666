/**
 * The typed, validated shape of one environment's configuration.
 *
 * Environment differences are data (trap T13): everything that differs between staging
 * and production is a setting here, never an `if (env === "production")` in a construct.
 * Every rule carries its own message saying what is allowed; `loadEnvironment` adds the
 * environment, the setting and the offending value.
 */
import { z } from "zod";
import { fargateSizeProblem } from "../constructs/fargate";
import { FRAMEWORKS, looksSecret } from "../constructs/presets";
import { RULES } from "../constructs/rules";

const RULE_IDS = RULES.map((r) => r.id);

/** A guardrail rule that does not apply to one resource (or the whole environment), for a written reason. */
const waiverSchema = z.strictObject({
  rule: z.string().refine((id) => RULE_IDS.includes(id), { error: `must be a guardrail rule id: ${RULE_IDS.join(", ")}` }),
  /** Construct path of the resource relative to the stack, or a prefix of it (e.g. "database"). */
  resource: z.string().min(1).optional(),
  reason: z.string().min(20, { error: "must explain why the rule does not apply here (at least 20 characters)" }),
});
const guardrailsSchema = z.strictObject({ waivers: z.array(waiverSchema).default([]) }).default({ waivers: [] });

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const retentionDays = z
  .number()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: `must be one of the CloudWatch Logs retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
  });

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const HOSTNAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;

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
  region: z.string().regex(REGION, { error: "must be an AWS region code such as eu-west-1" }),
});

const int = (min: number, max: number) =>
  z.int({ error: "must be a whole number" }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

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
    cpu: z.int({ error: "must be a whole number" }),
    /** Fargate memory in MiB; must be valid for `cpu`. */
    memoryMiB: z.int({ error: "must be a whole number" }),
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
    if (sizeProblem) ctx.addIssue({ code: "custom", path: ["memoryMiB"], message: sizeProblem });
    for (const name of Object.keys(svc.environment).filter(looksSecret)) {
      ctx.addIssue({ code: "custom", path: ["environment", name], message: "looks like a secret; move it to secrets (Secrets Manager or SSM), never plain environment (T10)" });
    }
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
  /** MySQL 8.0 (minor versions are upgraded automatically). */
  engineVersion: z.string().regex(/^8\.0(\.\d+)?$/, { error: 'must be MySQL 8.0, e.g. "8.0" or "8.0.39"' }).default("8.0"),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an RDS instance class such as db.t4g.micro" }),
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
});

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
    region: z.string().regex(REGION, { error: "must be an AWS region code such as eu-west-1 or us-east-2" }),
    /**
     * The AWS account this environment lives in. Terraform refuses to run against any other account
     * (protects production from a wrong profile), and S3 bucket names end with it (they are global).
     */
    accountId: z.string({ error: "is required: the 12-digit AWS account id of this environment" }).regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id" }),
    /** Availability zones, explicit so that plans need no AWS look-up and never reshuffle. */
    availabilityZones: z
      .array(z.string(), { error: "must be a list of availability zone names" })
      .min(2, { error: "must list at least 2 availability zones (the load balancer and Multi-AZ RDS need two)" })
      .max(4, { error: "must list at most 4 availability zones" })
      .refine((azs) => new Set(azs).size === azs.length, { error: "must not repeat an availability zone" }),
    network: z.strictObject({
      vpcCidr,
      /** NAT gateways: 1 is cheap (staging), one per AZ survives an AZ outage (production). */
      natGateways: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1 (tasks in private subnets need a route out to pull images)" }),
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
        alternativeNames: z.array(z.string().regex(HOSTNAME, { error: "must be a lowercase DNS name" })).default([]),
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
     * recoverable; an environment that is rebuilt freely (staging) sets all three. Guardrail ENV.5
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
    }),
    /** Waivers of guardrail rules for this environment (README "Guardrails"). */
    guardrails: guardrailsSchema,
    /** Waivers of guardrail rules for the bootstrap stack (set once in config/project.ts). */
    bootstrap: z.strictObject({ guardrails: guardrailsSchema }).default({ guardrails: { waivers: [] } }),
    /** Extra tags on every resource, next to Project, Environment and ManagedBy. */
    tags: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((cfg, ctx) => {
    cfg.availabilityZones.forEach((az, i) => {
      if (!new RegExp(`^${cfg.region}[a-z]$`).test(az)) {
        ctx.addIssue({ code: "custom", path: ["availabilityZones", i], message: `must be a zone of region ${cfg.region}, such as ${cfg.region}a` });
      }
    });
    if (cfg.services.backend.framework === "nextjs") {
      ctx.addIssue({ code: "custom", path: ["services", "backend", "framework"], message: "must be laravel or rails (the backend API)" });
    }
    if (cfg.services.frontend.framework !== "nextjs") {
      ctx.addIssue({ code: "custom", path: ["services", "frontend", "framework"], message: "must be nextjs" });
    }
    if (cfg.database.maxAllocatedStorageGiB < cfg.database.allocatedStorageGiB) {
      ctx.addIssue({ code: "custom", path: ["database", "maxAllocatedStorageGiB"], message: `must be at least allocatedStorageGiB (${cfg.database.allocatedStorageGiB})` });
    }
    if (cfg.routing.mode === "host" && !cfg.domain.alternativeNames.includes(cfg.routing.hostName)) {
      ctx.addIssue({ code: "custom", path: ["routing", "hostName"], message: `must also be listed in domain.alternativeNames so the certificate covers it` });
    }
    if (cfg.network.natGateways > cfg.availabilityZones.length) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "natGateways"],
        message: `must be at most the number of availability zones (${cfg.availabilityZones.length})`,
      });
    }
  });

/** What a configuration file writes (defaults may be left out). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment configuration, with defaults applied. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
