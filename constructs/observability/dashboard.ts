import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import type { MonitoredService } from "./alarms";
import type { LoadBalancer } from "../edge/load-balancer";
import type { Naming } from "../core/naming";

export interface DashboardProps {
  readonly naming: Naming;
  readonly region: string;
  readonly loadBalancer: LoadBalancer;
  readonly clusterName: string;
  readonly services: Readonly<Record<string, MonitoredService>>;
  readonly databaseIdentifier: string;
  /** Shown as one alarm-status widget at the top. @default none */
  readonly alarms?: readonly CloudwatchMetricAlarm[];
}

type Metric = (string | Record<string, unknown>)[];

/** One CloudWatch dashboard per environment: alarms, load balancer, services and database on one page. */
export class Dashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { loadBalancer: lb, region } = props;
    const alb = lb.alb.arnSuffix;
    const services = Object.entries(props.services);
    const tg = (svc: MonitoredService) => lb.targetGroups[svc.targetGroup].arnSuffix;
    const graph = (title: string, metrics: Metric[], extra: Record<string, unknown> = {}) => ({
      type: "metric",
      width: 8,
      height: 6,
      properties: { title, region, view: "timeSeries", stacked: false, period: 300, metrics, ...extra },
    });
    const db = (name: string, stat: string): Metric => ["AWS/RDS", name, "DBInstanceIdentifier", props.databaseIdentifier, { stat }];

    const widgets: Record<string, unknown>[] = [];
    if (props.alarms?.length) {
      widgets.push({ type: "alarm", width: 24, height: 4, properties: { title: "Alarms", alarms: props.alarms.map((a) => a.arn), sortBy: "stateUpdatedTimestamp" } });
    }
    widgets.push(
      graph("Load balancer: requests and 5xx", [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", alb, { stat: "Sum" }],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", alb, { stat: "Sum" }],
        ...services.map(([key, svc]): Metric => ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", alb, "TargetGroup", tg(svc), { stat: "Sum", label: `${key} 5xx` }]),
      ]),
      graph(
        "Response time p95 (s)",
        services.map(([key, svc]): Metric => ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb, "TargetGroup", tg(svc), { stat: "p95", label: key }]),
      ),
      graph(
        "Healthy / unhealthy targets",
        services.flatMap(([key, svc]): Metric[] => [
          ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", alb, "TargetGroup", tg(svc), { stat: "Minimum", label: `${key} healthy` }],
          ["AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", alb, "TargetGroup", tg(svc), { stat: "Maximum", label: `${key} unhealthy` }],
        ]),
      ),
      graph(
        "Services: CPU %",
        services.map(([key, svc]): Metric => ["AWS/ECS", "CPUUtilization", "ClusterName", props.clusterName, "ServiceName", svc.serviceName, { stat: "Average", label: key }]),
        { yAxis: { left: { min: 0, max: 100 } } },
      ),
      graph(
        "Services: memory %",
        services.map(([key, svc]): Metric => ["AWS/ECS", "MemoryUtilization", "ClusterName", props.clusterName, "ServiceName", svc.serviceName, { stat: "Average", label: key }]),
        { yAxis: { left: { min: 0, max: 100 } } },
      ),
      graph("Database: CPU % and connections", [db("CPUUtilization", "Average"), [...db("DatabaseConnections", "Maximum").slice(0, 4), { stat: "Maximum", yAxis: "right" }]]),
      graph("Database: free storage and freeable memory (bytes)", [db("FreeStorageSpace", "Minimum"), db("FreeableMemory", "Minimum")]),
    );

    this.dashboardName = props.naming.name("monitoring", "operations");
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }
}
