import { compliant, nonCompliant, notApplicable, type Rule } from "./rule";

/**
 * Project invariant OPS.1: a bad deploy rolls back on alarm, not only when the circuit breaker trips.
 * The deployment alarms are request signals (target 5xx, unhealthy hosts), so the rule applies to
 * services behind a load balancer; a queue worker has none (its circuit breaker still rolls back
 * tasks that fail to start, and its failed messages page through the queue's dead-letter alarm).
 */
export const ops1: Rule = {
  id: "OPS.1",
  title: "services roll back a deployment when one of their alarms fires",
  fix: "give the service deployment alarms (alarms { alarm_names, enable = true, rollback = true }) that exist in the stack; the Alarms construct provides them",
  types: ["aws_ecs_service"],
  check: (r, stack) => {
    const balanced = Array.isArray(r.config.load_balancer) ? r.config.load_balancer.length > 0 : Boolean(r.config.load_balancer);
    if (!balanced) return notApplicable;
    const alarms = Array.isArray(r.config.alarms) ? r.config.alarms[0] : r.config.alarms;
    if (!alarms || alarms.enable !== true || alarms.rollback !== true) return nonCompliant("has no deployment alarms with rollback");
    const names: unknown[] = alarms.alarm_names ?? [];
    if (names.length === 0) return nonCompliant("deployment alarms list no alarm");
    const literal = new Set(stack.ofType("aws_cloudwatch_metric_alarm").map((a) => a.config.alarm_name));
    const missing = names.filter((n) => stack.resolveReference(n)?.type !== "aws_cloudwatch_metric_alarm" && !literal.has(n));
    return missing.length ? nonCompliant(`deployment alarm(s) ${missing.join(", ")} are not alarms of this stack`) : compliant;
  },
};
