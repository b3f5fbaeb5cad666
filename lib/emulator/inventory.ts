/**
 * What the emulator holds, read through the same AWS APIs a user's tools call (List / Describe per
 * service), so "destroy left nothing behind" is checked, not assumed. Each entry is `kind: id`.
 * Things that exist in a fresh account (default VPC and its parts, default parameter groups) are
 * left out by comparing with a snapshot taken before the stack was applied.
 */
import { gatewayFor } from "./gateway";
import { signedFor } from "./setup";
import type { Emulator } from "./moto";

async function call(emulator: Emulator, init: { service: string; region: string; path?: string; method?: string; body?: string; headers?: Record<string, string> }): Promise<string> {
  const response = await fetch(`${emulator.endpoint}${init.path ?? "/"}`, {
    method: init.method ?? "POST",
    body: init.body,
    headers: { authorization: signedFor(init.service, init.region), ...init.headers },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.service} ${init.body ?? init.path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return text;
}

/** A Query-protocol action (EC2, RDS, ELBv2, IAM); returns the distinct values of `<tag>` in the answer. */
async function queryIds(emulator: Emulator, service: string, region: string, version: string, action: string, tag: string, params: Record<string, string> = {}): Promise<string[]> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  const xml = await call(emulator, { service, region, body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  return [...new Set([...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, "g"))].map((m) => m[1]))];
}

/** A JSON-protocol action (ECR, ECS, Secrets Manager, Logs, ACM, Application Auto Scaling, EventBridge, Step Functions). */
async function jsonCall<T>(emulator: Emulator, service: string, region: string, target: string, body: object = {}): Promise<T> {
  return JSON.parse(await call(emulator, { service, region, body: JSON.stringify(body), headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target } })) as T;
}

/** What the gateway in front of moto holds for the calls moto lacks (lib/emulator/gateway.ts). */
async function gatewayQueryDefinitions(emulator: Emulator, region: string): Promise<string[]> {
  return (await gatewayFor(emulator.endpoint)).state.queryDefinitions(region).map((q) => q.name);
}

