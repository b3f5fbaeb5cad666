import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { cidrSubnet } from "./cidr";
import type { Naming } from "../core/naming";
import { partitionOf } from "../core/partition";
import { PropsError } from "../core/errors";

/** Subnet tiers, in the order their address blocks are carved out of the VPC. */
export const SUBNET_TIERS = ["public", "private", "isolated"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** Each tier owns a fixed block of this many subnet slots, so adding a zone never renumbers a subnet. */
const SLOTS_PER_TIER = 4;
/** Each subnet is this many bits smaller than the VPC (a /16 VPC gets /20 subnets). */
const SUBNET_NEWBITS = 4;

export interface NetworkProps {
  readonly naming: Naming;
  /** IPv4 range of the VPC; subnets are `cidrsubnet(vpcCidr, 4, tier * 4 + zoneIndex)`. */
  readonly vpcCidr: string;
  /** Zones to spread every tier across (2 to 4). */
  readonly availabilityZones: readonly string[];
  /**
   * NAT gateways, placed in the first N public subnets; private subnet i routes through gateway i mod N.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * VPC flow logs (all traffic) to a CloudWatch log group.
   * @default disabled
   */
  readonly flowLogs?: { readonly enabled: boolean; readonly retentionDays: number };
  /** Permissions boundary of the flow-log role. @default none */
  readonly permissionsBoundaryArn?: string;
  /**
   * Account and region of the VPC: the flow-log role then trusts the flow-log service only on behalf
   * of this account's flow logs (`aws:SourceAccount`, `aws:SourceArn`). @default any caller of the service
   */
  readonly account?: { readonly id: string; readonly region: string };
  /**
   * Dual-stack public subnets: an Amazon-provided IPv6 /56 on the VPC, a /64 per public subnet and an
   * IPv6 default route. false = IPv4 only.
   * @default true
   */
  readonly ipv6?: boolean;
}

/**
 * A three-tier VPC: public subnets (load balancer, NAT; dual-stack IPv4 + IPv6), private subnets
 * (ECS tasks, egress through NAT) and isolated subnets (RDS, no route to the internet), one of
 * each per zone.
 *
 * Trap T5: the NAT EIPs and gateways depend explicitly on the internet gateway, so Terraform
 * creates them after it and, on destroy or replacement, releases them before detaching it.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly internetGateway: InternetGateway;
  readonly defaultSecurityGroup: DefaultSecurityGroup;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly isolatedSubnets: Subnet[];
  readonly natGateways: NatGateway[];
  readonly flowLog?: FlowLog;
  /** Whether the public tier is dual-stack (IPv4 + IPv6). */
  readonly ipv6: boolean;

  private readonly permissionsBoundaryArn?: string;
  private readonly account?: NetworkProps["account"];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.permissionsBoundaryArn = props.permissionsBoundaryArn;
    this.account = props.account;
    const { naming, availabilityZones: zones } = props;
    const natCount = props.natGateways ?? 1;
    if (!Number.isInteger(natCount) || natCount < 1 || natCount > zones.length) {
      throw new PropsError(`Network "${id}": natGateways must be a whole number from 1 to ${zones.length} (the zone count); got ${natCount}`);
    }
    if (zones.length < 2 || zones.length > SLOTS_PER_TIER) {
      throw new PropsError(`Network "${id}": availabilityZones must list 2 to ${SLOTS_PER_TIER} zones; got ${zones.length}`);
    }
    const tag = (component: string) => ({ Name: naming.name("tag", component) });
    this.ipv6 = props.ipv6 ?? true;

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      // An Amazon-provided /56, used by the public subnets so the load balancer can be dual-stack (AAAA records).
      assignGeneratedIpv6CidrBlock: this.ipv6,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tag("vpc"),
    });

    // Adopt the default security group and strip its rules: nothing may use it by accident.
    this.defaultSecurityGroup = new DefaultSecurityGroup(this, "default-sg", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: tag("default-do-not-use"),
    });

    this.internetGateway = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: tag("igw") });

    const subnets = (tier: SubnetTier) =>
      zones.map((zone, i) => {
        const suffix = zone.slice(-1);
        return new Subnet(this, `${tier}-${suffix}`, {
          vpcId: this.vpc.id,
          availabilityZone: zone,
          cidrBlock: cidrSubnet(props.vpcCidr, SUBNET_NEWBITS, SUBNET_TIERS.indexOf(tier) * SLOTS_PER_TIER + i),
          // The ALB and NAT gateways get their addresses explicitly; nothing needs auto-assigned public IPs.
          mapPublicIpOnLaunch: false,
          // Only the public tier is dual-stack (for the load balancer); tasks and the database stay IPv4-only.
          ...(tier === "public" && this.ipv6 ? { ipv6CidrBlock: Fn.cidrsubnet(this.vpc.ipv6CidrBlock, 8, i), assignIpv6AddressOnCreation: false } : {}),
          tags: { ...tag(`${tier}-${suffix}`), Tier: tier },
        });
      });
    this.publicSubnets = subnets("public");
    this.privateSubnets = subnets("private");
    this.isolatedSubnets = subnets("isolated");

    const publicRoutes = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: tag("public") });
    new Route(this, "public-default-route", {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: this.internetGateway.id,
    });
    if (this.ipv6) {
      new Route(this, "public-default-route-ipv6", {
        routeTableId: publicRoutes.id,
        destinationIpv6CidrBlock: "::/0",
        gatewayId: this.internetGateway.id,
      });
    }
    this.publicSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-rta-${zones[i].slice(-1)}`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
    });

    this.natGateways = this.publicSubnets.slice(0, natCount).map((subnet, i) => {
      const suffix = zones[i].slice(-1);
      const eip = new Eip(this, `nat-eip-${suffix}`, {
        domain: "vpc",
        tags: tag(`nat-${suffix}`),
        dependsOn: [this.internetGateway],
      });
      return new NatGateway(this, `nat-${suffix}`, {
        allocationId: eip.id,
        subnetId: subnet.id,
        tags: tag(`nat-${suffix}`),
        dependsOn: [this.internetGateway],
      });
    });

    this.privateSubnets.forEach((subnet, i) => {
      const suffix = zones[i].slice(-1);
      const table = new RouteTable(this, `private-rt-${suffix}`, { vpcId: this.vpc.id, tags: tag(`private-${suffix}`) });
      new Route(this, `private-default-route-${suffix}`, {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: this.natGateways[i % natCount].id,
      });
      new RouteTableAssociation(this, `private-rta-${suffix}`, { subnetId: subnet.id, routeTableId: table.id });
    });

    // Isolated subnets keep only the implicit local route: the database is unreachable from the internet.
    const isolatedRoutes = new RouteTable(this, "isolated-rt", { vpcId: this.vpc.id, tags: tag("isolated") });
    this.isolatedSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `isolated-rta-${zones[i].slice(-1)}`, { subnetId: subnet.id, routeTableId: isolatedRoutes.id });
    });

    if (props.flowLogs?.enabled) {
      this.flowLog = this.createFlowLog(naming, props.flowLogs.retentionDays);
    }
  }

  private createFlowLog(naming: Naming, retentionDays: number): FlowLog {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: naming.logGroup("vpc-flow-logs"),
      retentionInDays: retentionDays,
    });
    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          // Confused-deputy protection: only flow logs of this account.
          condition: this.account
            ? [
                { test: "StringEquals", variable: "aws:SourceAccount", values: [this.account.id] },
                { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partitionOf(this.account.region)}:ec2:${this.account.region}:${this.account.id}:vpc-flow-log/*`] },
              ]
            : undefined,
        },
      ],
    });
    const role = new IamRole(this, "flow-log-role", {
      name: naming.name("iamRole", "vpc-flow-logs"),
      assumeRolePolicy: trust.json,
      permissionsBoundary: this.permissionsBoundaryArn,
    });
    const write = new DataAwsIamPolicyDocument(this, "flow-log-write", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [`${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-policy", { name: "write-flow-logs", role: role.id, policy: write.json });
    return new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: naming.name("tag", "vpc-flow-logs") },
    });
  }
}
