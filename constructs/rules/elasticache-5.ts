import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.5: ElastiCache replication groups should be encrypted in transit (here: TLS required, not preferred). */
export const elasticache5: Rule = {
  id: "ElastiCache.5",
  title: "caches require TLS",
  fix: "set transit_encryption_enabled and transit_encryption_mode = required (the cache construct does)",
  types: ["aws_elasticache_replication_group"],
  check: (r) =>
    expect(
      r.config.transit_encryption_enabled === true && (r.config.transit_encryption_mode ?? "required") === "required",
      `transit_encryption_enabled is ${r.config.transit_encryption_enabled ?? false}, transit_encryption_mode is ${r.config.transit_encryption_mode ?? "unset"}`,
    ),
};
