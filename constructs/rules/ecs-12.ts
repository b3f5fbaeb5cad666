import { expect, type Rule } from "./rule";

/** Security Hub ECS.12: ECS clusters should use Container Insights. */
export const ecs12: Rule = {
  id: "ECS.12",
  title: "ECS clusters use Container Insights",
  fix: "set cluster.containerInsights: true",
  types: ["aws_ecs_cluster"],
  check: (r) =>
    expect(
      (r.config.setting ?? []).some((s: { name: string; value: string }) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value)),
      "containerInsights is not enabled",
    ),
};
