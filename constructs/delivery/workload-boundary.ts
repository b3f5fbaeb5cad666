import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { workloadBoundaryName } from "./delivery-names";
import { partitionOf } from "../core/partition";

export interface WorkloadBoundaryProps {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Secrets Manager secrets outside `<project>/<env>/` that the environment's tasks read (config
   * `services.*.secrets`), as IAM resource patterns. @default none
   */
  readonly extraSecretArns?: readonly string[];
  /** SSM parameters the environment's tasks read, as ARNs. @default none */
  readonly parameterArns?: readonly string[];
  /**
   * Issue 14: the environment has SQS queues its tasks use (and the Scheduler sends dead letters to),
   * and scheduled jobs whose Scheduler role starts tasks. @default neither
   */
  readonly workloads?: { readonly queues: boolean; readonly schedules: boolean };
}

/**
 * The permissions boundary of one environment: the most any role of the environment (task,
 * execution and flow-log roles) can ever do, whatever its own policies say. The deploy role may
 * create and change roles only when they carry this boundary, and may neither remove it from a role
 * nor change the boundary itself; the bootstrap stack (applied by an administrator) owns it.
 *
 * It allows only what a workload of this environment needs: its log groups, pulling its images,
 * reading its secrets and parameters, its buckets' objects, the ECS Exec channels, and redeploying
 * its own services after a secret changes. No IAM, no other environment's names.
 */
export class WorkloadBoundary extends Construct {
  readonly policy: IamPolicy;
  readonly statements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: WorkloadBoundaryProps) {
    super(scope, id);
    const p = partitionOf(props.region);
    const prefix = `${props.project}-${props.environment}`;
    const arn = (service: string, resource: string) => `arn:${p}:${service}:${props.region}:${props.accountId}:${resource}`;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "Logs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [arn("logs", `log-group:/${props.project}/${props.environment}/*`)],
      },
      { sid: "LogGroups", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
      { sid: "ImageLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"], condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [props.region] }] },
      {
        sid: "ImagePull",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resources: [arn("ecr", `repository/${prefix}-*`)],
      },
      {
        sid: "Secrets",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [arn("secretsmanager", `secret:${props.project}/${props.environment}/*`), ...(props.extraSecretArns ?? [])],
      },
      {
        // The RDS-managed master secret, tagged by RDS with the ARN of its instance.
        sid: "DatabaseSecret",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [arn("secretsmanager", "secret:rds!*")],
        condition: [{ test: "StringLike", variable: "aws:ResourceTag/aws:rds:primaryDBInstanceArn", values: [arn("rds", `db:${prefix}-*`)] }],
      },
      ...(props.parameterArns?.length ? [{ sid: "Parameters", actions: ["ssm:GetParameters"], resources: [...props.parameterArns] }] : []),
      {
        sid: "Objects",
        actions: ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [`arn:${p}:s3:::${prefix}-*`, `arn:${p}:s3:::${prefix}-*/*`],
      },
      {
        // The redeploy-on-secret-change state machine (secret-rotation-redeploy.ts) and the rule that starts it.
        sid: "RedeployOnSecretChange",
        actions: ["ecs:UpdateService"],
        resources: [arn("ecs", `service/${prefix}-*/*`)],
      },
      { sid: "StartRedeploy", actions: ["states:StartExecution"], resources: [arn("states", `stateMachine:${prefix}-*`)] },
      ...(props.workloads?.queues
        ? [
            {
              sid: "Queues",
              actions: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
              resources: [arn("sqs", `${prefix}-*`)],
            },
          ]
        : []),
      ...(props.workloads?.schedules
        ? [
            // The scheduled jobs' Scheduler role: start the environment's tasks on its cluster, and hand them their roles.
            { sid: "RunScheduledTasks", actions: ["ecs:RunTask"], resources: [arn("ecs", `task-definition/${prefix}-*`)] },
            { sid: "TagScheduledTasks", actions: ["ecs:TagResource"], resources: [arn("ecs", `task/${prefix}-*/*`)], condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RunTask"] }] },
            {
              sid: "PassTaskRoles",
              actions: ["iam:PassRole"],
              resources: [`arn:${p}:iam::${props.accountId}:role/${prefix}-*`],
              condition: [{ test: "StringLike", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
            },
          ]
        : []),
      {
        sid: "ExecChannels",
        actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        resources: ["*"],
      },
    ];
    this.statements = statements;
    const document = new DataAwsIamPolicyDocument(this, "document", { statement: statements });
    this.policy = new IamPolicy(this, "policy", {
      name: workloadBoundaryName(props.project, props.environment),
      description: `Permissions boundary of every ${props.environment} workload role`,
      policy: document.json,
    });
  }
}
