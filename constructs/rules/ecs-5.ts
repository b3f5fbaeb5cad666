import { everyContainer, type Rule } from "./rule";

/** Security Hub ECS.5: ECS containers should be limited to read-only access to root filesystems. */
export const ecs5: Rule = {
  id: "ECS.5",
  title: "ECS containers have a read-only root filesystem",
  fix: "set services.<name>.readonlyRootFilesystem: true once the app writes only to mounted volumes or /tmp",
  types: ["aws_ecs_task_definition"],
  check: (r) => everyContainer(r, (c) => c.readonlyRootFilesystem === true, (names) => `container(s) ${names} can write to their root filesystem`),
};
