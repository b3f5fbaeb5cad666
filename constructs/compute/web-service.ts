import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { Cluster } from "./cluster";
import { fargateSizeProblem } from "./fargate";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import type { ServiceContract } from "./service-contract";
import { FargateTask, type CpuArchitecture } from "./fargate-task";
import { presetProblems, type Framework, type SecretSource } from "./presets";
import type { Registry } from "./registry";
import { PropsError } from "../core/errors";
import { addEgressRules, type EgressRule } from "../network/egress";
import { serviceConnectConfiguration, serviceConnectPortMapping, type ServiceConnectSettings } from "./service-connect";

export type { CpuArchitecture } from "./fargate-task";

export interface WebServiceProps {
  readonly naming: Naming;
  /** Names of the service, task family, container, security group, log group and repository. */
  readonly contract: ServiceContract;
  /** Framework preset the settings were built from; its checks run on `environment` and `secrets`. */
  readonly framework: Framework;
  readonly region: string;
  readonly accountId: string;
  readonly network: Network;
  readonly cluster: Cluster;
  readonly registry: Registry;
  /** Full image reference: `<repositoryUrl>:<tag>` or `<repositoryUrl>@sha256:<digest>`. */
  readonly image: string;
  /** The one port the container listens on (T8): port mapping, target group, security group rule. */
  readonly containerPort: number;
  /** Fargate CPU units; with `memoryMiB` one of the pairs Fargate accepts. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Task runtime platform; must match the image's platform (T6). @default "X86_64" */
  readonly cpuArchitecture?: CpuArchitecture;
  readonly desiredCount: number;
  /** @default 100 */
  readonly minHealthyPercent?: number;
  /** @default 200 */
  readonly maxPercent?: number;
  /** Run on Fargate Spot instead of Fargate. @default false */
  readonly fargateSpot?: boolean;
  /** Target tracking on average CPU; Terraform then leaves `desired_count` to the scaler. @default none */
  readonly autoscaling?: { readonly minCount: number; readonly maxCount: number; readonly targetCpuPercent: number };
  /** Read-only root filesystem (Security Hub ECS.5). @default false */
  readonly readonlyRootFilesystem?: boolean;
  /** Seconds ECS ignores load balancer health checks after a task starts (T7). */
  readonly healthCheckGracePeriodSeconds: number;
  readonly logRetentionDays: number;
  /** Final plain variables (no secrets: checked). */
  readonly environment: Readonly<Record<string, string>>;
  /** Final secrets, injected by ECS from Secrets Manager / SSM at start (T10). */
  readonly secrets: Readonly<Record<string, SecretSource>>;
  /** Where the load balancer sends this service's traffic. */
  readonly loadBalancer: { readonly securityGroup: SecurityGroup; readonly targetGroup: LbTargetGroup };
  /** The uploads bucket; the task role may read and write it. @default no S3 access */
  readonly uploadsBucket?: S3Bucket;
  /** More permissions of the task role: the environment's queue, sending mail through SES. @default none */
  readonly taskRoleStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /** Creates a one-off migration task definition running this command (T11). @default none */
  readonly migration?: { readonly command: readonly string[]; readonly contract: Omit<ServiceContract, "serviceName"> };
  /** Permissions boundary of the task and execution roles. @default none */
  readonly permissionsBoundaryArn?: string;
  /** CloudWatch alarms that roll a deployment back when one fires (ECS deployment alarms). @default none */
  readonly deploymentAlarmNames?: readonly string[];
  /** Resources the service must wait for, e.g. the database (T9) and the listener rule. @default none */
  readonly dependsOn?: ITerraformDependable[];
  /** Outbound rules beyond HTTPS, each its own security group rule (docs "Outbound traffic"). @default none */
  readonly egressRules?: readonly EgressRule[];
  /** Join the environment's Service Connect namespace, as a client or a server (README "Service Connect"). @default off */
  readonly serviceConnect?: ServiceConnectSettings;
}

/**
 * One web-facing ECS Fargate service: task definition, service, security group, log group, and two
 * IAM roles with distinct jobs (T4): the execution role lets ECS pull the image, write logs and read
 * exactly this task's secrets; the task role is the app's own identity (its bucket, ECS Exec).
 * The log group, roles and task definitions come from the shared base, {@link FargateTask}.
 */
export class WebService extends FargateTask {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly migrationTaskDefinition?: EcsTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly autoscalingTarget?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    validate(id, props);
    super(scope, id, props);
    const { naming, contract } = props;

    this.createLogGroup();

    this.securityGroup = this.createSecurityGroup(props);

    this.createRoles();

    const tasks = this.createTaskDefinitions(props);
    this.taskDefinition = tasks.service;
    this.migrationTaskDefinition = tasks.migration;

    this.service = this.createService(props);

