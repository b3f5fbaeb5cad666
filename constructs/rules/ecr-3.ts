import { expect, type Rule } from "./rule";

/** Security Hub ECR.3: ECR repositories should have at least one lifecycle policy configured. */
export const ecr3: Rule = {
  id: "ECR.3",
  title: "ECR repositories have a lifecycle policy",
  fix: "add an aws_ecr_lifecycle_policy for the repository (the registry construct does)",
  types: ["aws_ecr_repository"],
  check: (r, stack) => expect(stack.referencing(r, "aws_ecr_lifecycle_policy", "repository").length > 0, "no lifecycle policy refers to it"),
};
