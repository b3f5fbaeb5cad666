import { expect, type Rule } from "./rule";

/**
 * Security Hub RDS.9: RDS DB instances should publish logs to CloudWatch Logs. This project requires
 * the error and slow query logs for MySQL; the general and audit logs are opt-in (volume and cost).
 */
export const rds9: Rule = {
  id: "RDS.9",
  title: "databases export their error and slow query logs to CloudWatch",
  fix: 'set enabled_cloudwatch_logs_exports to include "error" and "slowquery"',
  types: ["aws_db_instance"],
  check: (r) => {
    const exported: string[] = r.config.enabled_cloudwatch_logs_exports ?? [];
    const missing = ["error", "slowquery"].filter((log) => !exported.includes(log));
    return expect(missing.length === 0, `${missing.join(", ")} not exported`);
  },
};
