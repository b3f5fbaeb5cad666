import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { PropsError } from "../core/errors";
import type { LoadBalancer } from "../edge/load-balancer";
import type { Naming } from "../core/naming";

/** Who receives an environment's alarms. */
export type AlarmSubscriber = { readonly email: string } | { readonly lambdaArn: string };

export interface AlarmThresholds {
  readonly loadBalancer5xxPercent: number;
  readonly target5xxPerFiveMinutes: number;
  readonly p95ResponseSeconds: number;
  readonly serviceCpuPercent: number;
  readonly serviceMemoryPercent: number;
  readonly databaseCpuPercent: number;
  readonly databaseFreeStorageGiB: number;
  readonly databaseFreeableMemoryMiB: number;
  readonly databaseConnections: number;
}

/** One ECS service behind the load balancer, by the names known from config. */
export interface MonitoredService {
  readonly serviceName: string;
  /** Key of the service's target group in `loadBalancer.targetGroups`. */
  readonly targetGroup: "frontend" | "backend";
  /** Fewest tasks that should be running (desiredCount, or autoscaling minCount). */
  readonly minTasks: number;
}

export interface AlarmsProps {
  readonly naming: Naming;
  readonly loadBalancer: LoadBalancer;
  readonly clusterName: string;
  /** By short key, e.g. `backend`; the key is part of each alarm's name. */
  readonly services: Readonly<Record<string, MonitoredService>>;
  /** RDS instance identifier. */
  readonly databaseIdentifier: string;
  readonly thresholds: AlarmThresholds;
  /** @default none (the alarms still change state and show on the dashboard, but page nobody) */
  readonly subscribers?: readonly AlarmSubscriber[];
  /** Running-task alarms use Container Insights' RunningTaskCount when on, healthy targets otherwise. @default false */
  readonly containerInsights?: boolean;
}

const FIVE_MINUTES = 300;

