import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcsService, type EcsServiceConfig } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import type { Cluster } from "./cluster";
import type { SecretSource } from "./presets";
import type { ServiceContract } from "./service-contract";

export type CpuArchitecture = "X86_64" | "ARM64";

/** The names of a task's resources: what a service contract has, minus what only a service has. */
export type TaskContract = Pick<ServiceContract, "taskFamily" | "containerName" | "logGroup" | "logStreamPrefix" | "repositoryName">;

/** What every Fargate workload shares: image, size, settings, roles and logs. */
export interface FargateTaskProps {
  readonly naming: Naming;
  readonly contract: TaskContract;
  readonly region: string;
  readonly accountId: string;
  readonly cluster: Cluster;
  /** Full image reference: `<repositoryUrl>:<tag>` or `<repositoryUrl>@sha256:<digest>`. */
  readonly image: string;
  /** Fargate CPU units; with `memoryMiB` one of the pairs Fargate accepts. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Task runtime platform; must match the image's platform (T6). @default "X86_64" */
  readonly cpuArchitecture?: CpuArchitecture;
  /** Read-only root filesystem (Security Hub ECS.5). @default false */
  readonly readonlyRootFilesystem?: boolean;
  readonly logRetentionDays: number;
  /** Final plain variables (no secrets: checked by the subclass). */
  readonly environment: Readonly<Record<string, string>>;
  /** Final secrets, injected by ECS from Secrets Manager / SSM at start (T10). */
  readonly secrets: Readonly<Record<string, SecretSource>>;
  /** The uploads bucket; the task role may read and write it (ignored with `sharedTaskRole`). @default no S3 access */
  readonly uploadsBucket?: S3Bucket;
  /** More permissions of the task role, e.g. the environment's queue (ignored with `sharedTaskRole`). @default none */
  readonly taskRoleStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /**
   * Run as another workload's task role (a worker as the backend's) instead of creating one: the
   * app keeps one identity. @default a task role of its own
   */
  readonly sharedTaskRole?: IamRole;
  /** Permissions boundary of the roles this construct creates. @default none */
  readonly permissionsBoundaryArn?: string;
}

/** The props a long-running service (web service or worker) gives its ECS service: where it runs and how many. */
export interface ServicePlacement {
  readonly contract: Pick<ServiceContract, "serviceName">;
  readonly network: Network;
  readonly desiredCount: number;
  /** Run on Fargate Spot. @default false */
  readonly fargateSpot?: boolean;
  /** Set when an autoscaler owns the count: Terraform must then not reset it on every apply. */
  readonly autoscaling?: object;
  /** More than the cluster's capacity providers to wait for. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** What a kind of service sets on top of {@link ServicePlacement}: deployment limits, a load balancer, Service Connect. */
export type ServiceSpecifics = Omit<
  EcsServiceConfig,
  "name" | "cluster" | "taskDefinition" | "desiredCount" | "capacityProviderStrategy" | "platformVersion" | "forceNewDeployment" | "networkConfiguration" | "deploymentCircuitBreaker" | "enableExecuteCommand" | "enableEcsManagedTags" | "propagateTags" | "lifecycle" | "dependsOn"
>;

/** The two roles of a task (T4). */
export interface TaskRoles {
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
}

/**
 * The base every Fargate workload builds on (web services, workers, the one-off tasks that run
 * their task definitions), the way `aws-ecs-patterns` builds its patterns on one base class:
 * the log group, the execution role (pull the image, write the logs, read exactly the task's
 * secrets), the task role (the app's own identity: ECS Exec, its bucket, its queue), and task
 * definitions in the form ECS returns them.
 *
 * The steps are protected methods the subclass calls in its own order, so each subclass keeps the
 * construct ids (and Terraform addresses) it has always had: the resources are children of the
 * subclass itself, not of a nested construct.
 */
export abstract class FargateTask extends Construct {
  private _logGroup?: CloudwatchLogGroup;
  private _roles?: TaskRoles;

  protected constructor(
    scope: Construct,
    id: string,
    protected readonly taskProps: FargateTaskProps,
  ) {
    super(scope, id);
  }

  /** The task's CloudWatch log group (awslogs). */
  get logGroup(): CloudwatchLogGroup {
    if (!this._logGroup) throw new Error(`${this.node.path}: createLogGroup() has not run`);
    return this._logGroup;
  }

  get executionRole(): IamRole {
    return this.roles().executionRole;
  }

  get taskRole(): IamRole {
    return this.roles().taskRole;
  }

  private roles(): TaskRoles {
    if (!this._roles) throw new Error(`${this.node.path}: createRoles() has not run`);
    return this._roles;
  }

  /** Step: the log group, `logs`. */
  protected createLogGroup(): CloudwatchLogGroup {
    const { contract, logRetentionDays } = this.taskProps;
    this._logGroup = new CloudwatchLogGroup(this, "logs", { name: contract.logGroup, retentionInDays: logRetentionDays });
    return this._logGroup;
  }

  /** ARNs from config, not from resource attributes: a change to the repository or log group must not make a policy "known after apply". */
  protected arnBase(service: string): string {
    const { region, accountId } = this.taskProps;
    return `arn:${partitionOf(region)}:${service}:${region}:${accountId}`;
  }

