import { expect, type Rule } from "./rule";

/** Security Hub ELB.6: Application Load Balancers should have deletion protection enabled. */
export const elb6: Rule = {
  id: "ELB.6",
  title: "load balancers have deletion protection",
  fix: "set loadBalancer.deletionProtection: true",
  types: ["aws_lb"],
  check: (r) => expect(r.config.enable_deletion_protection === true, "deletion protection is off"),
};
