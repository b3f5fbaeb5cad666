/**
 * RDS for MySQL major versions this project accepts, with the end of RDS standard support.
 * After that date an instance either runs in paid RDS Extended Support (engine_lifecycle_support
 * "open-source-rds-extended-support") or RDS upgrades its major version by itself ("...-disabled").
 *
 * Source: Amazon RDS User Guide, "Supported MySQL major versions on Amazon RDS"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html#MySQL.Concepts.VersionMgmt.ReleaseCalendar),
 * read November 2026. Update this table (and its test) when AWS publishes a new major version.
 */
export interface MysqlMajorVersion {
  /** e.g. "8.4" */
  readonly major: string;
  /** RDS parameter group family. */
  readonly parameterGroupFamily: string;
  /** Last day of RDS standard support, ISO date. */
  readonly endOfStandardSupport: string;
}

export const MYSQL_VERSIONS: readonly MysqlMajorVersion[] = [
  { major: "8.0", parameterGroupFamily: "mysql8.0", endOfStandardSupport: "2026-07-31" },
  { major: "8.4", parameterGroupFamily: "mysql8.4", endOfStandardSupport: "2029-07-31" },
];

export const MYSQL_VERSIONS_SOURCE = "Amazon RDS User Guide, Supported MySQL major versions on Amazon RDS";

/** The major version ("8.4") of an engine version ("8.4" or "8.4.3"); throws for one this project does not know. */
export function mysqlMajor(engineVersion: string): MysqlMajorVersion {
  const major = engineVersion.split(".").slice(0, 2).join(".");
  const found = MYSQL_VERSIONS.find((v) => v.major === major);
  if (!found) throw new Error(`MySQL engine version "${engineVersion}" is not one of the known major versions: ${MYSQL_VERSIONS.map((v) => v.major).join(", ")}`);
  return found;
}

/**
 * A warning when `engineVersion` is past (or within `soonDays` of) the end of RDS standard support on `today`;
 * undefined when it is comfortably supported. `today` is a parameter so synth stays deterministic: only
 * the preview passes the real date.
 */
export function supportWarning(environment: string, engineVersion: string, lifecycleSupport: string, today: Date, soonDays = 180): string | undefined {
  const version = mysqlMajor(engineVersion);
  const end = new Date(`${version.endOfStandardSupport}T23:59:59Z`);
  const daysLeft = Math.floor((end.getTime() - today.getTime()) / 86_400_000);
  const upgrade = `upgrade to ${MYSQL_VERSIONS[MYSQL_VERSIONS.length - 1].major} (README "Operations": upgrading MySQL)`;
  if (daysLeft < 0) {
    const consequence =
      lifecycleSupport === "open-source-rds-extended-support"
        ? "the instance runs in paid RDS Extended Support"
        : "RDS will upgrade the major version by itself (engine_lifecycle_support is disabled), and a new instance cannot be created on it";
    return `${environment}: MySQL ${version.major} is past the end of RDS standard support (${version.endOfStandardSupport}); ${consequence}. Plan the ${upgrade}. Source: ${MYSQL_VERSIONS_SOURCE}.`;
  }
  if (daysLeft <= soonDays) {
    return `${environment}: MySQL ${version.major} leaves RDS standard support on ${version.endOfStandardSupport} (${daysLeft} days); plan the ${upgrade}. Source: ${MYSQL_VERSIONS_SOURCE}.`;
  }
  return undefined;
}
