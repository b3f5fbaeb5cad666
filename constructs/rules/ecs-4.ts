import { everyContainer, type Rule } from "./rule";

/** Security Hub ECS.4: ECS containers should run as non-privileged. */
export const ecs4: Rule = {
  id: "ECS.4",
  title: "ECS containers do not run privileged",
  fix: "remove privileged: true from the container definition",
  types: ["aws_ecs_task_definition"],
  check: (r) => everyContainer(r, (c) => c.privileged !== true, (names) => `container(s) ${names} run privileged`),
};
