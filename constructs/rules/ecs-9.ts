import { everyContainer, type Rule } from "./rule";

/** Security Hub ECS.9: ECS task definitions should have a logging configuration. */
export const ecs9: Rule = {
  id: "ECS.9",
  title: "every container has a log configuration",
  fix: "give the container a logConfiguration (the web service construct uses awslogs)",
  types: ["aws_ecs_task_definition"],
  check: (r) => everyContainer(r, (c) => Boolean(c.logConfiguration?.logDriver), (names) => `container(s) ${names} have no log configuration`),
};
