import { expect, type Rule } from "./rule";

/** Security Hub EC2.6: VPC flow logging should be enabled in all VPCs. */
export const ec26: Rule = {
  id: "EC2.6",
  title: "VPCs have flow logs",
  fix: "set network.flowLogs.enabled: true",
  types: ["aws_vpc"],
  check: (r, stack) => expect(stack.referencing(r, "aws_flow_log", "vpc_id").length > 0, "no flow log"),
};
