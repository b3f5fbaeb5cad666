import { ingressRules, openToInternet } from "./ec2-19";
import { expect, notApplicable, type Rule } from "./rule";

/** Project rule SG.2: only the load balancer's HTTP and HTTPS ports are open to the internet. */
export const sg2: Rule = {
  id: "SG.2",
  title: "only the load balancer's ports 80 and 443 are open to 0.0.0.0/0 or ::/0",
  fix: "allow traffic from the load balancer's security group instead of the internet",
  types: ["aws_vpc_security_group_ingress_rule", "aws_security_group"],
  check: (r, stack) => {
    const open = ingressRules(r).filter(openToInternet);
    if (open.length === 0) return notApplicable;
    const group = r.type === "aws_security_group" ? r : stack.resolveReference(r.config.security_group_id);
    const isLoadBalancers = group !== undefined && stack.referencing(group, "aws_lb", "security_groups").length > 0;
    const webPortsOnly = open.every((rule) => rule.from_port === rule.to_port && [80, 443].includes(rule.from_port));
    return expect(isLoadBalancers && webPortsOnly, isLoadBalancers ? "a port other than 80/443 is open to the internet" : "a security group not used by the load balancer is open to the internet");
  },
};
