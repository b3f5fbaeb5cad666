import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Construct } from "constructs";

export interface ClusterProps {
  readonly clusterName: string;
  /** Log group for ECS Exec session transcripts. */
  readonly execLogGroupName: string;
  /**
   * CloudWatch Container Insights (per-task metrics; costs extra).
   * @default false
   */
  readonly containerInsights?: boolean;
  /**
   * Retention of the ECS Exec session logs.
   * @default 365
   */
  readonly execLogRetentionDays?: number;
}

/**
 * The ECS cluster: Fargate and Fargate Spot capacity providers, optional Container Insights,
 * and ECS Exec sessions logged to CloudWatch (who ran what in a production container is on record).
 */
export class Cluster extends Construct {
  readonly cluster: EcsCluster;
  readonly capacityProviders: EcsClusterCapacityProviders;
  readonly execLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    this.execLogGroup = new CloudwatchLogGroup(this, "exec-logs", {
      name: props.execLogGroupName,
      retentionInDays: props.execLogRetentionDays ?? 365,
    });
    this.cluster = new EcsCluster(this, "cluster", {
      name: props.clusterName,
      setting: [{ name: "containerInsights", value: props.containerInsights ? "enabled" : "disabled" }],
      configuration: {
        executeCommandConfiguration: {
          logging: "OVERRIDE",
          logConfiguration: { cloudWatchLogGroupName: this.execLogGroup.name },
        },
      },
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
    });
  }
}
