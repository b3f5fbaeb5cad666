import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { PropsError } from "../core/errors";
import { partitionOf } from "../core/partition";
import type { Naming } from "../core/naming";

/** SSE-SQS (keys SQS manages) or SSE-KMS with a key of yours. */
export type QueueEncryption = "sqs-managed" | { readonly kmsKeyArn: string };

export interface QueueProps {
  readonly naming: Naming;
  /** Cloud name component: the queue is `<project>-<env>-<component>`, its dead-letter queue `...-<component>-dlq`. */
  readonly component: string;
  readonly region: string;
  readonly accountId: string;
  /** @default 300 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 4 */
  readonly messageRetentionDays?: number;
  /** Receives after which a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 14 */
  readonly deadLetterRetentionDays?: number;
  /** @default "sqs-managed" */
  readonly encryption?: QueueEncryption;
  /** SNS topic the dead-letter alarm notifies. @default no alarm */
  readonly alarmTopicArn?: string;
  /** Why a message in the dead-letter queue matters, for the alarm's description. @default a generic sentence */
  readonly deadLetterMeaning?: string;
}

const DAY = 86_400;

/**
 * An SQS queue with its dead-letter queue (redrive policy), encrypted at rest, reachable over TLS
 * only (a queue policy denying `aws:SecureTransport = false`), and an alarm as soon as one message
 * is dead-lettered. Names and URLs are computed from config, so policies and container
 * environments that use them are known at plan time.
 */
export class Queue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly deadLetterName: string;
  readonly deadLetterArn: string;
  readonly deadLetterAlarm?: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: QueueProps) {
    super(scope, id);
    const { naming, region, accountId } = props;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const retention = props.messageRetentionDays ?? 4;
    const deadRetention = props.deadLetterRetentionDays ?? 14;
    const problems: string[] = [];
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) problems.push(`maxReceiveCount must be a whole number from 1 to 1000; got ${maxReceiveCount}`);
    for (const [name, days] of [["messageRetentionDays", retention], ["deadLetterRetentionDays", deadRetention]] as const) {
      if (!Number.isInteger(days) || days < 1 || days > 14) problems.push(`${name} must be a whole number of days from 1 to 14 (what SQS keeps); got ${days}`);
    }
    if (deadRetention < retention) problems.push(`deadLetterRetentionDays (${deadRetention}) must be at least messageRetentionDays (${retention}): SQS keeps a message's original enqueue time, so a shorter dead-letter retention deletes dead letters on arrival`);
    if (problems.length) throw new PropsError(`Queue "${id}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);

    this.name = naming.name("monitoring", props.component);
    this.deadLetterName = naming.name("monitoring", `${props.component}-dlq`);
    const arn = (name: string) => `arn:${partitionOf(region)}:sqs:${region}:${accountId}:${name}`;
    this.arn = arn(this.name);
    this.deadLetterArn = arn(this.deadLetterName);
    this.url = `https://sqs.${region}.amazonaws.com/${accountId}/${this.name}`;

    const encryption = props.encryption ?? "sqs-managed";
    const sse =
      encryption === "sqs-managed"
        ? { sqsManagedSseEnabled: true }
        : // Data keys are reused for 5 minutes: fewer KMS calls (and KMS charges) per message.
          { kmsMasterKeyId: encryption.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };

    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", { name: this.deadLetterName, messageRetentionSeconds: deadRetention * DAY, ...sse });
    this.queue = new SqsQueue(this, "queue", {
      name: this.name,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 300,
      messageRetentionSeconds: retention * DAY,
      // Long polling: consumers wait up to 20 s for a message instead of paying for empty receives.
      receiveWaitTimeSeconds: 20,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterArn, maxReceiveCount }),
      ...sse,
      dependsOn: [this.deadLetterQueue],
    });
    tlsOnlyQueuePolicy(this, "queue-policy", this.queue, this.arn);
    tlsOnlyQueuePolicy(this, "dead-letter-queue-policy", this.deadLetterQueue, this.deadLetterArn);

    if (props.alarmTopicArn) {
      this.deadLetterAlarm = queueNotEmptyAlarm(this, "dead-letters", {
        alarmName: naming.name("monitoring", `${props.component}-dead-letters`),
        description: props.deadLetterMeaning ?? `Messages of ${this.name} failed ${maxReceiveCount} times and are in ${this.deadLetterName}: look at them, fix the cause, then redrive them (docs/operations.md "Queue")`,
        queueName: this.deadLetterName,
        topicArn: props.alarmTopicArn,
      });
    }
  }

  /** Send, receive and delete on this queue only (the app's producer and consumer rights). */
  consumeStatements(sid: string): DataAwsIamPolicyDocumentStatement[] {
    return [
      {
        sid,
        actions: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        resources: [this.arn],
      },
    ];
  }
}

/** Denies every request to the queue that is not over TLS (the SQS counterpart of S3.5 for buckets). */
/** An alarm while a queue holds any message (a dead-letter queue should be empty), to the alarm topic. */
export function queueNotEmptyAlarm(scope: Construct, id: string, props: { alarmName: string; description: string; queueName: string; topicArn: string }): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: props.queueName },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    // SQS publishes queue metrics only while the queue is active; no data means no messages.
    treatMissingData: "notBreaching",
    alarmActions: [props.topicArn],
    okActions: [props.topicArn],
  });
}

export function tlsOnlyQueuePolicy(scope: Construct, id: string, queue: SqsQueue, queueArn: string): SqsQueuePolicy {
  const document = new DataAwsIamPolicyDocument(scope, `${id}-document`, {
    statement: [
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["sqs:*"],
        resources: [queueArn],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ],
  });
  return new SqsQueuePolicy(scope, id, { queueUrl: queue.url, policy: document.json });
}
