import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { addEgressRules, type EgressRule } from "../network/egress";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { PropsError } from "../core/errors";
import type { Network } from "../network/network";
import { fargateSizeProblem } from "./fargate";
import { FargateTask, type FargateTaskProps } from "./fargate-task";
import { presetProblems, type Framework } from "./presets";
import type { ServiceContract } from "./service-contract";

/** How a worker scales: on the depth of the queue it consumes, or on its CPU. */
export type WorkerScaling =
  | { readonly metric: "queue"; readonly queueName: string; readonly minCount: number; readonly maxCount: number; readonly scaleOutAtMessages: number }
  | { readonly metric: "cpu"; readonly minCount: number; readonly maxCount: number; readonly targetCpuPercent: number };

export interface WorkerServiceProps extends Omit<FargateTaskProps, "contract" | "sharedTaskRole" | "uploadsBucket" | "taskRoleStatements"> {
  /** Names of the worker's service, task family, container, security group and log group; the repository is the image's. */
  readonly contract: ServiceContract;
  /** Outbound rules beyond HTTPS (the backend's, docs "Outbound traffic"). @default none */
  readonly egressRules?: readonly EgressRule[];
  /** The framework of the image (the backend's): its checks run on `environment` and `secrets`. */
  readonly framework: Framework;
  readonly network: Network;
  /** The command the container runs, e.g. `php artisan queue:work`. */
  readonly command: readonly string[];
  /** The app's identity, shared with the web service it works for (the backend's task role). */
  readonly taskRole: IamRole;
  readonly desiredCount: number;
  /** Run on Fargate Spot. @default false */
  readonly fargateSpot?: boolean;
  /** @default none: `desiredCount` tasks */
  readonly autoscaling?: WorkerScaling;
  /** Resources the service must wait for (the database, the image). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A queue worker (AWS Copilot's Worker Service, CDK's QueueProcessingFargateService): an ECS
 * service with no load balancer and no inbound rule, running the web service's image and secrets
 * as its task role, with its own command, size, log group and execution role. Same deployment
 * safety as a web service: circuit breaker with rollback, ECS Exec, Fargate Spot from config.
 */
export class WorkerService extends FargateTask {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly autoscalingTarget?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    validate(id, props);
    super(scope, id, { ...props, sharedTaskRole: props.taskRole });
    const { naming, contract } = props;

    this.createLogGroup();
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: contract.securityGroupName,
      description: `${contract.containerName} tasks of ${naming.prefix}: no inbound traffic`,
      vpcId: props.network.vpc.id,
      tags: { Name: naming.name("tag", contract.containerName) },
    });
    new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS to AWS APIs (ECR, Secrets Manager, SQS, S3, ECS Exec) and external APIs, through NAT",
    });
    addEgressRules(this, this.securityGroup.id, props.egressRules ?? []);
    this.createRoles();
    this.taskDefinition = this.createTaskDefinition("task-definition", contract.taskFamily, this.containerDefinitions(contract.logStreamPrefix, { portMappings: [], command: [...props.command] }));

    this.service = this.createEcsService(
      props,
      this.taskDefinition,
      this.securityGroup,
      // No load balancer drains a worker: old tasks stop (SIGTERM, then SIGKILL after the stop timeout) once new ones run.
      { deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200 },
    );

    if (props.autoscaling) this.autoscalingTarget = this.createScaling(props, props.autoscaling);
  }

  private createScaling(props: WorkerServiceProps, scaling: WorkerScaling): AppautoscalingTarget {
    const { naming, contract } = props;
    const target = new AppautoscalingTarget(this, "scaling-target", {
      serviceNamespace: "ecs",
      resourceId: `service/${props.cluster.cluster.name}/${this.service.name}`,
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity: scaling.minCount,
      maxCapacity: scaling.maxCount,
    });
    const on = { serviceNamespace: target.serviceNamespace, resourceId: target.resourceId, scalableDimension: target.scalableDimension };
    if (scaling.metric === "cpu") {
      new AppautoscalingPolicy(this, "cpu-scaling", {
        name: naming.name("ecs", `${contract.containerName}-cpu`),
        policyType: "TargetTrackingScaling",
        ...on,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          targetValue: scaling.targetCpuPercent,
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
      return target;
    }
    // Step scaling on the queue's visible messages, the way CDK's QueueProcessingFargateService does it:
    // target tracking needs a per-task metric and cannot wake a service from zero tasks; a depth alarm can.
    const depth = { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: scaling.queueName }, statistic: "Maximum", period: 60 };
    const out = new AppautoscalingPolicy(this, "queue-scale-out", {
      name: naming.name("ecs", `${contract.containerName}-queue-out`),
      policyType: "StepScaling",
      ...on,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        // Bounds are relative to the alarm threshold (scaleOutAtMessages).
        stepAdjustment: [
          { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(scaling.scaleOutAtMessages * 4), scalingAdjustment: 1 },
          { metricIntervalLowerBound: String(scaling.scaleOutAtMessages * 4), scalingAdjustment: 3 },
        ],
      },
    });
    const scaleIn = new AppautoscalingPolicy(this, "queue-scale-in", {
      name: naming.name("ecs", `${contract.containerName}-queue-in`),
      policyType: "StepScaling",
      ...on,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 300,
        metricAggregationType: "Maximum",
        stepAdjustment: [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }],
      },
    });
    new CloudwatchMetricAlarm(this, "queue-backlog", {
      alarmName: naming.name("monitoring", `${contract.containerName}-queue-backlog`),
      alarmDescription: `Scaling trigger (not a page): ${scaling.queueName} has ${scaling.scaleOutAtMessages}+ visible messages; ${contract.serviceName} adds tasks`,
      ...depth,
      evaluationPeriods: 1,
      threshold: scaling.scaleOutAtMessages,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [out.arn],
    });
    new CloudwatchMetricAlarm(this, "queue-empty", {
      alarmName: naming.name("monitoring", `${contract.containerName}-queue-empty`),
      alarmDescription: `Scaling trigger (not a page): ${scaling.queueName} has been empty for 5 minutes; ${contract.serviceName} removes tasks down to ${scaling.minCount}`,
      ...depth,
      evaluationPeriods: 5,
      threshold: 0,
      comparisonOperator: "LessThanOrEqualToThreshold",
      // SQS stops publishing for an idle queue: no data is an empty queue.
      treatMissingData: "breaching",
      alarmActions: [scaleIn.arn],
    });
    return target;
  }
}

function validate(id: string, props: WorkerServiceProps): void {
  const problems: string[] = [];
  const sizeProblem = fargateSizeProblem(props.cpu, props.memoryMiB);
  if (sizeProblem) problems.push(sizeProblem);
  if (!props.command.length) problems.push("command must have at least one word");
  const overlap = Object.keys(props.secrets).filter((name) => name in props.environment);
  if (overlap.length) problems.push(`${overlap.join(", ")} set both as environment and as secrets; set each in one place`);
  const scaling = props.autoscaling;
  if (scaling) {
    if (scaling.minCount > scaling.maxCount) problems.push(`autoscaling minCount ${scaling.minCount} is above maxCount ${scaling.maxCount}`);
    if (scaling.metric === "cpu" && scaling.minCount < 1) problems.push("autoscaling on CPU needs minCount of at least 1: a service at zero tasks has no CPU to scale on");
  }
  problems.push(...presetProblems(props.framework, props.environment, Object.keys(props.secrets)));
  if (problems.length) throw new PropsError(`WorkerService "${id}" (${props.framework}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
