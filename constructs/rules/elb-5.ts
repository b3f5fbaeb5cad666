import { expect, type Rule } from "./rule";

/** Security Hub ELB.5: Application and Classic Load Balancers logging should be enabled. */
export const elb5: Rule = {
  id: "ELB.5",
  title: "load balancers write access logs",
  fix: "set loadBalancer.accessLogs.enabled: true",
  types: ["aws_lb"],
  check: (r) => expect(r.config.access_logs?.enabled === true, "access logs are off"),
};
