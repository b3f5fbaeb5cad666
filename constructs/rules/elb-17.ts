import { expect, notApplicable, type Rule } from "./rule";

/** The policies Security Hub ELB.17 accepts for HTTPS listeners (TLS 1.2+ with forward secrecy). */
export const RECOMMENDED_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
];

/** Security Hub ELB.17: Application and Network Load Balancers with listeners should use recommended security policies. */
export const elb17: Rule = {
  id: "ELB.17",
  title: "HTTPS listeners use a recommended TLS policy",
  fix: `use one of ${RECOMMENDED_SSL_POLICIES.join(", ")}`,
  types: ["aws_lb_listener"],
  check: (r) => (r.config.protocol === "HTTPS" ? expect(RECOMMENDED_SSL_POLICIES.includes(r.config.ssl_policy), `ssl_policy is ${r.config.ssl_policy}`) : notApplicable),
};
