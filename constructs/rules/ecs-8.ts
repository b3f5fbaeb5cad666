import { secretVariables } from "../compute/secret-detection";
import { containersOf, expect, notApplicable, type Rule } from "./rule";

/** Security Hub ECS.8: secrets should not be passed as container environment variables. */
export const ecs8: Rule = {
  id: "ECS.8",
  title: "no secrets in plain container environment variables",
  fix: "move the variable to services.<name>.secrets (Secrets Manager or SSM SecureString)",
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    // By name and by value (access keys, tokens, private keys, passwords in URLs).
    const names = containers.flatMap((c) =>
      secretVariables(Object.fromEntries((c.environment ?? []).map((e: { name: string; value: string }) => [e.name, String(e.value)]))).map((s) => s.name),
    );
    return expect(names.length === 0, `environment variable(s) ${names.join(", ")} look like secrets`);
  },
};
