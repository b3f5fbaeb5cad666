import { expect, type Rule } from "./rule";

/** Security Hub RDS.2: RDS DB instances should prohibit public access. */
export const rds2: Rule = {
  id: "RDS.2",
  title: "databases are not publicly accessible",
  fix: "set publicly_accessible = false and keep the instance in isolated subnets",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.publicly_accessible !== true, "publicly_accessible is true"),
};
