import { project } from "./project";
import type { EnvironmentInput } from "./schema";

/** Production: one NAT gateway per zone, Multi-AZ, autoscaling, every data protection on. */
export const production: EnvironmentInput = {
  ...project,
  name: "production",
  region: "eu-west-1",
  /** Placeholder: replace with your account id; every environment lives in the same account (README "Configuration reference"). */
  accountId: "111111111111",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  network: {
    vpcCidr: "10.10.0.0/16",
    natGateways: 3,
    flowLogs: { enabled: true, retentionDays: 365 },
  },
  domain: {
    name: "www.example.com",
    hostedZoneId: "Z00000000000000PRODUCT",
  },
  routing: { mode: "path", pathPatterns: ["/api/*"] },
  loadBalancer: {
    deletionProtection: true,
    accessLogs: { enabled: true, retentionDays: 90 },
  },
  services: {
    backend: {
      framework: "laravel",
      containerPort: 8000,
      cpu: 1024,
      memoryMiB: 2048,
      desiredCount: 2,
      autoscaling: { minCount: 2, maxCount: 6, targetCpuPercent: 60 },
      logRetentionDays: 365,
      image: { source: "tag", tag: "v0.1.0" },
    },
    frontend: {
      framework: "nextjs",
      containerPort: 3000,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 2,
      autoscaling: { minCount: 2, maxCount: 6, targetCpuPercent: 60 },
      logRetentionDays: 365,
      image: { source: "tag", tag: "v0.1.0" },
    },
  },
  database: {
    /**
     * Created on 8.0 before 8.4 was the default: pinned so that no plan upgrades it unasked. 8.0 is past
     * RDS standard support (the preview warns); upgrade after staging (README "Operations": upgrading MySQL).
     */
    engineVersion: "8.0",
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    backupRetentionDays: 14,
    deletionProtection: true,
    finalSnapshot: true,
    preventDestroy: true,
    logRetentionDays: 365,
  },
  /** Placeholder address: replace with the on-call list (README "Operations"); AWS asks it to confirm the subscription. */
  monitoring: {
    subscribers: [{ email: "ops@example.com" }],
    thresholds: { databaseConnections: 250 },
  },
  uploads: { versioned: true, preventDestroy: true },
  registry: { keepImages: 50, untaggedExpiryDays: 7, preventDestroy: true },
  delivery: { deployFrom: { environment: "production" }, promoteFrom: "staging" },
  cluster: { containerInsights: true, execLogRetentionDays: 365 },
  /** Usage assumptions of the cost estimate where production differs from the defaults (README "Monthly cost estimate"). */
  cost: { requestsPerMonth: 10_000_000, natDataGiBPerMonth: 100, logIngestGiBPerGroupPerMonth: 3 },
  /** Where production departs from a guardrail, each with its reason (README "Guardrails"). */
  guardrails: {
    waivers: [
      { rule: "ECS.5", reason: "Laravel writes compiled views and caches under storage/ and bootstrap/cache, Next.js writes .next/cache" },
      { rule: "S3.9", reason: "no consumer for S3 server access logs; object-level audit belongs in CloudTrail data events" },
    ],
  },
};
