/**
 * The names a deploy tool needs to find an environment's resources in AWS, derived from config
 * with the same naming helper the constructs use. The stacks build these resources with exactly
 * these names, and `npm run deploy` / `npm run exec` look them up by them, so neither depends on
 * Terraform outputs being readable (they are not yet, during the first deploy).
 */
import type { EnvironmentConfig } from "../config/schema";
import { Naming } from "../constructs/naming";
import { SUBNET_TIERS } from "../constructs/network";
import { ecrRegistryHost } from "../constructs/registry";

/** The two services every environment runs. */
export const SERVICE_KEYS = ["backend", "frontend"] as const;
export type ServiceKey = (typeof SERVICE_KEYS)[number];

export interface ServiceContract {
  /** ECS service name. */
  readonly serviceName: string;
  /** Task definition family of the service. */
  readonly taskFamily: string;
  /** Name of the application container in the task definition. */
  readonly containerName: string;
  /** Security group of the service's tasks. */
  readonly securityGroupName: string;
  /** CloudWatch log group of the service's containers. */
  readonly logGroup: string;
  /** awslogs stream prefix: streams are `<prefix>/<containerName>/<taskId>`. */
  readonly logStreamPrefix: string;
  /** ECR repository name. */
  readonly repositoryName: string;
}

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
}

/** The Terraform variable holding a tag-mode service's image tag, e.g. `backend_image_tag`. */
export function imageTagVariable(service: ServiceKey): string {
  return `${service}_image_tag`;
}

export function serviceContract(naming: Naming, key: ServiceKey): ServiceContract {
  return {
    serviceName: naming.name("ecs", key),
    taskFamily: naming.name("ecs", key),
    containerName: key,
    securityGroupName: naming.name("securityGroup", key),
    logGroup: naming.logGroup(`ecs/${key}`),
    logStreamPrefix: "ecs",
    repositoryName: naming.name("ecrRepository", key),
  };
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
  };
}

/** The Terraform output with the ARN (family:revision) of the migration task definition the last apply registered. */
export const MIGRATION_TASK_DEFINITION_OUTPUT = "migration_task_definition_arn";
