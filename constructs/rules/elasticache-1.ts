import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.1: ElastiCache (Redis OSS) clusters should have automatic backups enabled. */
export const elasticache1: Rule = {
  id: "ElastiCache.1",
  title: "caches take daily snapshots",
  fix: "set cache.snapshotRetentionDays to 1 or more",
  types: ["aws_elasticache_replication_group"],
  check: (r) => expect((r.config.snapshot_retention_limit ?? 0) >= 1, `snapshot_retention_limit is ${r.config.snapshot_retention_limit ?? 0}`),
};
