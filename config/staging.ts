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
  uploads: { versioned: false, preventDestroy: false },
  registry: { keepImages: 20, untaggedExpiryDays: 3, preventDestroy: false },
  delivery: { deployFrom: { branch: "main" } },
  cluster: { containerInsights: false, execLogRetentionDays: 30 },
};
