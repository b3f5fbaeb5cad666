import { expect, type Rule } from "./rule";

/** Security Hub ELB.12: Application Load Balancers should use defensive or strictest desync mitigation mode. */
export const elb12: Rule = {
  id: "ELB.12",
  title: "load balancers use defensive or strictest desync mitigation",
  fix: 'set desync_mitigation_mode to "defensive" or "strictest"',
  types: ["aws_lb"],
  // AWS's default is defensive, so an unset mode is compliant.
  check: (r) => expect([undefined, "defensive", "strictest"].includes(r.config.desync_mitigation_mode), `desync_mitigation_mode is ${r.config.desync_mitigation_mode}`),
};
