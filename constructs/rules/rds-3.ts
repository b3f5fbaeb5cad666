import { expect, type Rule } from "./rule";

/** Security Hub RDS.3: RDS DB instances should have encryption at rest enabled. */
export const rds3: Rule = {
  id: "RDS.3",
  title: "databases are encrypted at rest",
  fix: "set storage_encrypted = true (needs a new instance from an encrypted snapshot when changing)",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.storage_encrypted === true, "storage_encrypted is not true"),
};
