import { expect, type Rule } from "./rule";

/** Project invariant ENV.3: every service runs at least two tasks, so one failing task or zone is not an outage. */
export const env3: Rule = {
  id: "ENV.3",
  title: "services run at least 2 tasks",
  fix: "set services.<name>.desiredCount (and autoscaling.minCount) to 2 or more",
  types: ["aws_ecs_service"],
  check: (r, stack) => {
    const scaling = stack.referencing(r, "aws_appautoscaling_target", "resource_id");
    const min = Math.min(r.config.desired_count ?? 1, ...scaling.map((t) => t.config.min_capacity ?? 1));
    return expect(min >= 2, `runs as few as ${min} task(s)`);
  },
};
