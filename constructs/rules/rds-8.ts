import { expect, type Rule } from "./rule";

/** Security Hub RDS.8: RDS DB instances should have deletion protection enabled. */
export const rds8: Rule = {
  id: "RDS.8",
  title: "databases have deletion protection",
  fix: "set database.deletionProtection: true",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.deletion_protection === true, "deletion_protection is not true"),
};
