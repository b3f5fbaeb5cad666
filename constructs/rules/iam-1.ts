import { DEPLOY_UNSCOPED_ACTIONS } from "../delivery/github-deploy-role";
import { PLAN_UNSCOPED_ACTIONS } from "../delivery/github-plan-role";
import { nonCompliant, compliant, type Rule } from "./rule";

/**
 * Actions a `*` resource is accepted for: AWS does not let them be scoped to a resource ARN, or the
 * ARN holds a random id unknown until creation (EC2, ACM, autoscaling). The GitHub roles' lists are
 * justified where they are defined and restrict these statements to the environments' regions.
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "logs:DescribeLogGroups",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  ...DEPLOY_UNSCOPED_ACTIONS,
  ...PLAN_UNSCOPED_ACTIONS,
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
