import { expect, type ResourceView, type Rule } from "./rule";

/** Ports Security Hub EC2.19 treats as high risk when open to the internet. */
export const HIGH_RISK_PORTS = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];

/** True when an ingress rule (standalone or inline) is open to all of IPv4 or IPv6. */
export function openToInternet(rule: Record<string, any>): boolean {
  const cidrs = [rule.cidr_ipv4, rule.cidr_ipv6, ...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? [])];
  return cidrs.includes("0.0.0.0/0") || cidrs.includes("::/0");
}

/** Ingress rules of a resource: itself for a standalone rule, the inline blocks of a security group. */
export function ingressRules(r: ResourceView): Record<string, any>[] {
  return r.type === "aws_security_group" ? (r.config.ingress ?? []) : [r.config];
}

/** Security Hub EC2.19: security groups should not allow unrestricted access to ports with high risk. */
export const ec219: Rule = {
  id: "EC2.19",
  title: "no high-risk port is open to the internet",
  fix: "restrict the rule's source to a security group or a known CIDR",
  types: ["aws_vpc_security_group_ingress_rule", "aws_security_group"],
  check: (r) => {
    const exposed = ingressRules(r)
      .filter(openToInternet)
      .flatMap((rule) => {
        const all = rule.ip_protocol === "-1" || rule.protocol === "-1";
        return HIGH_RISK_PORTS.filter((p) => all || (p >= rule.from_port && p <= rule.to_port));
      });
    return expect(exposed.length === 0, `port(s) ${[...new Set(exposed)].join(", ")} are open to the internet`);
  },
};
