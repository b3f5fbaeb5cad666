import { containersOf, expect, notApplicable, type Rule } from "./rule";

/** Security Hub ECS.4: ECS containers should run as non-privileged. */
export const ecs4: Rule = {
  id: "ECS.4",
  title: "ECS containers do not run privileged",
  fix: "remove privileged: true from the container definition",
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    const privileged = containers.filter((c) => c.privileged === true).map((c) => c.name);
    return expect(privileged.length === 0, `container(s) ${privileged.join(", ")} run privileged`);
  },
};
