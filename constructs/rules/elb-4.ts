import { expect, type Rule } from "./rule";

/** Security Hub ELB.4: Application Load Balancers should be configured to drop invalid HTTP headers. */
export const elb4: Rule = {
  id: "ELB.4",
  title: "load balancers drop invalid HTTP headers",
  fix: "set drop_invalid_header_fields = true",
  types: ["aws_lb"],
  check: (r) => expect(r.config.drop_invalid_header_fields === true, "drop_invalid_header_fields is not true"),
};
