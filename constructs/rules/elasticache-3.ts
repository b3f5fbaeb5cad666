import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.3: ElastiCache replication groups should have automatic failover enabled. */
export const elasticache3: Rule = {
  id: "ElastiCache.3",
  title: "caches fail over to a replica automatically, in another zone",
  fix: "set cache.nodes to 2 or more, cache.automaticFailover: true and cache.multiAz: true",
  types: ["aws_elasticache_replication_group"],
  check: (r) =>
    expect(r.config.automatic_failover_enabled === true && r.config.multi_az_enabled === true, `automatic_failover_enabled is ${r.config.automatic_failover_enabled ?? false}, multi_az_enabled is ${r.config.multi_az_enabled ?? false}`),
};
