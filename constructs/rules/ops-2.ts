import { compliant, nonCompliant, notApplicable, type Rule } from "./rule";

/**
 * Project invariant OPS.2: an alarm pages someone: it notifies an SNS topic that has at least one subscriber.
 * An alarm whose only actions are scaling policies (a queue worker's scaling triggers) is not a page: not applicable.
 */
export const ops2: Rule = {
  id: "OPS.2",
  title: "alarms notify an SNS topic with at least one subscriber",
  fix: "add monitoring.subscribers (an e-mail address or a Lambda ARN) to the environment's config",
  types: ["aws_cloudwatch_metric_alarm"],
  check: (r, stack) => {
    const actions = (r.config.alarm_actions ?? []) as unknown[];
    if (actions.length > 0 && actions.every((a) => stack.resolveReference(a)?.type === "aws_appautoscaling_policy")) return notApplicable;
    const topics = ((r.config.alarm_actions ?? []) as unknown[]).map((a) => stack.resolveReference(a)).filter((t) => t?.type === "aws_sns_topic");
    if (topics.length === 0) return nonCompliant("notifies no SNS topic of this stack");
    const subscribed = topics.some((t) => stack.referencing(t!, "aws_sns_topic_subscription", "topic_arn").length > 0);
    return subscribed ? compliant : nonCompliant("its SNS topic has no subscriber, so the alarm pages nobody");
  },
};
