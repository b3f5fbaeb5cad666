import { expect, type Rule } from "./rule";

/** Project invariant ENV.2: deleting the database (or the cache) leaves a final snapshot. */
export const env2: Rule = {
  id: "ENV.2",
  title: "databases and caches take a final snapshot when deleted",
  fix: "set database.finalSnapshot: true (cache.finalSnapshot: true for the cache)",
  types: ["aws_db_instance", "aws_elasticache_replication_group"],
  check: (r) =>
    r.type === "aws_elasticache_replication_group"
      ? expect(Boolean(r.config.final_snapshot_identifier), "no final snapshot on deletion")
      : expect(r.config.skip_final_snapshot === false && Boolean(r.config.final_snapshot_identifier), "no final snapshot on deletion"),
};
