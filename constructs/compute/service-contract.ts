/**
 * The names one service's resources carry, shared by the constructs that create them and by the
 * deploy contract (stacks/deploy-contract.ts) that deploy tools read. Plain names from the naming
 * helper: no construct, no config.
 */
import type { Naming } from "../core/naming";

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

/** The Terraform variable holding a tag-mode service's image tag, e.g. `backend_image_tag`. */
export function imageTagVariable(service: ServiceKey): string {
  return `${service}_image_tag`;
}

export function serviceContract(naming: Naming, key: ServiceKey): ServiceContract {
  return componentContract(naming, key, key);
}

/**
 * The names of a worker's resources (issue 14): its own service, family, container, group and
 * logs; the backend's repository (a worker runs the backend's image).
 */
export function workerContract(naming: Naming, worker: string): ServiceContract {
  return componentContract(naming, `worker-${worker}`, "backend");
}

/** The names of a long-running component's resources, its images from `repository`'s repository. */
function componentContract(naming: Naming, component: string, repository: ServiceKey): ServiceContract {
  return {
    serviceName: naming.name("ecs", component),
    taskFamily: naming.name("ecs", component),
    containerName: component,
    securityGroupName: naming.name("securityGroup", component),
    logGroup: naming.logGroup(`ecs/${component}`),
    logStreamPrefix: "ecs",
    repositoryName: naming.name("ecrRepository", repository),
  };
}
