import { expect, type Rule } from "./rule";

/** Security Hub RDS.17: RDS DB instances should be configured to copy tags to snapshots. */
export const rds17: Rule = {
  id: "RDS.17",
  title: "databases copy their tags to snapshots",
  fix: "set copy_tags_to_snapshot = true",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.copy_tags_to_snapshot === true, "copy_tags_to_snapshot is not true"),
};
