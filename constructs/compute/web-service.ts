import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import type { Cluster } from "./cluster";
import { fargateSizeProblem } from "./fargate";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import type { ServiceContract } from "./service-contract";
import { presetProblems, type Framework, type SecretSource } from "./presets";
import type { Registry } from "./registry";
import { PropsError } from "../core/errors";
import { addEgressRules, type EgressRule } from "../network/egress";
import { serviceConnectConfiguration, serviceConnectPortMapping, type ServiceConnectSettings } from "./service-connect";

export type CpuArchitecture = "X86_64" | "ARM64";

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
  /** Creates a one-off migration task definition running this command (T11). @default none */
  readonly migration?: { readonly command: readonly string[]; readonly contract: Omit<ServiceContract, "serviceName"> };
  /** Permissions boundary of the task and execution roles. @default none */
  readonly permissionsBoundaryArn?: string;
  /** CloudWatch alarms that roll a deployment back when one fires (ECS deployment alarms). @default none */
  readonly deploymentAlarmNames?: readonly string[];
  /** Resources the service must wait for, e.g. the database (T9) and the listener rule. @default none */
  readonly dependsOn?: ITerraformDependable[];
  // --- issue 14: outbound rules, extra task role permissions, Service Connect (same props serve workers) ---
  /** Outbound rules beyond HTTPS, each its own security group rule (README "Outbound traffic"). @default none */
  readonly egressRules?: readonly EgressRule[];
  /** More statements for the task role, e.g. sending mail through SES (README "Mail"). @default none */
  readonly taskRoleStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /** Join the environment's Service Connect namespace, as a client or a server (README "Service Connect"). @default off */
  readonly serviceConnect?: ServiceConnectSettings;
}

/**
 * One web-facing ECS Fargate service: task definition, service, security group, log group, and two
 * IAM roles with distinct jobs (T4): the execution role lets ECS pull the image, write logs and read
 * exactly this task's secrets; the task role is the app's own identity (its bucket, ECS Exec).
 */
