import { nonCompliant, compliant, type Rule } from "./rule";

/** Actions AWS does not let you scope to a resource: a `*` resource is the only option for them. */
export const UNSCOPABLE_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "logs:DescribeLogGroups",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
];

/** Project rule IAM.1: no `*` action, and no `*` resource for actions that can be scoped. */
export const iam1: Rule = {
  id: "IAM.1",
  title: 'IAM policies grant no "*" action and no "*" resource for actions that can be scoped',
  fix: "name the actions, and the ARNs they apply to",
  types: ["aws_iam_policy_document"],
  mode: "data",
  check: (r) => {
    for (const statement of r.config.statement ?? []) {
      if (statement.effect === "Deny") continue;
      const actions: string[] = statement.actions ?? [];
      const wildcardActions = actions.filter((a) => a === "*" || a.endsWith(":*"));
      if (wildcardActions.length) return nonCompliant(`statement ${statement.sid ?? "(no sid)"} allows ${wildcardActions.join(", ")}`);
      if ((statement.resources ?? []).includes("*")) {
        const scopable = actions.filter((a) => !UNSCOPABLE_ACTIONS.includes(a));
        if (scopable.length) return nonCompliant(`statement ${statement.sid ?? "(no sid)"} allows ${scopable.join(", ")} on "*"`);
      }
    }
    return compliant;
  },
};
