import { containersOf, expect, notApplicable, type Rule } from "./rule";

/** Security Hub ECS.5: ECS containers should be limited to read-only access to root filesystems. */
export const ecs5: Rule = {
  id: "ECS.5",
  title: "ECS containers have a read-only root filesystem",
  fix: "set services.<name>.readonlyRootFilesystem: true once the app writes only to mounted volumes or /tmp",
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    const writable = containers.filter((c) => c.readonlyRootFilesystem !== true).map((c) => c.name);
    return expect(writable.length === 0, `container(s) ${writable.join(", ")} can write to their root filesystem`);
  },
};
