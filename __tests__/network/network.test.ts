import { cidrSubnet } from "../../constructs/network/cidr";
import { production, resourceList, resources, staging, synthEnvironment } from "../helpers";

describe("cidrSubnet (Terraform cidrsubnet semantics)", () => {
  test.each([
    ["10.20.0.0/16", 4, 0, "10.20.0.0/20"],
    ["10.20.0.0/16", 4, 5, "10.20.80.0/20"],
    ["10.20.0.0/16", 4, 15, "10.20.240.0/20"],
    ["192.168.4.0/24", 4, 9, "192.168.4.144/28"],
  ])("cidrsubnet(%s, %i, %i) = %s", (cidr, newbits, netnum, expected) => {
    expect(cidrSubnet(cidr, newbits, netnum)).toBe(expected);
  });

  test("rejects a netnum that does not fit", () => {
    expect(() => cidrSubnet("10.0.0.0/16", 4, 16)).toThrow(/netnum 16 does not fit in 4 bits/);
  });
});

describe("Network", () => {
  const s = synthEnvironment(staging).json;
  const p = synthEnvironment(production).json;

  test("VPC has DNS support and hostnames", () => {
    expect(resourceList(s, "aws_vpc")).toEqual([expect.objectContaining({ cidr_block: "10.20.0.0/16", enable_dns_support: true, enable_dns_hostnames: true })]);
  });

  test.each([
    ["staging", s, ["a", "b"]],
    ["production", p, ["a", "b", "c"]],
  ] as const)("%s: one public, private and isolated subnet per zone, none mapping public IPs", (_env, json, zones) => {
    const subnets = resourceList(json, "aws_subnet");
    expect(subnets).toHaveLength(3 * zones.length);
    for (const tier of ["public", "private", "isolated"]) {
      const inTier = subnets.filter((x) => (x.tags as Record<string, string>).Tier === tier);
      expect(inTier.map((x) => x.availability_zone)).toEqual(zones.map((z) => `eu-west-1${z}`));
    }
    expect(subnets.every((x) => x.map_public_ip_on_launch === false)).toBe(true);
    expect(new Set(subnets.map((x) => x.cidr_block)).size).toBe(subnets.length);
  });

  test("only public subnets are dual-stack (the load balancer serves AAAA); none assigns IPv6 on launch", () => {
    expect(resourceList(s, "aws_vpc")[0].assign_generated_ipv6_cidr_block).toBe(true);
    const subnets = resourceList(s, "aws_subnet");
    const tierOf = (x: Record<string, unknown>) => (x.tags as Record<string, string>).Tier;
    expect(subnets.filter((x) => x.ipv6_cidr_block).map(tierOf)).toEqual(["public", "public"]);
    expect(subnets.filter((x) => tierOf(x) === "public").map((x) => x.ipv6_cidr_block)).toEqual([
      expect.stringMatching(/^\$\{cidrsubnet\(aws_vpc\..*\.ipv6_cidr_block, 8, 0\)\}$/),
      expect.stringMatching(/, 8, 1\)\}$/),
    ]);
    expect(subnets.some((x) => x.assign_ipv6_address_on_creation === true)).toBe(false);
  });

  test("subnet ranges are fixed per tier and zone, so adding a zone renumbers nothing", () => {
    const cidrs = Object.fromEntries(Object.entries(resources(s, "aws_subnet")).map(([, x]) => [(x.tags as Record<string, string>).Name, x.cidr_block]));
    expect(cidrs).toEqual({
      "webapp-staging-public-a": "10.20.0.0/20",
      "webapp-staging-public-b": "10.20.16.0/20",
      "webapp-staging-private-a": "10.20.64.0/20",
      "webapp-staging-private-b": "10.20.80.0/20",
      "webapp-staging-isolated-a": "10.20.128.0/20",
      "webapp-staging-isolated-b": "10.20.144.0/20",
    });
  });

  test.each([
    ["staging", s, 1],
    ["production", p, 3],
  ] as const)("%s has %i NAT gateway(s) from config", (_env, json, count) => {
    expect(resourceList(json, "aws_nat_gateway")).toHaveLength(count);
    expect(resourceList(json, "aws_eip")).toHaveLength(count);
  });

  test("NAT EIPs and gateways depend explicitly on the internet gateway (T5)", () => {
    const [igwId] = Object.keys(resources(p, "aws_internet_gateway"));
    for (const type of ["aws_eip", "aws_nat_gateway"]) {
      for (const r of resourceList(p, type)) {
        expect(r.depends_on).toEqual([`aws_internet_gateway.${igwId}`]);
      }
    }
  });

  test("private subnets route to the internet only through NAT; isolated subnets not at all", () => {
    const routes = resourceList(p, "aws_route");
    expect(routes.filter((r) => r.nat_gateway_id)).toHaveLength(3);
    expect(routes.filter((r) => r.gateway_id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ destination_cidr_block: "0.0.0.0/0" }), expect.objectContaining({ destination_ipv6_cidr_block: "::/0" })]),
    );
    expect(routes.filter((r) => r.gateway_id)).toHaveLength(2);
    const isolatedTable = Object.entries(resources(p, "aws_route_table")).find(([, t]) => (t.tags as Record<string, string>).Name === "webapp-production-isolated");
    expect(isolatedTable).toBeDefined();
    expect(routes.some((r) => String(r.route_table_id).includes(isolatedTable![0]))).toBe(false);
  });

  test("staging's private subnets share its single NAT gateway", () => {
    const natIds = resourceList(s, "aws_route").map((r) => r.nat_gateway_id).filter(Boolean);
    expect(natIds).toHaveLength(2);
    expect(new Set(natIds).size).toBe(1);
  });

  test("the default security group is adopted with no rules", () => {
    expect(resourceList(s, "aws_default_security_group")).toEqual([expect.objectContaining({ ingress: [], egress: [] })]);
  });

  test("flow logs are on in production and off in staging", () => {
    expect(resourceList(s, "aws_flow_log")).toHaveLength(0);
    expect(resourceList(p, "aws_flow_log")).toEqual([expect.objectContaining({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" })]);
    expect(resourceList(p, "aws_cloudwatch_log_group")).toContainEqual(expect.objectContaining({ name: "/webapp/production/vpc-flow-logs", retention_in_days: 365 }));
  });

  test("the flow log role can write only to its own log group", () => {
    const [doc] = Object.entries(p.data!.aws_iam_policy_document).filter(([id]) => id.includes("flow-log-write")).map(([, d]) => d);
    expect(doc.statement).toEqual([expect.objectContaining({ resources: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:\*$/)] })]);
  });
});

