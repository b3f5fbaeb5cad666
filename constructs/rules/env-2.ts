import { expect, type Rule } from "./rule";

/** Project invariant ENV.2: deleting the database leaves a final snapshot. */
export const env2: Rule = {
  id: "ENV.2",
  title: "databases take a final snapshot when deleted",
  fix: "set database.finalSnapshot: true",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.skip_final_snapshot === false && Boolean(r.config.final_snapshot_identifier), "no final snapshot on deletion"),
};