    if (props.autoscaling) {
      this.autoscalingTarget = new AppautoscalingTarget(this, "scaling-target", {
        serviceNamespace: "ecs",
        resourceId: `service/${props.cluster.cluster.name}/${this.service.name}`,
        scalableDimension: "ecs:service:DesiredCount",
        minCapacity: props.autoscaling.minCount,
        maxCapacity: props.autoscaling.maxCount,
      });
      new AppautoscalingPolicy(this, "cpu-scaling", {
        name: naming.name("ecs", `${contract.containerName}-cpu`),
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.autoscalingTarget.serviceNamespace,
        resourceId: this.autoscalingTarget.resourceId,
        scalableDimension: this.autoscalingTarget.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          targetValue: props.autoscaling.targetCpuPercent,
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
    }
  }

  /** The service's own group: its port from the load balancer only, HTTPS out (through NAT). */
  private createSecurityGroup(props: WebServiceProps): SecurityGroup {
    const { naming, contract } = props;
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: contract.securityGroupName,
      // A description change replaces the group, and AWS cannot delete a group running tasks use:
      // nothing a user changes (the port is in the ingress rule, updated in place) may appear here.
      description: `${contract.containerName} tasks of ${naming.prefix}: service port from the load balancer only`,
      vpcId: props.network.vpc.id,
      tags: { Name: naming.name("tag", contract.containerName) },
      // Groups created before this description (it named the port) keep theirs: changing it would
      // replace, delete-first, the group running tasks use.
      lifecycle: { ignoreChanges: ["description"] },
    });
    new VpcSecurityGroupIngressRule(this, "from-load-balancer", {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: props.loadBalancer.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      description: `${contract.containerName} port from the load balancer`,
    });
    new VpcSecurityGroupEgressRule(this, "load-balancer-to-service", {
      securityGroupId: props.loadBalancer.securityGroup.id,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      description: `To ${contract.containerName} tasks`,
    });
    new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS to AWS APIs (ECR, Secrets Manager, S3, ECS Exec) and external APIs, through NAT",
    });
    addEgressRules(this, securityGroup.id, props.egressRules ?? []);
    return securityGroup;
  }

  /** The service's task definition and, for the backend, the migration's (same image, roles and secrets). */
  private createTaskDefinitions(props: WebServiceProps): { service: EcsTaskDefinition; migration?: EcsTaskDefinition } {
    const { contract } = props;
    const service = this.createTaskDefinition(
      "task-definition",
      contract.taskFamily,
      this.containerDefinitions(contract.logStreamPrefix, {
        portMappings: [{ containerPort: props.containerPort, hostPort: props.containerPort, protocol: "tcp", ...serviceConnectPortMapping(props.serviceConnect) }],
      }),
    );
    const migration = props.migration &&
      this.createTaskDefinition(
        "migration-task-definition",
        props.migration.contract.taskFamily,
        this.containerDefinitions(props.migration.contract.logStreamPrefix, { portMappings: [], command: [...props.migration.command] }),
      );
    return { service, migration };
  }

  /** The ECS service: private subnets, behind its target group, rolled back by the circuit breaker and its alarms. */
  private createService(props: WebServiceProps): EcsService {
    const { contract } = props;
    return this.createEcsService(
      props,
      this.taskDefinition,
      this.securityGroup,
      {
        loadBalancer: [{ targetGroupArn: props.loadBalancer.targetGroup.arn, containerName: contract.containerName, containerPort: props.containerPort }],
        healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
        alarms: props.deploymentAlarmNames?.length ? { alarmNames: [...props.deploymentAlarmNames], enable: true, rollback: true } : undefined,
        deploymentMinimumHealthyPercent: props.minHealthyPercent ?? 100,
        deploymentMaximumPercent: props.maxPercent ?? 200,
        serviceConnectConfiguration: props.serviceConnect ? serviceConnectConfiguration(props.serviceConnect, props.containerPort) : undefined,
      },
    );
  }

}

function validate(id: string, props: WebServiceProps): void {
  const problems: string[] = [];
  const sizeProblem = fargateSizeProblem(props.cpu, props.memoryMiB);
  if (sizeProblem) problems.push(sizeProblem);
  if (!Number.isInteger(props.containerPort) || props.containerPort < 1 || props.containerPort > 65535) {
    problems.push(`containerPort must be a whole number from 1 to 65535; got ${props.containerPort}`);
  }
  if (props.environment.PORT !== undefined && props.environment.PORT !== String(props.containerPort)) {
    problems.push(`environment PORT is ${props.environment.PORT} but containerPort is ${props.containerPort}; they must be the same port (T8)`);
  }
  const overlap = Object.keys(props.secrets).filter((name) => name in props.environment);
  if (overlap.length) problems.push(`${overlap.join(", ")} set both as environment and as secrets; set each in one place`);
  problems.push(...presetProblems(props.framework, props.environment, Object.keys(props.secrets)));
  if (problems.length) {
    throw new PropsError(`WebService "${id}" (${props.framework}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
