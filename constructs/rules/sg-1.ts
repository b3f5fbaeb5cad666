import { expect, type Rule } from "./rule";

/** Project rule SG.1: security groups and their rules say what they are for. */
export const sg1: Rule = {
  id: "SG.1",
  title: "security groups and security group rules have descriptions",
  fix: "give the security group (and each rule) a description saying what it admits and why",
  types: ["aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
  check: (r) => {
    const description = r.config.description;
    return expect(typeof description === "string" && description.trim() !== "" && description !== "Managed by Terraform", "no description");
  },
};
