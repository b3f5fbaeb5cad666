import { expect, type Rule } from "./rule";

/** Security Hub EC2.15: VPC subnets should not automatically assign public IP addresses. */
export const ec215: Rule = {
  id: "EC2.15",
  title: "subnets do not assign public IPs on launch",
  fix: "set map_public_ip_on_launch = false",
  types: ["aws_subnet"],
  check: (r) => expect(r.config.map_public_ip_on_launch !== true, "map_public_ip_on_launch is true"),
};
