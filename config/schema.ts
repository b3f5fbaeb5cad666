/**
 * The typed, validated shape of one environment's configuration.
 *
 * Environment differences are data (trap T13): everything that differs between staging
 * and production is a setting here, never an `if (env === "production")` in a construct.
 * Every rule carries its own message saying what is allowed; `loadEnvironment` adds the
 * environment, the setting and the offending value.
 */
import { z } from "zod";

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
    }),
    domain: z.strictObject(
      {
        /** The site's host name, e.g. `app.example.com`. */
        name: z.string({ error: "is required: the site's host name, e.g. app.example.com" }).regex(HOSTNAME, { error: "must be a lowercase DNS name such as app.example.com" }),
        /** Route53 hosted zone id that serves `name` (see README: "Domain and hosted zone"). */
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
      },
      { error: "is required: { name, hostedZoneId }" },
    ),
    state: stateSchema,
    /** Extra tags on every resource, next to Project, Environment and ManagedBy. */
    tags: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((cfg, ctx) => {
    cfg.availabilityZones.forEach((az, i) => {
      if (!new RegExp(`^${cfg.region}[a-z]$`).test(az)) {
        ctx.addIssue({ code: "custom", path: ["availabilityZones", i], message: `must be a zone of region ${cfg.region}, such as ${cfg.region}a` });
      }
    });
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
