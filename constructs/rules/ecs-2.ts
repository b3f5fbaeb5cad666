import { expect, type Rule } from "./rule";

/** Security Hub ECS.2: ECS services should not have public IP addresses assigned automatically. */
export const ecs2: Rule = {
  id: "ECS.2",
  title: "ECS services do not assign public IP addresses",
  fix: "run the service in private subnets with assign_public_ip = false",
  types: ["aws_ecs_service"],
  check: (r) => expect(r.config.network_configuration?.assign_public_ip !== true, "assign_public_ip is true"),
};
