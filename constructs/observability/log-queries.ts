import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import { Construct } from "constructs";

export interface LogQueriesProps {
  /** Saved queries appear under this folder in CloudWatch Logs Insights, e.g. `webapp-staging`. */
  readonly folder: string;
  /** Log group of each service, by short key. */
  readonly serviceLogGroups: Readonly<Record<string, string>>;
  /** The log group and stream prefix the migration task writes to. */
  readonly migration: { readonly logGroup: string; readonly streamPrefix: string };
  /** The RDS slow query log group. */
  readonly slowQueryLogGroup: string;
}

/**
 * CloudWatch Logs Insights saved queries that answer the first questions of an incident:
 * which service is throwing errors, which requests (and queries) are slow, what did the last migration say.
 */
export class LogQueries extends Construct {
  readonly queries: Record<string, CloudwatchQueryDefinition> = {};

  constructor(scope: Construct, id: string, props: LogQueriesProps) {
    super(scope, id);
    const services = Object.values(props.serviceLogGroups);
    const query = (key: string, title: string, logGroupNames: string[], queryString: string) => {
      this.queries[key] = new CloudwatchQueryDefinition(this, key, { name: `${props.folder}/${title}`, logGroupNames, queryString });
    };
    query(
      "errors",
      "Errors per service",
      services,
      [
        "fields @timestamp, @log, @message",
        "| filter @message like /(?i)(error|exception|fatal|critical)/",
        "| stats count(*) as errors by @log, bin(5m)",
        "| sort errors desc",
      ].join("\n"),
    );
    query(
      "slow-requests",
      "Slowest requests",
      services,
      // Laravel, Rails (lograge) and Next.js request logs in JSON carry a duration; plain lines are skipped.
      [
        "fields @timestamp, @log, coalesce(duration_ms, duration, elapsed_ms) as ms, coalesce(path, url, request_uri) as request, status",
        "| filter ispresent(ms)",
        "| sort ms desc",
        "| limit 50",
      ].join("\n"),
    );
    query(
      "migrations",
      "Migration output",
      [props.migration.logGroup],
      [`fields @timestamp, @logStream, @message`, `| filter @logStream like /^${props.migration.streamPrefix}\\//`, "| sort @timestamp desc", "| limit 500"].join("\n"),
    );
    query(
      "slow-queries",
      "Slowest database queries",
      [props.slowQueryLogGroup],
      [
        "parse @message /Query_time: (?<query_seconds>[\\d.]+)\\s+Lock_time: (?<lock_seconds>[\\d.]+)\\s+Rows_sent: (?<rows_sent>\\d+)\\s+Rows_examined: (?<rows_examined>\\d+)/",
        "| filter ispresent(query_seconds)",
        "| sort query_seconds desc",
        "| limit 50",
      ].join("\n"),
    );
  }
}
