import { expect, type Rule } from "./rule";

/** Security Hub EC2.2: VPC default security groups should not allow inbound or outbound traffic. */
export const ec22: Rule = {
  id: "EC2.2",
  title: "the VPC's default security group has no rules",
  fix: "adopt it with aws_default_security_group and empty ingress and egress (the network construct does)",
  types: ["aws_vpc"],
  check: (r, stack) => {
    const adopted = stack.referencing(r, "aws_default_security_group", "vpc_id");
    const empty = adopted.some((sg) => (sg.config.ingress ?? []).length === 0 && (sg.config.egress ?? []).length === 0);
    return expect(empty, adopted.length ? "the default security group has rules" : "the default security group is not adopted, so AWS's allow-all rules stay");
  },
};
