import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import type { Naming } from "../core/naming";
import type { SecretSource } from "../compute/presets";

export interface RedeployedService {
  readonly serviceName: string;
  /** Every secret the service's tasks read at start; Secrets Manager ones are watched. */
  readonly secrets: readonly SecretSource[];
}

export interface SecretRotationRedeployProps {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  /** By short key (part of the rule's name). Services that read no Secrets Manager secret get no rule. */
  readonly services: Readonly<Record<string, RedeployedService>>;
  /** SNS topic told when a redeploy fails. @default none */
  readonly alarmTopicArn?: string;
  /** Permissions boundary of the two roles (the environment's workload boundary). @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * Trap T15: ECS reads secrets only when a task starts, so a rotated secret must start new tasks.
 * An EventBridge rule per service matches a rotation (`RotationSucceeded`) or a new value
 * (`PutSecretValue`, `UpdateSecret`) of any Secrets Manager secret the service reads, and starts a
 * Step Functions state machine that calls ECS `UpdateService` with `forceNewDeployment` through the
 * AWS SDK integration: no Lambda, no code to maintain. Both roles reach only this environment.
 *
 * `PutSecretValue` and `UpdateSecret` are CloudTrail API events: EventBridge sees them only while a
 * CloudTrail trail records management events in the region (README "Operations").
 */
export class SecretRotationRedeploy extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly rules: Record<string, CloudwatchEventRule> = {};
  /** Fires when a redeploy fails (only with `alarmTopicArn`). */
  readonly failedAlarm?: CloudwatchMetricAlarm;
  private readonly permissionsBoundaryArn?: string;

  constructor(scope: Construct, id: string, props: SecretRotationRedeployProps) {
    super(scope, id);
    this.permissionsBoundaryArn = props.permissionsBoundaryArn;
    const { naming, region, accountId, clusterName } = props;
    const partition = partitionOf(region);
    const stateMachineName = naming.name("monitoring", "redeploy-on-secret-change");
    // Computed from config, not the resource's attribute, so the policies are known at plan time.
    const stateMachineArn = `arn:${partition}:states:${region}:${accountId}:stateMachine:${stateMachineName}`;
    const serviceArns = Object.values(props.services).map((s) => `arn:${partition}:ecs:${region}:${accountId}:service/${clusterName}/${s.serviceName}`);

    const stepRole = this.role("state-machine-role", naming.name("iamRole", "redeploy-state-machine"), "states.amazonaws.com", accountId, [
      { sid: "RedeployServices", actions: ["ecs:UpdateService"], resources: serviceArns.sort() },
    ]);
    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name: stateMachineName,
      roleArn: stepRole.arn,
      definition: JSON.stringify({
        Comment: `Rolls an ECS service of ${naming.prefix} after a secret it reads changed`,
        StartAt: "ForceNewDeployment",
        States: {
          ForceNewDeployment: {
            Type: "Task",
            Resource: `arn:${partition}:states:::aws-sdk:ecs:updateService`,
            Parameters: { Cluster: clusterName, "Service.$": "$.service", ForceNewDeployment: true },
            Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
            End: true,
          },
        },
      }),
    });

    const eventsRole = this.role("events-role", naming.name("iamRole", "redeploy-events"), "events.amazonaws.com", accountId, [
      { sid: "StartRedeploy", actions: ["states:StartExecution"], resources: [stateMachineArn] },
    ]);

    for (const [key, service] of Object.entries(props.services)) {
      const matchers = secretMatchers(service.secrets);
      if (matchers.length === 0) continue;
      const rule = new CloudwatchEventRule(this, `${key}-rule`, {
        name: naming.name("monitoring", `${key}-secret-changed`),
        description: `A secret that ${service.serviceName} reads rotated or got a new value: roll the service`,
        eventPattern: JSON.stringify({
          source: ["aws.secretsmanager"],
          "detail-type": ["AWS Service Event via CloudTrail", "AWS API Call via CloudTrail"],
          detail: {
            $or: [
              { eventName: ["RotationSucceeded"], additionalEventData: { SecretId: matchers } },
              { eventName: ["PutSecretValue", "UpdateSecret"], responseElements: { arn: matchers } },
            ],
          },
        }),
      });
      new CloudwatchEventTarget(this, `${key}-target`, {
        rule: rule.name,
        targetId: "redeploy",
        arn: this.stateMachine.arn,
        roleArn: eventsRole.arn,
        input: JSON.stringify({ service: service.serviceName }),
      });
      this.rules[key] = rule;
    }

    if (props.alarmTopicArn) {
      this.failedAlarm = new CloudwatchMetricAlarm(this, "failed", {
        alarmName: naming.name("monitoring", "redeploy-on-secret-change-failed"),
        alarmDescription: "A redeploy after a secret change failed: running tasks may hold an old password",
        namespace: "AWS/States",
        metricName: "ExecutionsFailed",
        dimensions: { StateMachineArn: stateMachineArn },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    }
  }

  private role(id: string, name: string, service: string, accountId: string, statements: DataAwsIamPolicyDocumentStatement[]): IamRole {
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [service] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
        },
      ],
    });
    const role = new IamRole(this, id, { name, assumeRolePolicy: trust.json, permissionsBoundary: this.permissionsBoundaryArn });
    const policy = new DataAwsIamPolicyDocument(this, `${id}-permissions`, { statement: statements });
    new IamRolePolicy(this, `${id}-policy`, { name: "permissions", role: role.id, policy: policy.json });
    return role;
  }
}

/**
 * EventBridge matchers for the Secrets Manager secrets among `secrets`: a name-based ARN (`...:secret:name-??????`)
 * becomes a prefix match on `...:secret:name-` (AWS appends 6 random characters); a full ARN matches exactly.
 */
export function secretMatchers(secrets: readonly SecretSource[]): (string | { prefix: string })[] {
  const arns = [...new Set(secrets.filter((s) => s.kind === "secretsmanager").map((s) => s.resourceArn))].sort();
  return arns.map((arn) => (arn.endsWith("-??????") ? { prefix: arn.slice(0, -"??????".length) } : arn));
}
