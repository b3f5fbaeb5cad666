import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.4: ElastiCache replication groups should be encrypted at rest. */
export const elasticache4: Rule = {
  id: "ElastiCache.4",
  title: "caches are encrypted at rest",
  fix: "set at_rest_encryption_enabled (the cache construct does; it can only be set when the cache is created)",
  types: ["aws_elasticache_replication_group"],
  check: (r) => expect(String(r.config.at_rest_encryption_enabled) === "true", "at_rest_encryption_enabled is not true"),
};
