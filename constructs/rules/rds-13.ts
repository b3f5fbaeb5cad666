import { expect, type Rule } from "./rule";

/** Security Hub RDS.13: RDS automatic minor version upgrades should be enabled. */
export const rds13: Rule = {
  id: "RDS.13",
  title: "databases take automatic minor version upgrades",
  fix: "set auto_minor_version_upgrade = true",
  types: ["aws_db_instance"],
  // AWS's default is true, so only an explicit false fails.
  check: (r) => expect(r.config.auto_minor_version_upgrade !== false, "auto_minor_version_upgrade is false"),
};