describe("network.ipv6 (dual-stack public tier)", () => {
  const dual = synthEnvironment(staging).json;
  const ipv4 = synthEnvironment({ ...staging, network: { ...staging.network, ipv6: false } }).json;

  test("default: the VPC gets an IPv6 block, public subnets a /64 each, an IPv6 default route, a dual-stack ALB open on IPv6, AAAA records", () => {
    expect(resourceList(dual, "aws_vpc")[0].assign_generated_ipv6_cidr_block).toBe(true);
    expect(resourceList(dual, "aws_subnet").filter((x) => x.ipv6_cidr_block)).toHaveLength(2);
    expect(resourceList(dual, "aws_route").filter((x) => x.destination_ipv6_cidr_block === "::/0")).toHaveLength(1);
    expect(resourceList(dual, "aws_lb")[0].ip_address_type).toBe("dualstack");
    expect(resourceList(dual, "aws_vpc_security_group_ingress_rule").filter((x) => x.cidr_ipv6 === "::/0")).toHaveLength(2);
    expect(resourceList(dual, "aws_route53_record").filter((x) => x.type === "AAAA")).toHaveLength(1);
  });

  test("ipv6: false: no IPv6 anywhere (VPC, subnets, routes, ALB, security group, DNS)", () => {
    expect(resourceList(ipv4, "aws_vpc")[0].assign_generated_ipv6_cidr_block).toBe(false);
    expect(resourceList(ipv4, "aws_subnet").filter((x) => x.ipv6_cidr_block !== undefined)).toEqual([]);
    expect(resourceList(ipv4, "aws_route").filter((x) => x.destination_ipv6_cidr_block !== undefined)).toEqual([]);
    expect(resourceList(ipv4, "aws_lb")[0].ip_address_type).toBe("ipv4");
    expect(resourceList(ipv4, "aws_vpc_security_group_ingress_rule").filter((x) => x.cidr_ipv6 !== undefined)).toEqual([]);
    expect(resourceList(ipv4, "aws_route53_record").filter((x) => x.type === "AAAA")).toEqual([]);
    expect(resourceList(ipv4, "aws_route53_record").filter((x) => x.type === "A")).toHaveLength(1);
  });
});
