import { project } from "./project";
import type { EnvironmentInput } from "./schema";

/** Staging: same shape as production, sized and protected for cost (trap T13). */
export const staging: EnvironmentInput = {
  ...project,
  name: "staging",
  region: "eu-west-1",
  /** Placeholder: replace with your account id (README "Configuration reference"). */
  accountId: "111111111111",
  availabilityZones: ["eu-west-1a", "eu-west-1b"],
  network: {
    vpcCidr: "10.20.0.0/16",
    natGateways: 1,
    flowLogs: { enabled: false, retentionDays: 14 },
  },
  domain: {
    name: "staging.example.com",
    hostedZoneId: "Z0000000000000STAGING",
  },
  routing: { mode: "path", pathPatterns: ["/api/*"] },
  loadBalancer: {
    deletionProtection: false,
    accessLogs: { enabled: false, retentionDays: 30 },
  },
  services: {
    backend: {
      framework: "laravel",
      containerPort: 8000,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 1,
      fargateSpot: true,
      logRetentionDays: 30,
      image: { source: "tag", tag: "v0.1.0" },
    },
    frontend: {
      framework: "nextjs",
      containerPort: 3000,
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 1,
      fargateSpot: true,
      logRetentionDays: 30,
      image: { source: "tag", tag: "v0.1.0" },
    },
  },
  database: {
    /**
     * Created on 8.0 before 8.4 was the default: pinned so that no plan upgrades it unasked. 8.0 is past
     * RDS standard support (the preview warns); upgrade staging first (README "Operations": upgrading MySQL).
     */
    engineVersion: "8.0",
    instanceClass: "db.t4g.micro",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    backupRetentionDays: 1,
    deletionProtection: false,
    finalSnapshot: false,
    preventDestroy: false,
    logRetentionDays: 30,
  },
  /** Staging alarms go to a quiet topic without subscribers (visible on the dashboard); subscribe a chat channel if wanted. */
  monitoring: {
    thresholds: { p95ResponseSeconds: 3, databaseConnections: 60, databaseFreeableMemoryMiB: 64 },
  },
  uploads: { versioned: false, preventDestroy: false },
  registry: { keepImages: 20, untaggedExpiryDays: 3, preventDestroy: false },
  delivery: { deployFrom: { branch: "main" } },
  /**
   * Issue 14: Laravel's queue on SQS, one queue worker (php artisan queue:work, scaled on the queue's
   * depth) and two scheduled jobs: Laravel's scheduler every minute (the preset's default) and a
   * nightly job at 03:00 Japan time (docs/configuration.md "Workers, scheduled jobs and the queue").
   */
  queue: {},
  workers: { default: { desiredCount: 1, autoscaling: { minCount: 1, maxCount: 3 } } },
  scheduledJobs: {
    scheduler: {},
    "nightly-report": { command: ["php", "artisan", "report:nightly"], schedule: "cron(0 3 * * ? *)", timeZone: "Asia/Tokyo" },
  },
  cluster: { containerInsights: false, execLogRetentionDays: 30 },
  /** Staging is destroyed and rebuilt freely: nothing it holds must survive a destroy (README "Tearing down an environment"). */
  teardown: { secretRecoveryWindowDays: 0, forceDeleteImages: true, forceDestroyBuckets: true },
  /** Where staging may differ from the production baseline, each with its reason (README "Guardrails"). */
  guardrails: {
    waivers: [
      { rule: "ECS.5", reason: "Laravel writes compiled views and caches under storage/ and bootstrap/cache, Next.js writes .next/cache" },
      { rule: "ECS.12", reason: "staging: Container Insights costs extra; the default ECS service metrics are enough here" },
      { rule: "ELB.5", resource: "load-balancer/alb", reason: "staging: no access logs, to save cost; production keeps them" },
      { rule: "ELB.6", resource: "load-balancer/alb", reason: "staging is torn down and rebuilt freely" },
      { rule: "RDS.5", resource: "database", reason: "staging: single-AZ database for cost; production is Multi-AZ" },
      { rule: "RDS.8", resource: "database", reason: "staging: the database may be deleted and recreated from migrations" },
      { rule: "RDS.11", resource: "database", reason: "staging: one day of backups; its data can be recreated" },
      { rule: "S3.9", reason: "no consumer for S3 server access logs; object-level audit belongs in CloudTrail data events" },
      { rule: "EC2.6", resource: "network/vpc", reason: "staging: flow logs off for cost; production has them" },
      { rule: "ENV.1", reason: "staging: database, uploads and image repositories may be destroyed with the environment" },
      { rule: "ENV.2", resource: "database", reason: "staging: no final snapshot; its data can be recreated" },
      { rule: "ENV.6", reason: "staging is destroyed and rebuilt the same day: its secrets, images and uploads go with it" },
      { rule: "ENV.3", reason: "staging runs one task per service on Fargate Spot for cost; production runs at least two" },
      { rule: "OPS.2", reason: "staging: alarms change state and show on the dashboard but page nobody; production pages" },
    ],
  },
};
