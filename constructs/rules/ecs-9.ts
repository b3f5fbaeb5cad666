import { containersOf, expect, notApplicable, type Rule } from "./rule";

/** Security Hub ECS.9: ECS task definitions should have a logging configuration. */
export const ecs9: Rule = {
  id: "ECS.9",
  title: "every container has a log configuration",
  fix: "give the container a logConfiguration (the web service construct uses awslogs)",
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    const missing = containers.filter((c) => !c.logConfiguration?.logDriver).map((c) => c.name);
    return expect(missing.length === 0, `container(s) ${missing.join(", ")} have no log configuration`);
  },
};
