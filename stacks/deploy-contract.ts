/**
 * The names a deploy tool needs to find an environment's resources in AWS, derived from config
 * with the same naming helper the constructs use. The stacks build these resources with exactly
 * these names, and `npm run deploy` / `npm run exec` look them up by them, so neither depends on
 * Terraform outputs being readable (they are not yet, during the first deploy).
 */
import type { EnvironmentConfig } from "../config/schema";
import { Naming } from "../constructs/core/naming";
import { SUBNET_TIERS } from "../constructs/network/network";
import { ecrRegistryHost } from "../constructs/compute/registry";
import { serviceContract, workerContract, type ServiceContract, type ServiceKey } from "../constructs/compute/service-contract";

// The per-service names live in constructs/service-contract.ts, which constructs read too.
export { SERVICE_KEYS, imageTagVariable, serviceContract, workerContract, type ServiceContract, type ServiceKey } from "../constructs/compute/service-contract";

export interface DeployContract {
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  /** The account's ECR registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registryHost: string;
  readonly clusterName: string;
  readonly services: Readonly<Record<ServiceKey, ServiceContract>>;
  /** The one-off migration task: backend image, network, secrets and roles, migration command. */
  readonly migration: Omit<ServiceContract, "serviceName">;
  /** `Name` tags of the private subnets, where tasks (and the migration) run. */
  readonly privateSubnetNames: readonly string[];
  /** Queue workers by config name (issue 14): rolled out with the backend, same image. @default none */
  readonly workers?: Readonly<Record<string, ServiceContract>>;
  /** Names of the scheduled jobs' EventBridge schedules (issue 14), by config name. @default none */
  readonly schedules?: Readonly<Record<string, string>>;
}

export function deployContract(config: EnvironmentConfig): DeployContract {
  const naming = new Naming(config.project, config.name, config.accountId);
  const { serviceName: _service, ...backend } = serviceContract(naming, "backend");
  return {
    environment: config.name,
    region: config.region,
    accountId: config.accountId,
    registryHost: ecrRegistryHost(config.accountId, config.region),
    clusterName: naming.name("ecs", "cluster"),
    services: { backend: serviceContract(naming, "backend"), frontend: serviceContract(naming, "frontend") },
    migration: { ...backend, taskFamily: naming.name("ecs", "backend-migrate"), logStreamPrefix: "migrate" },
    privateSubnetNames: config.availabilityZones.map((zone) => naming.name("tag", `${SUBNET_TIERS[1]}-${zone.slice(-1)}`)),
    workers: Object.fromEntries(Object.keys(config.workers).map((name) => [name, workerContract(naming, name)])),
    schedules: Object.fromEntries(Object.keys(config.scheduledJobs).map((name) => [name, naming.name("monitoring", `job-${name}`)])),
  };
}

/** The Terraform output with the ARN (family:revision) of the migration task definition the last apply registered. */
export const MIGRATION_TASK_DEFINITION_OUTPUT = "migration_task_definition_arn";
