import { expect, notApplicable, type Rule } from "./rule";

/**
 * Security Hub ElastiCache.6: replication groups of Redis OSS before 6.0 should have AUTH enabled. Newer
 * engines are not applicable (the cache construct only runs 7.0 and newer, with the AUTH token set out of
 * band: README "Operations").
 */
export const elasticache6: Rule = {
  id: "ElastiCache.6",
  title: "Redis OSS caches before 6.0 use AUTH",
  fix: "upgrade to Redis OSS 7 or Valkey (cache.engine, cache.engineVersion), or give the group an auth_token or user group",
  types: ["aws_elasticache_replication_group"],
  check: (r) => {
    const engine = r.config.engine ?? "redis";
    const major = Number(String(r.config.engine_version ?? "").split(".")[0]);
    if (engine !== "redis" || !Number.isFinite(major) || major >= 6) return notApplicable;
    return expect(Boolean(r.config.auth_token) || (r.config.user_group_ids ?? []).length > 0, `Redis OSS ${r.config.engine_version} without AUTH or RBAC`);
  },
};
