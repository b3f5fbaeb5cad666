import { expect, type Rule } from "./rule";

/** Security Hub RDS.11: RDS instances should have automatic backups enabled (at least 7 days retention). */
export const rds11: Rule = {
  id: "RDS.11",
  title: "databases keep automatic backups for at least 7 days",
  fix: "set database.backupRetentionDays to 7 or more",
  types: ["aws_db_instance"],
  check: (r) => expect((r.config.backup_retention_period ?? 0) >= 7, `backup_retention_period is ${r.config.backup_retention_period ?? 0}`),
};
