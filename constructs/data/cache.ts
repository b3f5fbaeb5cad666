import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { PropsError } from "../core/errors";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import type { SecretSource } from "../compute/presets";
import { secretSource } from "./app-secrets";
import { CACHE_ENGINE_VERSIONS, CACHE_NODE_TYPE, CACHE_PORT, DEFAULT_CACHE_ENGINE_VERSION } from "./cache-settings";

export interface CacheProps {
  readonly naming: Naming;
  readonly network: Network;
  readonly region: string;
  readonly accountId: string;
  /** Secret names start with this, e.g. `webapp/staging`. */
  readonly secretPrefix: string;
  /** @default "valkey" */
  readonly engine?: "valkey" | "redis";
  /** Major.minor, one of {@link CACHE_ENGINE_VERSIONS}. @default "8.0" for Valkey, "7.1" for Redis OSS */
  readonly engineVersion?: string;
  /** e.g. cache.t4g.micro */
  readonly nodeType: string;
  /** Primary plus replicas. @default 1 */
  readonly nodes?: number;
  /** @default false */
  readonly automaticFailover?: boolean;
  /** @default false */
  readonly multiAz?: boolean;
  /** Days of daily snapshots; 0 turns them off. @default 0 */
  readonly snapshotRetentionDays?: number;
  /** @default "03:00-04:00" */
  readonly snapshotWindow?: string;
  /** @default "sun:05:00-sun:06:00" */
  readonly maintenanceWindow?: string;
  /** Snapshot the data when the replication group is deleted. @default true */
  readonly finalSnapshot?: boolean;
  /** Days a deleted AUTH token secret stays restorable. @default 30 */
  readonly recoveryWindowDays?: number;
}

/**
 * An ElastiCache replication group (Valkey or Redis OSS, cluster mode off) in the isolated subnets,
 * encrypted at rest and in transit (TLS required), reachable on 6379 only from the security groups
 * `allowFrom` names (the backend's, and workers').
 *
 * The AUTH token never passes through Terraform: the provider has no write-only `auth_token`, so a
 * token set here would sit in the state in plain text (trap T10). Terraform creates the secret empty,
 * like the app user's database password; you generate the token once and set it on both the secret
 * and the replication group with the commands of README "Operations" ("Cache AUTH token"). Until
 * then the backend cannot start (ECS refuses a secret without a value), so no task runs without it.
 */
export class Cache extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly subnetGroup: ElasticacheSubnetGroup;
  readonly securityGroup: SecurityGroup;
  readonly authTokenSecret: SecretsmanagerSecret;
  readonly authTokenSecretName: string;
  /** What ECS and IAM need for REDIS_PASSWORD, computed from the secret's name (known at plan time). */
  readonly authToken: SecretSource;
  /** The primary endpoint (reads and writes). */
  readonly host: string;
  readonly port: number = CACHE_PORT;
  readonly replicationGroupId: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { naming } = props;
    const engine = props.engine ?? "valkey";
    const engineVersion = props.engineVersion ?? DEFAULT_CACHE_ENGINE_VERSION[engine];
    validate(id, props, engine, engineVersion);
    const nodes = props.nodes ?? 1;
    const finalSnapshot = props.finalSnapshot ?? true;
    this.replicationGroupId = naming.name("cache", "cache");

    this.subnetGroup = new ElasticacheSubnetGroup(this, "subnet-group", {
      name: naming.name("dbGroup", "cache"),
      description: `Isolated subnets of ${naming.prefix} for the cache`,
      subnetIds: props.network.isolatedSubnets.map((s) => s.id),
    });
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.name("securityGroup", "cache"),
      // Nothing a user changes may appear here: a new description replaces the group.
      description: `Cache of ${naming.prefix}: ${CACHE_PORT} from the backend and workers only`,
      vpcId: props.network.vpc.id,
      tags: { Name: naming.name("tag", "cache") },
    });

    this.authTokenSecretName = `${props.secretPrefix}/cache/auth-token`;
    this.authTokenSecret = new SecretsmanagerSecret(this, "auth-token", {
      name: this.authTokenSecretName,
      description: `AUTH token of the ${props.secretPrefix} cache (REDIS_PASSWORD); created empty, set it and the replication group's token as README "Operations" says`,
      recoveryWindowInDays: props.recoveryWindowDays ?? 30,
    });
    this.authToken = secretSource({ secretsManager: this.authTokenSecretName }, props.region, props.accountId);

    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: this.replicationGroupId,
      description: `${engine} cache of ${naming.prefix}`,
      engine,
      engineVersion,
      nodeType: props.nodeType,
      port: CACHE_PORT,
      numCacheClusters: nodes,
      automaticFailoverEnabled: props.automaticFailover ?? false,
      multiAzEnabled: props.multiAz ?? false,
      subnetGroupName: this.subnetGroup.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: "true",
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      autoMinorVersionUpgrade: "true",
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 0,
      snapshotWindow: props.snapshotWindow ?? "03:00-04:00",
      maintenanceWindow: props.maintenanceWindow ?? "sun:05:00-sun:06:00",
      // Unique per cache lifetime (the creation time, frozen by ignore_changes), as for the database's final snapshot.
      finalSnapshotIdentifier: finalSnapshot ? `${this.replicationGroupId}-final-\${formatdate("YYYYMMDDhhmmss", timestamp())}` : undefined,
      applyImmediately: false,
      lifecycle: { ignoreChanges: ["final_snapshot_identifier"] },
    });
    this.host = this.replicationGroup.primaryEndpointAddress;
  }

  /** Lets `source` (a service's or worker's security group) reach the cache, with the matching egress rule on `source`. */
  allowFrom(id: string, source: SecurityGroup): void {
    new VpcSecurityGroupIngressRule(this, `ingress-${id}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: source.id,
      ipProtocol: "tcp",
      fromPort: CACHE_PORT,
      toPort: CACHE_PORT,
      description: `Cache from ${id}`,
    });
    new VpcSecurityGroupEgressRule(this, `egress-${id}`, {
      securityGroupId: source.id,
      referencedSecurityGroupId: this.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: CACHE_PORT,
      toPort: CACHE_PORT,
      description: "Cache (TLS) to the replication group",
    });
  }
}

function validate(id: string, props: CacheProps, engine: "valkey" | "redis", engineVersion: string): void {
  const problems: string[] = [];
  const nodes = props.nodes ?? 1;
  if (!CACHE_ENGINE_VERSIONS[engine].includes(engineVersion)) problems.push(`engineVersion ${JSON.stringify(engineVersion)} is not a ${engine} version this platform runs; allowed: ${CACHE_ENGINE_VERSIONS[engine].join(", ")}`);
  if (!CACHE_NODE_TYPE.test(props.nodeType)) problems.push(`nodeType ${JSON.stringify(props.nodeType)} is not a cache node type such as cache.t4g.micro`);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 6) problems.push(`nodes must be a whole number from 1 to 6; got ${nodes}`);
  if (props.automaticFailover && nodes < 2) problems.push(`automaticFailover needs nodes >= 2; got ${nodes}`);
  if (props.multiAz && !props.automaticFailover) problems.push("multiAz needs automaticFailover");
  const days = props.snapshotRetentionDays ?? 0;
  if (!Number.isInteger(days) || days < 0 || days > 35) problems.push(`snapshotRetentionDays must be a whole number from 0 to 35; got ${days}`);
  if (problems.length) throw new PropsError(`Cache "${id}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
