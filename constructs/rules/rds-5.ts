import { expect, type Rule } from "./rule";

/** Security Hub RDS.5: RDS DB instances should be configured with multiple Availability Zones. */
export const rds5: Rule = {
  id: "RDS.5",
  title: "databases run Multi-AZ",
  fix: "set database.multiAz: true",
  types: ["aws_db_instance"],
  check: (r) => expect(r.config.multi_az === true, "multi_az is not true"),
};
