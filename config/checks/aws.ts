/**
 * AWS identifiers checked against the tables shipped in config/data (each file names its source and
 * the date it was compiled): region codes, the zones of each region, MySQL DB instance classes.
 */
import regionsTable from "../data/aws-regions.json";
import instanceClassTable from "../data/rds-mysql-instance-classes.json";
import { didYouMean } from "./suggest";

const ZONES: Readonly<Record<string, readonly string[]>> = regionsTable.regions;
export const REGIONS: readonly string[] = Object.keys(ZONES);
export const MYSQL_INSTANCE_CLASSES: readonly string[] = instanceClassTable.classes;
const TABLE_NOTE = `(table config/data/aws-regions.json, compiled ${regionsTable._retrieved}; add a region there if AWS opened a new one)`;

/** Why `region` is not an AWS region code, or undefined. */
export function regionProblem(region: string): string | undefined {
  if (REGIONS.includes(region)) return undefined;
  return `is not an AWS region${didYouMean(region, REGIONS)}; use a region code such as eu-west-1 or us-east-2 ${TABLE_NOTE}`;
}

/** The zones of a known region. */
export function zonesOf(region: string): readonly string[] {
  return ZONES[region] ?? [];
}

/** Why `zone` is not an availability zone of `region`, or undefined (also undefined for an unknown region: that is reported on region). */
export function zoneProblem(region: string, zone: string): string | undefined {
  const zones = ZONES[region];
  if (!zones || zones.includes(zone)) return undefined;
  const owner = REGIONS.find((r) => ZONES[r].includes(zone));
  if (owner) return `is a zone of region ${owner}, not of region ${region}; zones of ${region}: ${zones.join(", ")}`;
  return `is not an availability zone of region ${region}${didYouMean(zone, zones)}; zones of ${region}: ${zones.join(", ")}`;
}

/** Why `instanceClass` is not an RDS for MySQL instance class, or undefined. */
export function instanceClassProblem(instanceClass: string): string | undefined {
  if (MYSQL_INSTANCE_CLASSES.includes(instanceClass)) return undefined;
  const family = instanceClass.split(".").slice(0, 2).join(".");
  const sameFamily = MYSQL_INSTANCE_CLASSES.filter((c) => c.startsWith(`${family}.`));
  const hint = sameFamily.length ? `; sizes of ${family}: ${sameFamily.map((c) => c.split(".")[2]).join(", ")}` : "; for example db.t4g.micro, db.t4g.medium, db.m7g.large, db.r7g.large";
  return `is not a DB instance class that RDS for MySQL offers${didYouMean(instanceClass, MYSQL_INSTANCE_CLASSES)}${hint} (table config/data/rds-mysql-instance-classes.json, compiled ${instanceClassTable._retrieved})`;
}
