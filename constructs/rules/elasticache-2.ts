import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.2: ElastiCache clusters should have automatic minor version upgrades enabled. */
export const elasticache2: Rule = {
  id: "ElastiCache.2",
  title: "caches take minor engine upgrades automatically",
  fix: "leave auto_minor_version_upgrade on (the cache construct sets it)",
  types: ["aws_elasticache_replication_group"],
  check: (r) => expect(String(r.config.auto_minor_version_upgrade ?? "true") === "true", "auto_minor_version_upgrade is off"),
};