export class WebService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly migrationTaskDefinition?: EcsTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly autoscalingTarget?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    validate(id, props);
    const { naming, contract } = props;
    const architecture = props.cpuArchitecture ?? "X86_64";

    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: contract.logGroup, retentionInDays: props.logRetentionDays });

    this.securityGroup = this.createSecurityGroup(props);

    const roles = this.createRoles(props);
    this.executionRole = roles.executionRole;
    this.taskRole = roles.taskRole;

    const tasks = this.createTaskDefinitions(props, roles, architecture);
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

  /** The execution role (pull, logs, the task's secrets) and the task role (ECS Exec, the uploads bucket). */
  private createRoles(props: WebServiceProps): { executionRole: IamRole; taskRole: IamRole } {
    const { naming, contract } = props;
    // ARNs from config, not from resource attributes: a change to the repository or log group
    // (e.g. its retention) must not turn the role's policy into "known after apply".
    const arnBase = (service: string) => `arn:${partitionOf(props.region)}:${service}:${props.region}:${props.accountId}`;
    const logGroupArn = (name: string) => `${arnBase("logs")}:log-group:${name}:*`;
    const executionRole = this.role("execution-role", naming.name("iamRole", `${contract.containerName}-execution`), props, [
      { sid: "EcrAuth", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { sid: "EcrPull", actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [`${arnBase("ecr")}:repository/${contract.repositoryName}`] },
      { sid: "Logs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroupArn(contract.logGroup)] },
      ...secretStatements(props.secrets),
    ]);

    const taskRole = this.role("task-role", naming.name("iamRole", `${contract.containerName}-task`), props, [
      {
        sid: "EcsExecChannels",
        actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        resources: ["*"],
      },
      { sid: "EcsExecLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [logGroupArn(props.cluster.execLogGroup.name)] },
      { sid: "EcsExecLogGroups", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
      ...(props.uploadsBucket
        ? [
            { sid: "UploadsList", actions: ["s3:ListBucket"], resources: [props.uploadsBucket.arn] },
            { sid: "UploadsObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${props.uploadsBucket.arn}/*`] },
          ]
        : []),
      ...(props.taskRoleStatements ?? []),
    ]);
    return { executionRole, taskRole };
  }

  /** The service's task definition and, for the backend, the migration's (same image, roles and secrets). */
  private createTaskDefinitions(
    props: WebServiceProps,
    roles: { executionRole: IamRole; taskRole: IamRole },
    architecture: string,
  ): { service: EcsTaskDefinition; migration?: EcsTaskDefinition } {
    const { contract } = props;
    // Emitted in the form ECS returns it (DescribeTaskDefinition): the defaults AWS adds are
    // spelled out (empty mountPoints/volumesFrom/systemControls, hostPort = containerPort
    // under awsvpc), so a plan over a real state shows only what really changes.
    const container = (streamPrefix: string, extra: Record<string, unknown>) =>
      JSON.stringify([
        {
          name: contract.containerName,
          image: props.image,
          // The whole task's CPU units: what the one container may use anyway. Not 0: the provider
          // drops a 0 from the planned value while AWS returns it, so every diff showed "- cpu = 0".
          cpu: props.cpu,
          essential: true,
          environment: Object.keys(props.environment)
            .sort()
            .map((name) => ({ name, value: props.environment[name] })),
          secrets: Object.keys(props.secrets)
            .sort()
            .map((name) => ({ name, valueFrom: props.secrets[name].valueFrom })),
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": this.logGroup.name, "awslogs-region": props.region, "awslogs-stream-prefix": streamPrefix },
          },
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
          readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
          // An init process reaps zombies and is what ECS Exec sessions attach next to.
          linuxParameters: { initProcessEnabled: true },
          ...extra,
        },
      ]);
    const taskDefinition = (tdId: string, family: string, containerDefinitions: string) =>
      new EcsTaskDefinition(this, tdId, {
        family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(props.cpu),
        memory: String(props.memoryMiB),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: architecture },
        executionRoleArn: roles.executionRole.arn,
        taskRoleArn: roles.taskRole.arn,
        containerDefinitions,
        // Keep old revisions registered (INACTIVE is what destroy would do): a manual
        // `update-service --task-definition <family>:<n-1>` must stay possible. README "Deploying"
        // describes the clean-up that bounds them.
        skipDestroy: true,
      });

    const service = taskDefinition(
      "task-definition",
      contract.taskFamily,
      container(contract.logStreamPrefix, {
        portMappings: [{ containerPort: props.containerPort, hostPort: props.containerPort, protocol: "tcp", ...serviceConnectPortMapping(props.serviceConnect) }],
      }),
    );
    const migration = props.migration &&
      taskDefinition(
        "migration-task-definition",
        props.migration.contract.taskFamily,
        container(props.migration.contract.logStreamPrefix, { portMappings: [], command: [...props.migration.command] }),
      );
    return { service, migration };
  }

  /** The ECS service: private subnets, behind its target group, rolled back by the circuit breaker and its alarms. */
  private createService(props: WebServiceProps): EcsService {
    const { contract } = props;
    return new EcsService(this, "service", {
      name: contract.serviceName,
      cluster: props.cluster.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: [{ capacityProvider: props.fargateSpot ? "FARGATE_SPOT" : "FARGATE", weight: 1 }],
      platformVersion: "LATEST",
      // Without it the provider replaces the service (an outage) when the capacity provider
      // strategy changes, e.g. fargateSpot on/off; with it ECS rolls the tasks in place.
      forceNewDeployment: true,
      networkConfiguration: {
        subnets: props.network.privateSubnets.map((s) => s.id),
        securityGroups: [this.securityGroup.id],
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: props.loadBalancer.targetGroup.arn, containerName: contract.containerName, containerPort: props.containerPort }],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: props.deploymentAlarmNames?.length ? { alarmNames: [...props.deploymentAlarmNames], enable: true, rollback: true } : undefined,
      deploymentMinimumHealthyPercent: props.minHealthyPercent ?? 100,
      deploymentMaximumPercent: props.maxPercent ?? 200,
      enableExecuteCommand: true,
      serviceConnectConfiguration: props.serviceConnect ? serviceConnectConfiguration(props.serviceConnect, props.containerPort) : undefined,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      // With autoscaling the scaler owns the count; Terraform must not reset it on every apply.
      lifecycle: props.autoscaling ? { ignoreChanges: ["desired_count"] } : undefined,
      dependsOn: [props.cluster.capacityProviders, ...(props.dependsOn ?? [])],
    });
  }

  private role(id: string, name: string, props: WebServiceProps, statements: DataAwsIamPolicyDocumentStatement[]): IamRole {
    const partition = partitionOf(props.region);
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
          // Only ECS tasks of this account may assume it (confused-deputy protection).
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:ecs:${props.region}:${props.accountId}:*`] },
          ],
        },
      ],
    });
    const role = new IamRole(this, id, { name, assumeRolePolicy: trust.json, permissionsBoundary: props.permissionsBoundaryArn });
    const policy = new DataAwsIamPolicyDocument(this, `${id}-permissions`, { statement: statements });
    new IamRolePolicy(this, `${id}-policy`, { name: "permissions", role: role.id, policy: policy.json });
    return role;
  }
}

/** Read access to exactly the secrets and parameters the task uses, one statement per kind. */
function secretStatements(secrets: Readonly<Record<string, SecretSource>>): DataAwsIamPolicyDocumentStatement[] {
  const plain = Object.values(secrets).filter((s) => !s.resourceTag);
  const arns = (kind: SecretSource["kind"]) => [...new Set(plain.filter((s) => s.kind === kind).map((s) => s.resourceArn))].sort();
  const statements: DataAwsIamPolicyDocumentStatement[] = [];
  if (arns("secretsmanager").length) statements.push({ sid: "ReadSecrets", actions: ["secretsmanager:GetSecretValue"], resources: arns("secretsmanager") });
  if (arns("ssm").length) statements.push({ sid: "ReadParameters", actions: ["ssm:GetParameters"], resources: arns("ssm") });
  // Secrets whose ARN AWS chooses (the RDS-managed master secret): a name pattern known at plan
  // time plus the tag AWS puts on them, so the policy never waits for a resource attribute.
  const tagged = Object.values(secrets).filter((s) => s.resourceTag);
  tagged.forEach((s, i) =>
    statements.push({
      sid: `ReadTaggedSecret${tagged.length > 1 ? i + 1 : ""}`,
      actions: [s.kind === "ssm" ? "ssm:GetParameters" : "secretsmanager:GetSecretValue"],
      resources: [s.resourceArn],
      condition: [{ test: "StringEquals", variable: `${s.kind === "ssm" ? "ssm" : "secretsmanager"}:ResourceTag/${s.resourceTag!.key}`, values: [s.resourceTag!.value] }],
    }),
  );
  return statements;
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
