import { compliant, nonCompliant, type Rule } from "./rule";

/** Project invariant OPS.2: an alarm pages someone: it notifies an SNS topic that has at least one subscriber. */
export const ops2: Rule = {
  id: "OPS.2",
  title: "alarms notify an SNS topic with at least one subscriber",
  fix: "add monitoring.subscribers (an e-mail address or a Lambda ARN) to the environment's config",
  types: ["aws_cloudwatch_metric_alarm"],
  check: (r, stack) => {
    const topics = ((r.config.alarm_actions ?? []) as unknown[]).map((a) => stack.resolveReference(a)).filter((t) => t?.type === "aws_sns_topic");
    if (topics.length === 0) return nonCompliant("notifies no SNS topic of this stack");
    const subscribed = topics.some((t) => stack.referencing(t!, "aws_sns_topic_subscription", "topic_arn").length > 0);
    return subscribed ? compliant : nonCompliant("its SNS topic has no subscriber, so the alarm pages nobody");
  },
};
