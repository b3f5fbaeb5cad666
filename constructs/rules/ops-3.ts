import { containersOf, expect, notApplicable, type Rule } from "./rule";

/** A `valueFrom` that reads the RDS-managed master user secret (by reference, or by its `rds!` name). */
const MASTER_SECRET = /master_user_secret|:secret:rds!/;

/** Project invariant OPS.3 (trap T15): the application connects as its own user, never as the master user. */
export const ops3: Rule = {
  id: "OPS.3",
  title: "the application does not use the database master user's secret",
  fix: 'set database.applicationCredentials: "app-user" and create the application user (README "Operations")',
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    const names = containers.flatMap((c) => (c.secrets ?? []).filter((s: { valueFrom: string }) => MASTER_SECRET.test(s.valueFrom)).map((s: { name: string }) => s.name));
    return expect(names.length === 0, `secret(s) ${names.join(", ")} read the RDS master user secret`);
  },
};
