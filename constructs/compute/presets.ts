/**
 * Framework presets (trap T2, T7, T8, T10): the environment variables and secrets each framework
 * needs, its health-check defaults and its migration command. A preset is data plus two checks
 * that the web service construct runs on the final container settings.
 */
import { secretName, secretVariables } from "./secret-detection";
import type { TargetHealthCheck } from "../edge/load-balancer";

export const FRAMEWORKS = ["laravel", "rails", "nextjs"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A framework's health check: what the load balancer checks, plus how long ECS lets a new task fail it. */
export interface HealthCheckDefaults extends TargetHealthCheck {
  /** ECS ignores failing load balancer health checks this long after a task starts. */
  readonly gracePeriodSeconds: number;
}

/** Where a secret's value comes from, as ECS `valueFrom` plus the IAM resource the execution role may read. */
export interface SecretSource {
  /** ECS `valueFrom`: a Secrets Manager ARN (optionally `:jsonKey::`) or an SSM parameter ARN. */
  readonly valueFrom: string;
  /** The ARN the execution role gets `GetSecretValue` / `GetParameters` on. */
  readonly resourceArn: string;
  readonly kind: "secretsmanager" | "ssm";
  /**
   * When `resourceArn` is a pattern (the ARN is chosen by AWS), the tag that narrows it to this
   * one secret, as an IAM `ResourceTag` condition. @default none: `resourceArn` is exact
   */
  readonly resourceTag?: { readonly key: string; readonly value: string };
}

/** Values a preset fills in from the rest of the stack. */
export interface PresetContext {
  readonly environmentName: string;
  readonly region: string;
  readonly containerPort: number;
  /** The site's public URL, `https://<domain>`. */
  readonly siteUrl: string;
  /** The public base URL of the backend API (path or host routing). */
  readonly apiUrl: string;
  readonly database?: {
    readonly host: string;
    readonly port: string;
    readonly name: string;
    readonly username: string;
    /** The RDS-managed master secret; ECS reads its `password` key only when there is no `appUser`. */
    readonly masterSecretArn: string;
    /** The application's own database user (README "Operations"): DB_USERNAME and DB_PASSWORD come from its secret. */
    readonly appUser?: { readonly username: SecretSource; readonly password: SecretSource };
    /**
     * What IAM may read, known from config: RDS names its managed secrets `rds!db-*` and tags
     * them `aws:rds:primaryDBInstanceArn` with the instance ARN.
     */
    readonly masterSecretScope: { readonly arnPattern: string; readonly instanceArn: string };
  };
  readonly uploadsBucketName?: string;
  /** The environment's SQS queue (issue 14), for the backend and its workers. @default none */
  readonly queue?: { readonly name: string; readonly url: string; readonly region: string };
  /** The app secrets this stack created, by variable name (e.g. APP_KEY). */
  readonly appSecrets: Readonly<Record<string, SecretSource>>;
  // --- issue 14: cache, mail, Service Connect (README "Framework presets") ---
  /** The ElastiCache replication group (TLS, AUTH token in Secrets Manager). @default no cache */
  readonly cache?: { readonly host: string; readonly port: number; readonly authToken: SecretSource };
  /** Mail through Amazon SES from this address. @default the framework's own mail settings */
  readonly mail?: { readonly fromAddress: string };
  /** The backend's URL inside the VPC (ECS Service Connect), for server-side calls. @default none */
  readonly backendInternalUrl?: string;
}

/** Laravel: cache and sessions in the cache over TLS, mail through SES (config/database.php must read REDIS_SCHEME). */
function laravelCacheAndMail(ctx: PresetContext): Record<string, string> {
  return {
    ...(ctx.cache
      ? { REDIS_HOST: ctx.cache.host, REDIS_PORT: String(ctx.cache.port), REDIS_SCHEME: "tls", CACHE_STORE: "redis", SESSION_DRIVER: "redis" }
      : {}),
    ...(ctx.mail ? { MAIL_MAILER: "ses", MAIL_FROM_ADDRESS: ctx.mail.fromAddress } : {}),
  };
}

/** Rails: REDIS_URL without credentials (rediss:// is TLS); the password is REDIS_PASSWORD, a secret. */
function railsCacheAndMail(ctx: PresetContext): Record<string, string> {
  return {
    ...(ctx.cache ? { REDIS_URL: `rediss://${ctx.cache.host}:${ctx.cache.port}` } : {}),
    ...(ctx.mail ? { ACTION_MAILER_DELIVERY_METHOD: "ses_v2", MAIL_FROM: ctx.mail.fromAddress } : {}),
  };
}

/** The cache's AUTH token, never a plain variable (T10). */
function cacheSecrets(ctx: PresetContext): Record<string, SecretSource> {
  return ctx.cache ? { REDIS_PASSWORD: ctx.cache.authToken } : {};
}

export interface FrameworkPreset {
  readonly framework: Framework;
  /** Secrets Manager secrets the stack creates for this framework (values set by you, never in code). */
  readonly appSecrets: readonly string[];
  /** Variables (plain or secret) that must be set for the app to use MySQL rather than a silent fallback. */
  readonly databaseVariables: readonly string[];
  /** Plain variables that must have exactly this value (e.g. Laravel's DB_CONNECTION=mysql, not sqlite). */
  readonly requiredValues: Readonly<Record<string, readonly string[]>>;
  readonly healthCheck: HealthCheckDefaults;
  /** Command of the one-off migration task, when the framework has one. */
  readonly migrationCommand?: readonly string[];
  /** Default command of a queue worker (config `workers.<name>.command`). @default none: the worker must set one */
  readonly workerCommand?: readonly string[];
  /** Default command and schedule of a scheduled job (config `scheduledJobs.<name>`). @default none */
  readonly scheduledJob?: { readonly command: readonly string[]; readonly schedule: string };
  environment(ctx: PresetContext): Record<string, string>;
  secrets(ctx: PresetContext): Record<string, SecretSource>;
}

const HEALTH_BASE = { matcher: "200", intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 };

function databaseEnvironment(ctx: PresetContext): Record<string, string> {
  if (!ctx.database) return {};
  const base = { DB_HOST: ctx.database.host, DB_PORT: ctx.database.port, DB_DATABASE: ctx.database.name };
  return ctx.database.appUser ? base : { ...base, DB_USERNAME: ctx.database.username };
}

function secretsManager(arn: string, jsonKey?: string): SecretSource {
  return { valueFrom: jsonKey ? `${arn}:${jsonKey}::` : arn, resourceArn: arn, kind: "secretsmanager" };
}

function commonSecrets(ctx: PresetContext, appSecrets: readonly string[]): Record<string, SecretSource> {
  const secrets: Record<string, SecretSource> = {};
  if (ctx.database?.appUser) {
    secrets.DB_USERNAME = ctx.database.appUser.username;
    secrets.DB_PASSWORD = ctx.database.appUser.password;
  } else if (ctx.database) {
    const { masterSecretArn, masterSecretScope } = ctx.database;
    secrets.DB_PASSWORD = {
      ...secretsManager(masterSecretArn, "password"),
      resourceArn: masterSecretScope.arnPattern,
      resourceTag: { key: "aws:rds:primaryDBInstanceArn", value: masterSecretScope.instanceArn },
    };
  }
  for (const name of appSecrets) {
    const source = ctx.appSecrets[name];
    if (source) secrets[name] = source;
  }
  return secrets;
}

const DB_VARIABLES = ["DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD"];

export const PRESETS: Readonly<Record<Framework, FrameworkPreset>> = {
  laravel: {
    framework: "laravel",
    appSecrets: ["APP_KEY"],
    databaseVariables: ["DB_CONNECTION", ...DB_VARIABLES],
    requiredValues: { DB_CONNECTION: ["mysql", "mariadb"] },
    // Laravel 11+ ships a /up health route.
    healthCheck: { ...HEALTH_BASE, path: "/up", gracePeriodSeconds: 60 },
    migrationCommand: ["php", "artisan", "migrate", "--force"],
    // Exits after an hour so a new deploy's code is picked up and memory leaks stay bounded; ECS starts the next one.
    workerCommand: ["php", "artisan", "queue:work", "--sleep=3", "--tries=3", "--max-time=3600"],
    // Laravel's scheduler is one cron entry every minute; the app's routes/console.php says what is due.
    scheduledJob: { command: ["php", "artisan", "schedule:run"], schedule: "rate(1 minute)" },
    environment: (ctx) => ({
      APP_ENV: ctx.environmentName,
      APP_DEBUG: "false",
      APP_URL: ctx.siteUrl,
      LOG_CHANNEL: "stderr",
      DB_CONNECTION: "mysql",
      ...databaseEnvironment(ctx),
      ...(ctx.uploadsBucketName ? { FILESYSTEM_DISK: "s3", AWS_BUCKET: ctx.uploadsBucketName } : {}),
      AWS_DEFAULT_REGION: ctx.region,
      ...laravelCacheAndMail(ctx),
      // config/queue.php's sqs connection: prefix + queue name is the queue URL; credentials from the task role.
      ...(ctx.queue ? { QUEUE_CONNECTION: "sqs", SQS_PREFIX: ctx.queue.url.slice(0, ctx.queue.url.lastIndexOf("/")), SQS_QUEUE: ctx.queue.name } : {}),
    }),
    secrets: (ctx) => ({ ...commonSecrets(ctx, ["APP_KEY"]), ...cacheSecrets(ctx) }),
  },
  rails: {
    framework: "rails",
    appSecrets: ["SECRET_KEY_BASE"],
    databaseVariables: DB_VARIABLES,
    requiredValues: {},
    // Rails 7.1+ ships a /up health route (rails/health#show).
    healthCheck: { ...HEALTH_BASE, path: "/up", gracePeriodSeconds: 90 },
    migrationCommand: ["bin/rails", "db:migrate"],
    environment: (ctx) => ({
      // Staging runs Rails in its production mode; the difference is data (config), not a Rails environment.
      RAILS_ENV: "production",
      RAILS_LOG_TO_STDOUT: "enabled",
      RAILS_SERVE_STATIC_FILES: "enabled",
      PORT: String(ctx.containerPort),
      APP_ENV: ctx.environmentName,
      ...databaseEnvironment(ctx),
      ...(ctx.uploadsBucketName ? { AWS_BUCKET: ctx.uploadsBucketName } : {}),
      AWS_REGION: ctx.region,
      ...railsCacheAndMail(ctx),
      // Active Job on SQS (aws-activejob-sqs or Shoryuken) reads the queue from these; no Rails default names them.
      ...(ctx.queue ? { SQS_QUEUE_URL: ctx.queue.url, SQS_QUEUE_NAME: ctx.queue.name } : {}),
    }),
    secrets: (ctx) => ({ ...commonSecrets(ctx, ["SECRET_KEY_BASE"]), ...cacheSecrets(ctx) }),
  },
  nextjs: {
    framework: "nextjs",
    appSecrets: [],
    databaseVariables: [],
    requiredValues: {},
    healthCheck: { ...HEALTH_BASE, path: "/", matcher: "200-399", gracePeriodSeconds: 30 },
    environment: (ctx) => ({
      NODE_ENV: "production",
      PORT: String(ctx.containerPort),
      // The standalone server binds to HOSTNAME; the container's own hostname would not be reachable.
      HOSTNAME: "0.0.0.0",
      API_URL: ctx.apiUrl,
      NEXT_PUBLIC_API_URL: ctx.apiUrl,
      NEXT_PUBLIC_SITE_URL: ctx.siteUrl,
      // Server-side calls only: the browser keeps NEXT_PUBLIC_API_URL.
      ...(ctx.backendInternalUrl ? { BACKEND_INTERNAL_URL: ctx.backendInternalUrl } : {}),
    }),
    secrets: () => ({}),
  },
};

/** True when an environment variable name looks like it carries a secret (trap T10); see constructs/secret-detection.ts. */
export const looksSecret = secretName;

/**
 * Problems with a container's final settings for its framework:
 * secret-looking plain variables (T10) and missing or wrong database variables (T2).
 */
export function presetProblems(framework: Framework, environment: Readonly<Record<string, string>>, secretNames: readonly string[]): string[] {
  const preset = PRESETS[framework];
  const problems: string[] = [];
  for (const { name, why } of secretVariables(environment)) {
    problems.push(`environment variable ${name} looks like a secret (${why}); move it to "secrets" (a Secrets Manager secret or SSM SecureString parameter), never plain environment`);
  }
  const missing = preset.databaseVariables.filter((name) => !environment[name] && !secretNames.includes(name));
  if (missing.length) {
    problems.push(
      `${framework} uses the database but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set; without them it would silently fall back to another database (e.g. SQLite). Give the service the database, or set them`,
    );
  }
  for (const [name, allowed] of Object.entries(preset.requiredValues)) {
    const value = environment[name];
    if (value !== undefined && !allowed.includes(value)) {
      problems.push(`${name} is "${value}"; ${framework} on this platform needs one of: ${allowed.join(", ")}`);
    }
  }
  return problems;
}
