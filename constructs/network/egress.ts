import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { isIPv6 } from "node:net";
import type { Construct } from "constructs";

/**
 * Outbound traffic a service may send beyond HTTPS (README "Outbound traffic"): one rule per entry
 * of `egress.<service>` in config, each an `aws_vpc_security_group_egress_rule` of its own whose
 * description is the rule's reason. Rules are separate resources, never inline blocks of the
 * group, so adding, changing or removing one never replaces the security group running tasks use.
 */

/** Where an egress rule points: the environment's VPC, a CIDR block, or a managed prefix list. */
export type EgressDestination = "vpc" | { readonly cidr: string } | { readonly prefixList: string };

/** One outbound rule as written in config. */
export interface EgressRuleInput {
  readonly protocol: "tcp" | "udp";
  /** One port, or an inclusive range. */
  readonly port: number | { readonly from: number; readonly to: number };
  readonly to: EgressDestination;
  /** Why the service needs it: the rule's description, shown in the console and in plans. */
  readonly reason: string;
}

/** A rule resolved to what the security group rule needs. */
export interface EgressRule {
  readonly protocol: "tcp" | "udp";
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly description: string;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const PREFIX_LIST = /^pl-[0-9a-f]{8,17}$/;
/** What EC2 accepts in a rule description (and at most 255 characters). */
const DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

/** Why `cidr` is not a usable IPv4 or IPv6 CIDR block, or undefined when it is. */
export function cidrProblem(cidr: string): string | undefined {
  const v4 = IPV4_CIDR.exec(cidr);
  if (v4) {
    const octets = v4.slice(1, 5).map(Number);
    const prefix = Number(v4[5]);
    if (octets.some((o) => o > 255)) return `${cidr} has an octet above 255`;
    if (prefix > 32) return `${cidr} has a prefix length above /32`;
    const n = octets.reduce((acc, o) => acc * 256 + o, 0);
    if (n % 2 ** (32 - prefix) !== 0) return `${cidr} has host bits set; use the network address`;
    return undefined;
  }
  const [address, prefix, ...rest] = cidr.split("/");
  if (rest.length === 0 && prefix !== undefined && /^\d{1,3}$/.test(prefix) && Number(prefix) <= 128 && isIPv6(address)) return undefined;
  return `${JSON.stringify(cidr)} is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32`;
}

/** The rule's port range. */
export function portRange(port: EgressRuleInput["port"]): { from: number; to: number } {
  return typeof port === "number" ? { from: port, to: port } : port;
}

/** One problem with a config rule: the field it is about (`port`, `to`, `reason`) and what is wrong. */
export interface EgressRuleProblem {
  readonly field: "port" | "to" | "reason";
  readonly message: string;
}

/** Problems with one config rule (ports, destination, reason text), each naming the value and what is allowed. */
export function egressRuleProblems(rule: EgressRuleInput): EgressRuleProblem[] {
  const problems: EgressRuleProblem[] = [];
  const { from, to } = portRange(rule.port);
  for (const p of from === to ? [from] : [from, to]) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) problems.push({ field: "port", message: `${p} is not a port: a whole number from 1 to 65535` });
  }
  if (from > to) problems.push({ field: "port", message: `range ${from}-${to} runs backwards: from must be at most to` });
  if (typeof rule.to === "object" && "cidr" in rule.to) {
    const problem = cidrProblem(rule.to.cidr);
    if (problem) problems.push({ field: "to", message: problem });
  }
  if (typeof rule.to === "object" && "prefixList" in rule.to && !PREFIX_LIST.test(rule.to.prefixList)) {
    problems.push({ field: "to", message: `${JSON.stringify(rule.to.prefixList)} is not a prefix list id such as pl-6da54004` });
  }
  if (!DESCRIPTION.test(rule.reason)) {
    problems.push({ field: "reason", message: "has characters a security group rule description cannot hold; use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*" });
  }
  if (rule.reason.length > 255) problems.push({ field: "reason", message: `is ${rule.reason.length} characters long; a rule description holds at most 255` });
  return problems;
}

/** The rule as the security group rule needs it; `vpcCidr` stands in for "vpc". */
export function resolveEgressRule(rule: EgressRuleInput, vpcCidr: string): EgressRule {
  const { from, to } = portRange(rule.port);
  const base = { protocol: rule.protocol, fromPort: from, toPort: to, description: rule.reason };
  if (rule.to === "vpc") return { ...base, cidrIpv4: vpcCidr };
  if ("prefixList" in rule.to) return { ...base, prefixListId: rule.to.prefixList };
  return rule.to.cidr.includes(":") ? { ...base, cidrIpv6: rule.to.cidr } : { ...base, cidrIpv4: rule.to.cidr };
}

/**
 * The construct id of a rule, from what it admits (protocol, ports, destination), never from its
 * position in the list: reordering the list changes nothing, and a changed reason is an in-place update.
 */
export function egressRuleId(rule: EgressRule): string {
  const destination = rule.prefixListId ?? rule.cidrIpv4 ?? rule.cidrIpv6 ?? "";
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `egress-${rule.protocol}-${ports}-${destination.replace(/[^a-zA-Z0-9]+/g, "-")}`.replace(/-+$/, "");
}

/** The HTTPS rule every service has (construct id `https-out`), which a config rule must not repeat. */
export function duplicatesHttpsOut(rule: EgressRule): boolean {
  return rule.protocol === "tcp" && rule.fromPort === 443 && rule.toPort === 443 && rule.cidrIpv4 === "0.0.0.0/0";
}

/**
 * Adds `rules` to a security group, in `scope` (a service or worker construct), one resource per rule.
 * @returns the rules, by construct id
 */
export function addEgressRules(scope: Construct, securityGroupId: string, rules: readonly EgressRule[]): Record<string, VpcSecurityGroupEgressRule> {
  const created: Record<string, VpcSecurityGroupEgressRule> = {};
  for (const rule of rules) {
    const id = egressRuleId(rule);
    created[id] = new VpcSecurityGroupEgressRule(scope, id, {
      securityGroupId,
      ipProtocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
      cidrIpv4: rule.cidrIpv4,
      cidrIpv6: rule.cidrIpv6,
      prefixListId: rule.prefixListId,
      description: rule.description,
    });
  }
  return created;
}
