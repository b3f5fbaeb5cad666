/**
 * Outbound rules (issue 14): HTTPS stays as it is; config adds rules per service, each a security
 * group rule of its own whose description is its reason; bad rules fail at load.
 */
import { ConfigError, loadEnvironment, type EnvironmentInput } from "../../config";
import { cidrProblem, egressRuleId, resolveEgressRule } from "../../constructs/network/egress";
import { messageOf, resourceList, resources, staging, synthEnvironment, type Synth } from "../helpers";

const SMTP = { port: 587, to: { cidr: "203.0.113.0/24" }, reason: "SMTP submission to the newsletter relay (port 587)" } as const;
const withEgress = (egress: EnvironmentInput["egress"]): EnvironmentInput => ({ ...staging, egress });

/** Egress rules of a service's own security group. */
function egressOf(json: Synth, service: string): Record<string, unknown>[] {
  const [id] = Object.entries(resources(json, "aws_security_group")).find(([, sg]) => sg.name === `webapp-staging-${service}`)!;
  return resourceList(json, "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id === `\${aws_security_group.${id}.id}`);
}

const plain = synthEnvironment(staging).json;
const custom = synthEnvironment(
  withEgress({
    backend: [
      SMTP,
      { protocol: "udp", port: { from: 10000, to: 10010 }, to: "vpc", reason: "Media relay inside the VPC for the video worker" },
      { port: 5432, to: { prefixList: "pl-0123456789abcdef0" }, reason: "Analytics database behind a managed prefix list" },
      { port: 443, to: { cidr: "2001:db8::/32" }, reason: "HTTPS to the partner API over IPv6 addresses" },
    ],
  }),
).json;

describe("GIVEN no egress in config", () => {
  test("THEN each service keeps exactly today's outbound rules: HTTPS anywhere (and the database for the backend)", () => {
    expect(egressOf(plain, "frontend")).toEqual([expect.objectContaining({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443, ip_protocol: "tcp" })]);
    expect(egressOf(plain, "backend").map((r) => r.from_port).sort()).toEqual([3306, 443]);
  });
});

describe("GIVEN outbound rules for the backend", () => {
  test("THEN each is its own rule with the reason as description, for CIDR, IPv6, prefix list and the VPC", () => {
    const rules = egressOf(custom, "backend");
    expect(rules).toHaveLength(6);
    expect(rules).toContainEqual(expect.objectContaining({ ip_protocol: "tcp", from_port: 587, to_port: 587, cidr_ipv4: "203.0.113.0/24", description: SMTP.reason }));
    expect(rules).toContainEqual(expect.objectContaining({ ip_protocol: "udp", from_port: 10000, to_port: 10010, cidr_ipv4: "10.20.0.0/16", description: "Media relay inside the VPC for the video worker" }));
    expect(rules).toContainEqual(expect.objectContaining({ from_port: 5432, prefix_list_id: "pl-0123456789abcdef0" }));
    expect(rules).toContainEqual(expect.objectContaining({ from_port: 443, cidr_ipv6: "2001:db8::/32" }));
  });

  test("THEN the backend's workers (same code, issue 14) get the same outbound rules on their own group", () => {
    const worker = egressOf(custom, "worker-default");
    const configured = (rules: Record<string, unknown>[]) => rules.filter((r) => !/^(HTTPS to AWS APIs|MySQL to the database)/.test(String(r.description))).map((r) => r.description).sort();
    expect(configured(worker)).toHaveLength(4);
    expect(configured(worker)).toEqual(configured(egressOf(custom, "backend")));
    expect(worker).toContainEqual(expect.objectContaining({ from_port: 587, cidr_ipv4: "203.0.113.0/24", description: SMTP.reason }));
  });

  test("THEN the frontend is untouched and the security groups are byte-identical (a changed list never replaces a group)", () => {
    expect(egressOf(custom, "frontend")).toHaveLength(1);
    expect(resources(custom, "aws_security_group")).toEqual(resources(plain, "aws_security_group"));
  });

  test("THEN rules are keyed by what they admit, not their position: reordering the list changes nothing", () => {
    const reordered = synthEnvironment(withEgress({ backend: [{ port: 5432, to: { prefixList: "pl-0123456789abcdef0" }, reason: "Analytics database behind a managed prefix list" }, SMTP] })).json;
    const ids = (json: Synth) => Object.keys(resources(json, "aws_vpc_security_group_egress_rule")).filter((id) => id.startsWith("backend-service_egress-")).sort();
    expect(ids(reordered)).toEqual(ids(custom).filter((id) => /egress-tcp-(587|5432)-/.test(id)));
    expect(egressRuleId(resolveEgressRule({ ...SMTP, protocol: "tcp" }, "10.20.0.0/16"))).toBe("egress-tcp-587-203-0-113-0-24");
  });
});

describe("bad rules fail at load, naming environment, setting, value and what is allowed", () => {
  const errorOf = (rule: unknown) => messageOf(() => loadEnvironment(withEgress({ backend: [rule as never] })), ConfigError);

  test("ports out of range or a range that runs backwards", () => {
    expect(errorOf({ ...SMTP, port: 70000 })).toContain('Invalid configuration for environment "staging"');
    expect(errorOf({ ...SMTP, port: 70000 })).toContain("egress.backend.0.port: got 70000; 70000 is not a port: a whole number from 1 to 65535");
    expect(errorOf({ ...SMTP, port: { from: 600, to: 500 } })).toContain("egress.backend.0.port: got {\"from\":600,\"to\":500}; range 600-500 runs backwards");
  });

  test("a CIDR with host bits, something that is no CIDR, a bad prefix list, an unknown destination", () => {
    expect(errorOf({ ...SMTP, to: { cidr: "203.0.113.5/24" } })).toContain("egress.backend.0.to: got {\"cidr\":\"203.0.113.5/24\"}; 203.0.113.5/24 has host bits set; use the network address");
    expect(errorOf({ ...SMTP, to: { cidr: "mail.example.com" } })).toContain('is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32');
    expect(errorOf({ ...SMTP, to: { prefixList: "com.amazonaws.s3" } })).toContain('"com.amazonaws.s3" is not a prefix list id such as pl-6da54004');
    expect(errorOf({ ...SMTP, to: "internet" })).toContain('egress.backend.0.to: got "internet"; must be "vpc", { cidr: "203.0.113.0/24" } or { prefixList: "pl-0123456789abcdef0" }');
  });

  test("a missing or filler reason", () => {
    const { reason: _, ...noReason } = SMTP;
    expect(errorOf(noReason)).toContain("egress.backend.0.reason: got nothing (the setting is missing); is required: say why the service needs this traffic");
    expect(errorOf({ ...SMTP, reason: "todo" })).toContain('egress.backend.0.reason: got "todo"; is not a reason');
    expect(errorOf({ ...SMTP, reason: "SMTP to relay \"quoted\" <mail>" })).toContain("has characters a security group rule description cannot hold");
  });

  test("HTTPS anywhere again, or the same traffic twice", () => {
    expect(errorOf({ port: 443, to: { cidr: "0.0.0.0/0" }, reason: "HTTPS to the payment provider API" })).toContain("egress.backend.0: got");
    expect(errorOf({ port: 443, to: { cidr: "0.0.0.0/0" }, reason: "HTTPS to the payment provider API" })).toContain("repeats HTTPS (443/tcp) to 0.0.0.0/0, which every service always has; remove it");
    const twice = messageOf(() => loadEnvironment(withEgress({ backend: [SMTP, { ...SMTP, reason: "the same relay for transactional mail" }] })), ConfigError);
    expect(twice).toContain("egress.backend.1: got");
    expect(twice).toContain("admits the same traffic as egress.backend[0] (same protocol, ports and destination); merge their reasons into one rule");
  });

  test("cidrProblem accepts IPv4 and IPv6 blocks and refuses the rest", () => {
    expect(cidrProblem("0.0.0.0/0")).toBeUndefined();
    expect(cidrProblem("2001:db8::/32")).toBeUndefined();
    expect(cidrProblem("10.0.0.0/33")).toBe("10.0.0.0/33 has a prefix length above /32");
    expect(cidrProblem("256.0.0.0/8")).toBe("256.0.0.0/8 has an octet above 255");
    expect(cidrProblem("2001:db8::/129")).toMatch(/is not a CIDR block/);
  });
});