/** Everything the stacks can create, as `kind: id` strings, in `region` (plus the global IAM, S3 and Route53 zones given). */
export async function inventory(emulator: Emulator, region: string, hostedZoneIds: readonly string[] = []): Promise<string[]> {
  const ec2 = (action: string, tag: string, params?: Record<string, string>) => queryIds(emulator, "ec2", region, "2016-11-15", action, tag, params);
  const rds = (action: string, tag: string) => queryIds(emulator, "rds", region, "2014-10-31", action, tag);
  const elb = (action: string, tag: string) => queryIds(emulator, "elasticloadbalancing", region, "2015-12-01", action, tag);
  const iam = (action: string, tag: string, params?: Record<string, string>) => queryIds(emulator, "iam", "us-east-1", "2010-05-08", action, tag, params);
  const found: Record<string, Promise<string[]>> = {
    vpc: ec2("DescribeVpcs", "vpcId", { "Filter.1.Name": "is-default", "Filter.1.Value.1": "false" }),
    subnet: ec2("DescribeSubnets", "subnetId", { "Filter.1.Name": "default-for-az", "Filter.1.Value.1": "false" }),
    "security-group": ec2("DescribeSecurityGroups", "groupId"),
    "route-table": ec2("DescribeRouteTables", "routeTableId"),
    "internet-gateway": ec2("DescribeInternetGateways", "internetGatewayId"),
    "nat-gateway": ec2("DescribeNatGateways", "natGatewayId", { "Filter.1.Name": "state", "Filter.1.Value.1": "available" }),
    "elastic-ip": ec2("DescribeAddresses", "allocationId"),
    "flow-log": ec2("DescribeFlowLogs", "flowLogId"),
    "db-instance": rds("DescribeDBInstances", "DBInstanceIdentifier"),
    "db-snapshot": rds("DescribeDBSnapshots", "DBSnapshotIdentifier"),
    "db-subnet-group": rds("DescribeDBSubnetGroups", "DBSubnetGroupName"),
    "db-parameter-group": rds("DescribeDBParameterGroups", "DBParameterGroupName").then((names) => names.filter((n) => !n.startsWith("default."))),
    "load-balancer": elb("DescribeLoadBalancers", "LoadBalancerName"),
    "target-group": elb("DescribeTargetGroups", "TargetGroupName"),
    "sns-topic": queryIds(emulator, "sns", region, "2010-03-31", "ListTopics", "TopicArn"),
    "sns-subscription": queryIds(emulator, "sns", region, "2010-03-31", "ListSubscriptions", "SubscriptionArn"),
    alarm: queryIds(emulator, "monitoring", region, "2010-08-01", "DescribeAlarms", "AlarmName"),
    dashboard: queryIds(emulator, "monitoring", region, "2010-08-01", "ListDashboards", "DashboardName"),
    "event-rule": jsonCall<{ Rules?: { Name: string }[] }>(emulator, "events", region, "AWSEvents.ListRules").then((r) => (r.Rules ?? []).map((x) => x.Name)),
    "state-machine": jsonCall<{ stateMachines?: { name: string }[] }>(emulator, "states", region, "AWSStepFunctions.ListStateMachines").then((r) => (r.stateMachines ?? []).map((x) => x.name)),
    "query-definition": gatewayQueryDefinitions(emulator, region),
    "iam-role": iam("ListRoles", "RoleName"),
    "iam-policy": iam("ListPolicies", "PolicyName", { Scope: "Local" }),
    "oidc-provider": iam("ListOpenIDConnectProviders", "Arn"),
    "s3-bucket": call(emulator, { service: "s3", region: "us-east-1", method: "GET" }).then((xml) => [...xml.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1])),
    "ecr-repository": jsonCall<{ repositories?: { repositoryName: string }[] }>(emulator, "ecr", region, "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories").then((r) => (r.repositories ?? []).map((x) => x.repositoryName)),
    // A deleted cluster stays listed as INACTIVE for a while (AWS and moto alike): count only ACTIVE ones.
    "ecs-cluster": jsonCall<{ clusterArns?: string[] }>(emulator, "ecs", region, "AmazonEC2ContainerServiceV20141113.ListClusters").then(async (r) =>
      r.clusterArns?.length
        ? ((await jsonCall<{ clusters?: { clusterArn: string; status: string }[] }>(emulator, "ecs", region, "AmazonEC2ContainerServiceV20141113.DescribeClusters", { clusters: r.clusterArns })).clusters ?? [])
            .filter((c) => c.status === "ACTIVE")
            .map((c) => c.clusterArn)
        : [],
    ),
    "ecs-task-definition": jsonCall<{ taskDefinitionArns?: string[] }>(emulator, "ecs", region, "AmazonEC2ContainerServiceV20141113.ListTaskDefinitions", { status: "ACTIVE" }).then((r) => r.taskDefinitionArns ?? []),
    secret: jsonCall<{ SecretList?: { Name: string; DeletedDate?: number }[] }>(emulator, "secretsmanager", region, "secretsmanager.ListSecrets", { IncludePlannedDeletion: true }).then((r) =>
      (r.SecretList ?? []).map((s) => (s.DeletedDate ? `${s.Name} (scheduled for deletion)` : s.Name)),
    ),
    "log-group": jsonCall<{ logGroups?: { logGroupName: string }[] }>(emulator, "logs", region, "Logs_20140328.DescribeLogGroups").then((r) => (r.logGroups ?? []).map((g) => g.logGroupName)),
    certificate: jsonCall<{ CertificateSummaryList?: { DomainName: string }[] }>(emulator, "acm", region, "CertificateManager.ListCertificates").then((r) => (r.CertificateSummaryList ?? []).map((c) => c.DomainName)),
    "scalable-target": jsonCall<{ ScalableTargets?: { ResourceId: string }[] }>(emulator, "application-autoscaling", region, "AnyScaleFrontendService.DescribeScalableTargets", { ServiceNamespace: "ecs" }).then((r) =>
      (r.ScalableTargets ?? []).map((t) => t.ResourceId),
    ),
  };
  for (const zone of hostedZoneIds) {
    found[`dns-record in ${zone}`] = call(emulator, { service: "route53", region: "us-east-1", method: "GET", path: `/2013-04-01/hostedzone/${zone}/rrset` }).then((xml) =>
      [...xml.matchAll(/<ResourceRecordSet>([\s\S]*?)<\/ResourceRecordSet>/g)]
        .map((m) => `${/<Type>([^<]+)<\/Type>/.exec(m[1])?.[1]} ${/<Name>([^<]+)<\/Name>/.exec(m[1])?.[1]}`)
        .filter((r) => !/^(NS|SOA) /.test(r)),
    );
  }
  const entries = await Promise.all(Object.entries(found).map(async ([kind, ids]) => (await ids).map((id) => `${kind}: ${id}`)));
  return entries.flat().sort();
}

/** Entries of `after` that were not in `before`: what a stack created and did not remove. */
export function leftovers(before: readonly string[], after: readonly string[]): string[] {
  const seen = new Set(before);
  return after.filter((entry) => !seen.has(entry));
}