/**
 * What pages whom: one SNS topic per environment, its subscribers from config, and CloudWatch alarms on
 * the load balancer, each service and the database, all notifying the topic. Each service's 5xx and
 * unhealthy-host alarms are its deployment alarms (`deploymentAlarmNames`): ECS rolls a deployment
 * back when one fires, not only when the circuit breaker trips.
 */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  /** Alarm names ECS watches during a deployment of each service (same keys as `services`). */
  readonly deploymentAlarmNames: Record<string, string[]> = {};
  private readonly props: AlarmsProps;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.props = props;
    validate(id, props.thresholds);
    const { naming, loadBalancer: lb, thresholds: t } = props;

    this.topic = new SnsTopic(this, "topic", { name: naming.name("monitoring", "alarms") });
    (props.subscribers ?? []).forEach((subscriber, i) => {
      if ("email" in subscriber) {
        new SnsTopicSubscription(this, `subscriber-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: subscriber.email });
      } else {
        new LambdaPermission(this, `subscriber-${i}-permission`, {
          statementId: `${naming.prefix}-alarms`,
          action: "lambda:InvokeFunction",
          functionName: subscriber.lambdaArn,
          principal: "sns.amazonaws.com",
          sourceArn: this.topic.arn,
        });
        new SnsTopicSubscription(this, `subscriber-${i}`, { topicArn: this.topic.arn, protocol: "lambda", endpoint: subscriber.lambdaArn });
      }
    });

    const albDims = { LoadBalancer: lb.alb.arnSuffix };
    this.alarm("alb-5xx-rate", `More than ${t.loadBalancer5xxPercent}% of requests got a 5xx from the load balancer itself (no healthy target, timeouts) over 5 minutes`, {
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.loadBalancer5xxPercent,
      evaluationPeriods: 1,
      metricQuery: [
        { id: "errors", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: albDims, period: FIVE_MINUTES, stat: "Sum" } },
        { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: albDims, period: FIVE_MINUTES, stat: "Sum" } },
        { id: "rate", expression: "100 * FILL(errors, 0) / FILL(requests, 1)", label: "5xx % of requests", returnData: true },
      ],
    });

    for (const [key, svc] of Object.entries(props.services)) {
      const tgDims = { LoadBalancer: lb.alb.arnSuffix, TargetGroup: lb.targetGroups[svc.targetGroup].arnSuffix };
      const ecsDims = { ClusterName: props.clusterName, ServiceName: svc.serviceName };
      const target5xx = this.alarm(`${key}-target-5xx`, `${key} answered more than ${t.target5xxPerFiveMinutes} requests with a 5xx in 5 minutes`, {
        ...single("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgDims, "Sum", FIVE_MINUTES),
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.target5xxPerFiveMinutes,
        evaluationPeriods: 1,
      });
      const unhealthy = this.alarm(`${key}-unhealthy-hosts`, `${key} has unhealthy targets in its target group for 3 minutes`, {
        ...single("AWS/ApplicationELB", "UnHealthyHostCount", tgDims, "Maximum", 60),
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 3,
      });
      this.deploymentAlarmNames[key] = [target5xx.alarmName, unhealthy.alarmName];
      this.alarm(`${key}-p95-response`, `${key}'s p95 response time is above ${t.p95ResponseSeconds} s over 5 minutes`, {
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: tgDims,
        extendedStatistic: "p95",
        period: FIVE_MINUTES,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.p95ResponseSeconds,
        evaluationPeriods: 1,
      });
      if (props.containerInsights) {
        this.alarm(`${key}-tasks-below-desired`, `${key} runs fewer tasks than desired for 5 minutes`, {
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          evaluationPeriods: 5,
          treatMissingData: "breaching",
          metricQuery: [
            { id: "running", metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: ecsDims, period: 60, stat: "Minimum" } },
            { id: "desired", metric: { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions: ecsDims, period: 60, stat: "Maximum" } },
            { id: "missing", expression: "desired - running", label: "tasks missing", returnData: true },
          ],
        });
      } else {
        // Without Container Insights ECS publishes no task count; healthy targets are the tasks that serve.
        this.alarm(`${key}-tasks-below-desired`, `${key} has fewer than ${svc.minTasks} healthy tasks for 5 minutes`, {
          ...single("AWS/ApplicationELB", "HealthyHostCount", tgDims, "Minimum", 60),
          comparisonOperator: "LessThanThreshold",
          threshold: svc.minTasks,
          evaluationPeriods: 5,
          treatMissingData: "breaching",
        });
      }
      this.alarm(`${key}-cpu`, `${key}'s average CPU is above ${t.serviceCpuPercent}% for 15 minutes`, {
        ...single("AWS/ECS", "CPUUtilization", ecsDims, "Average", FIVE_MINUTES),
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.serviceCpuPercent,
        evaluationPeriods: 3,
      });
      this.alarm(`${key}-memory`, `${key}'s average memory is above ${t.serviceMemoryPercent}% for 15 minutes`, {
        ...single("AWS/ECS", "MemoryUtilization", ecsDims, "Average", FIVE_MINUTES),
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.serviceMemoryPercent,
        evaluationPeriods: 3,
      });
    }

    const dbDims = { DBInstanceIdentifier: props.databaseIdentifier };
    this.alarm("db-cpu", `The database's CPU is above ${t.databaseCpuPercent}% for 15 minutes`, {
      ...single("AWS/RDS", "CPUUtilization", dbDims, "Average", FIVE_MINUTES),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.databaseCpuPercent,
      evaluationPeriods: 3,
    });
    this.alarm("db-free-storage", `The database has less than ${t.databaseFreeStorageGiB} GiB of free storage`, {
      ...single("AWS/RDS", "FreeStorageSpace", dbDims, "Minimum", FIVE_MINUTES),
      comparisonOperator: "LessThanThreshold",
      threshold: t.databaseFreeStorageGiB * 1024 ** 3,
      evaluationPeriods: 1,
    });
    this.alarm("db-freeable-memory", `The database has less than ${t.databaseFreeableMemoryMiB} MiB of freeable memory for 15 minutes`, {
      ...single("AWS/RDS", "FreeableMemory", dbDims, "Minimum", FIVE_MINUTES),
      comparisonOperator: "LessThanThreshold",
      threshold: t.databaseFreeableMemoryMiB * 1024 ** 2,
      evaluationPeriods: 3,
    });
    this.alarm("db-connections", `The database has more than ${t.databaseConnections} connections for 10 minutes`, {
      ...single("AWS/RDS", "DatabaseConnections", dbDims, "Maximum", FIVE_MINUTES),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.databaseConnections,
      evaluationPeriods: 2,
    });
  }

  /** An alarm named `<prefix>-<component>` that notifies the topic when it fires and when it clears. */
  private alarm(component: string, description: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmName">): CloudwatchMetricAlarm {
    const alarm = new CloudwatchMetricAlarm(this, component, {
      alarmName: this.props.naming.name("monitoring", component),
      alarmDescription: description,
      treatMissingData: "notBreaching",
      ...config,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    this.alarms.push(alarm);
    return alarm;
  }
}

function single(namespace: string, metricName: string, dimensions: Record<string, string>, statistic: string, period: number) {
  return { namespace, metricName, dimensions, statistic, period };
}

function validate(id: string, t: AlarmThresholds): void {
  const problems = Object.entries(t)
    .filter(([, value]) => typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    .map(([name, value]) => `thresholds.${name} must be a positive number; got ${value}`);
  if (t.serviceCpuPercent > 100 || t.serviceMemoryPercent > 100 || t.databaseCpuPercent > 100 || t.loadBalancer5xxPercent > 100) {
    problems.push("percent thresholds must be at most 100");
  }
  if (problems.length) throw new PropsError(`Alarms "${id}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
