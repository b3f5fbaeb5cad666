import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import { PropsError } from "../core/errors";
import { mysqlMajor } from "./mysql-versions";

/** The MySQL port. */
export const MYSQL_PORT = 3306;
/** RDS log exports, each pre-created as a log group with retention (RDS would create them without). */
const LOG_EXPORTS = ["error", "slowquery"] as const;

export interface DatabaseProps {
  readonly naming: Naming;
  readonly network: Network;
  /** e.g. db.t4g.micro */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. @default allocatedStorageGiB (no autoscaling) */
  readonly maxAllocatedStorageGiB?: number;
  /** MySQL 8.4 or 8.0; the parameter group family follows it. @default "8.4" */
  readonly engineVersion?: string;
  /** RDS Extended Support after the end of standard support (README "Operations"). @default "open-source-rds-extended-support" */
  readonly engineLifecycleSupport?: string;
  /** Lets a plan change the major version; only during a reviewed upgrade. @default false */
  readonly allowMajorVersionUpgrade?: boolean;
  /** Apply changes now rather than in the maintenance window (a major upgrade needs it). @default false */
  readonly applyImmediately?: boolean;
  /** Slow query log threshold in seconds. @default 1 */
  readonly longQueryTimeSeconds?: number;
  /** @default "app" */
  readonly databaseName?: string;
  /** @default "app" */
  readonly username?: string;
  /** @default false */
  readonly multiAz?: boolean;
  /** Days of automated backups (0 disables them). @default 7 */
  readonly backupRetentionDays?: number;
  /** AWS refuses to delete the instance while on. @default true */
  readonly deletionProtection?: boolean;
  /** Snapshot the database when it is deleted. @default true */
  readonly finalSnapshot?: boolean;
  /** Terraform `prevent_destroy`: a plan that deletes the instance fails. @default true */
  readonly preventDestroy?: boolean;
  /** Retention of the exported error and slow-query logs. @default 365 */
  readonly logRetentionDays?: number;
}

/**
 * RDS MySQL (8.4 or 8.0) in the isolated subnets. The master password is generated and rotated by RDS in
 * Secrets Manager (`manage_master_user_password`): it never appears in code or Terraform state.
 * Storage is encrypted gp3; TLS is required by the parameter group; nothing can reach port 3306
 * until `allowFrom` names a security group (the backend's).
 */
export class Database extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  readonly subnetGroup: DbSubnetGroup;
  readonly parameterGroup: DbParameterGroup;
  /** Host name of the instance (no port). */
  readonly host: string;
  readonly port: string;
  readonly databaseName: string;
  readonly username: string;
  /** ARN of the RDS-managed secret holding `username` and `password`. */
  readonly masterSecretArn: string;
  /** The instance identifier, from config (known at plan time). */
  readonly identifier: string;
  /** Log group of the exported slow query log. */
  readonly slowQueryLogGroupName: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { naming } = props;
    const maxStorage = props.maxAllocatedStorageGiB ?? props.allocatedStorageGiB;
    if (maxStorage < props.allocatedStorageGiB) {
      throw new PropsError(`Database "${id}": maxAllocatedStorageGiB (${maxStorage}) must be at least allocatedStorageGiB (${props.allocatedStorageGiB})`);
    }
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 0 || backupRetentionDays > 35) {
      throw new PropsError(`Database "${id}": backupRetentionDays must be a whole number from 0 to 35; got ${backupRetentionDays}`);
    }
    const identifier = naming.name("dbInstance", "mysql");
    this.identifier = identifier;
    this.slowQueryLogGroupName = `/aws/rds/instance/${identifier}/slowquery`;
    const engineVersion = props.engineVersion ?? "8.4";
    let version;
    try {
      version = mysqlMajor(engineVersion);
    } catch (error) {
      throw new PropsError(`Database "${id}": ${(error as Error).message}`);
    }
    this.databaseName = props.databaseName ?? "app";
    this.username = props.username ?? "app";

    this.subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: naming.name("dbGroup", "mysql"),
      description: `Isolated subnets of ${naming.prefix} for MySQL`,
      subnetIds: props.network.isolatedSubnets.map((s) => s.id),
    });

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.name("securityGroup", "mysql"),
      description: `MySQL of ${naming.prefix}: ${MYSQL_PORT} from the backend only`,
      vpcId: props.network.vpc.id,
      tags: { Name: naming.name("tag", "mysql") },
    });

    // Parameter groups are replaced when the family changes; the family in the name (mysql80, mysql84) lets the
    // new one exist before the instance switches to it, and keeps the 8.0 group's name and description unchanged.
    this.parameterGroup = new DbParameterGroup(this, "parameters", {
      name: naming.name("dbGroup", `mysql${version.major.replace(".", "")}`),
      family: version.parameterGroupFamily,
      description: `MySQL ${version.major} settings of ${naming.prefix}: utf8mb4, TLS required`,
      parameter: [
        { name: "character_set_server", value: "utf8mb4" },
        { name: "collation_server", value: "utf8mb4_0900_ai_ci" },
        { name: "require_secure_transport", value: "ON" },
        // The exported slowquery log stays empty unless MySQL writes it, to a file (RDS defaults to TABLE).
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: String(props.longQueryTimeSeconds ?? 1) },
        { name: "log_output", value: "FILE" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    const logGroups = LOG_EXPORTS.map(
      (log) =>
        new CloudwatchLogGroup(this, `log-${log}`, {
          name: `/aws/rds/instance/${identifier}/${log}`,
          retentionInDays: props.logRetentionDays ?? 365,
        }),
    );

    this.instance = new DbInstance(this, "instance", {
      identifier,
      engine: "mysql",
      engineVersion,
      engineLifecycleSupport: props.engineLifecycleSupport ?? "open-source-rds-extended-support",
      allowMajorVersionUpgrade: props.allowMajorVersionUpgrade ?? false,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: maxStorage,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: this.databaseName,
      username: this.username,
      manageMasterUserPassword: true,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: this.parameterGroup.name,
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      backupRetentionPeriod: backupRetentionDays,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: !(props.finalSnapshot ?? true),
      // Unique per database lifetime: the creation time, frozen by ignore_changes. A fixed name would make the
      // destroy of a rebuilt environment fail while the previous final snapshot still exists.
      finalSnapshotIdentifier: props.finalSnapshot ?? true ? `${identifier}-final-\${formatdate("YYYYMMDDhhmmss", timestamp())}` : undefined,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      applyImmediately: props.applyImmediately ?? false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true, ignoreChanges: ["final_snapshot_identifier"] },
      dependsOn: logGroups,
    });

    this.host = this.instance.address;
    this.port = Token.asString(this.instance.port);
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }

  /** Lets `source` (a service's security group) reach MySQL, with the matching egress rule on `source`. */
  allowFrom(id: string, source: SecurityGroup): void {
    new VpcSecurityGroupIngressRule(this, `ingress-${id}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: source.id,
      ipProtocol: "tcp",
      fromPort: MYSQL_PORT,
      toPort: MYSQL_PORT,
      description: `MySQL from ${id}`,
    });
    new VpcSecurityGroupEgressRule(this, `egress-${id}`, {
      securityGroupId: source.id,
      referencedSecurityGroupId: this.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: MYSQL_PORT,
      toPort: MYSQL_PORT,
      description: "MySQL to the database",
    });
  }
}
