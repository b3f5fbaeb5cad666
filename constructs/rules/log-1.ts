import { expect, type Rule } from "./rule";

/** Project rule LOG.1: log groups expire their events (CloudWatch keeps them forever by default). */
export const log1: Rule = {
  id: "LOG.1",
  title: "log groups have a retention period",
  fix: "set retention_in_days (the constructs take it from config)",
  types: ["aws_cloudwatch_log_group"],
  check: (r) => expect((r.config.retention_in_days ?? 0) > 0, "no retention: events are kept forever"),
};
