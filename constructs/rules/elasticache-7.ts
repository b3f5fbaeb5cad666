import { expect, type Rule } from "./rule";

/** Security Hub ElastiCache.7: ElastiCache clusters should not use the default subnet group. */
export const elasticache7: Rule = {
  id: "ElastiCache.7",
  title: "caches use their own subnet group (the isolated subnets)",
  fix: "set subnet_group_name to the cache's own subnet group (the cache construct does)",
  types: ["aws_elasticache_replication_group"],
  check: (r) => {
    const name = r.config.subnet_group_name;
    return expect(typeof name === "string" && name !== "" && name !== "default", `subnet_group_name is ${JSON.stringify(name ?? "default")}`);
  },
};