  protected logGroupArn(name: string): string {
    return `${this.arnBase("logs")}:log-group:${name}:*`;
  }

  /** Step: the execution role (pull, logs, the task's secrets) and the task role (ECS Exec, bucket, extras), or the shared task role. */
  protected createRoles(): TaskRoles {
    const props = this.taskProps;
    const { naming, contract } = props;
    const executionRole = this.role("execution-role", naming.name("iamRole", `${contract.containerName}-execution`), [
      { sid: "EcrAuth", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { sid: "EcrPull", actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [`${this.arnBase("ecr")}:repository/${contract.repositoryName}`] },
      { sid: "Logs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [this.logGroupArn(contract.logGroup)] },
      ...secretStatements(props.secrets),
    ]);

    const taskRole =
      props.sharedTaskRole ??
      this.role("task-role", naming.name("iamRole", `${contract.containerName}-task`), [
        {
          sid: "EcsExecChannels",
          actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
          resources: ["*"],
        },
        { sid: "EcsExecLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [this.logGroupArn(props.cluster.execLogGroup.name)] },
        { sid: "EcsExecLogGroups", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
        ...(props.uploadsBucket
          ? [
              { sid: "UploadsList", actions: ["s3:ListBucket"], resources: [props.uploadsBucket.arn] },
              { sid: "UploadsObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${props.uploadsBucket.arn}/*`] },
            ]
          : []),
        ...(props.taskRoleStatements ?? []),
      ]);
    this._roles = { executionRole, taskRole };
    return this._roles;
  }

  /**
   * The one-container definition JSON, emitted in the form ECS returns it (DescribeTaskDefinition):
   * the defaults AWS adds are spelled out (empty mountPoints/volumesFrom/systemControls, hostPort =
   * containerPort under awsvpc), so a plan over a real state shows only what really changes.
   */
  protected containerDefinitions(streamPrefix: string, extra: Record<string, unknown>): string {
    const props = this.taskProps;
    return JSON.stringify([
      {
        name: props.contract.containerName,
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
  }

  /**
   * Step: the ECS service every long-running task gets: Fargate (or Spot) in the private subnets
   * without public IPs, rolled back by the circuit breaker, ECS Exec on, tags propagated.
   */
  protected createEcsService(placement: ServicePlacement, taskDefinition: EcsTaskDefinition, securityGroup: SecurityGroup, specifics: ServiceSpecifics): EcsService {
    return new EcsService(this, "service", {
      name: placement.contract.serviceName,
      cluster: this.taskProps.cluster.cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: placement.desiredCount,
      capacityProviderStrategy: [{ capacityProvider: placement.fargateSpot ? "FARGATE_SPOT" : "FARGATE", weight: 1 }],
      platformVersion: "LATEST",
      // Without it the provider replaces the service (an outage) when the capacity provider
      // strategy changes, e.g. fargateSpot on/off; with it ECS rolls the tasks in place.
      forceNewDeployment: true,
      networkConfiguration: { subnets: placement.network.privateSubnets.map((s) => s.id), securityGroups: [securityGroup.id], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: true,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      lifecycle: placement.autoscaling ? { ignoreChanges: ["desired_count"] } : undefined,
      dependsOn: [this.taskProps.cluster.capacityProviders, ...(placement.dependsOn ?? [])],
      ...specifics,
    });
  }

  /** Step: one Fargate task definition with this task's size, platform and roles. */
  protected createTaskDefinition(id: string, family: string, containerDefinitions: string): EcsTaskDefinition {
    const props = this.taskProps;
    const roles = this.roles();
    return new EcsTaskDefinition(this, id, {
      family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.cpuArchitecture ?? "X86_64" },
      executionRoleArn: roles.executionRole.arn,
      taskRoleArn: roles.taskRole.arn,
      containerDefinitions,
      // Keep old revisions registered (INACTIVE is what destroy would do): a manual
      // `update-service --task-definition <family>:<n-1>` must stay possible. README "Deploying"
      // describes the clean-up that bounds them.
      skipDestroy: true,
    });
  }

  private role(id: string, name: string, statements: DataAwsIamPolicyDocumentStatement[]): IamRole {
    const { region, accountId, permissionsBoundaryArn } = this.taskProps;
    const partition = partitionOf(region);
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
          // Only ECS tasks of this account may assume it (confused-deputy protection).
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:ecs:${region}:${accountId}:*`] },
          ],
        },
      ],
    });
    const role = new IamRole(this, id, { name, assumeRolePolicy: trust.json, permissionsBoundary: permissionsBoundaryArn });
    const policy = new DataAwsIamPolicyDocument(this, `${id}-permissions`, { statement: statements });
    new IamRolePolicy(this, `${id}-policy`, { name: "permissions", role: role.id, policy: policy.json });
    return role;
  }
}

/** Read access to exactly the secrets and parameters the task uses, one statement per kind. */
export function secretStatements(secrets: Readonly<Record<string, SecretSource>>): DataAwsIamPolicyDocumentStatement[] {
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
