import { expect, type Rule } from "./rule";

/**
 * Security Hub SQS.1: Amazon SQS queues should be encrypted at rest. Explicitly: SSE-SQS on, or a
 * KMS key (SSE-KMS). New queues get SSE-SQS from AWS by default, but a queue that says nothing
 * takes whatever the account and provider default is; this one says what it is.
 */
export const sqs1: Rule = {
  id: "SQS.1",
  title: "SQS queues are encrypted at rest",
  fix: "set sqs_managed_sse_enabled = true or kms_master_key_id (the queue construct does; config queue.encryption picks which)",
  types: ["aws_sqs_queue"],
  check: (r) => {
    const kms = typeof r.config.kms_master_key_id === "string" && r.config.kms_master_key_id.length > 0;
    return expect(r.config.sqs_managed_sse_enabled === true || kms, "neither sqs_managed_sse_enabled nor kms_master_key_id is set");
  },
};
