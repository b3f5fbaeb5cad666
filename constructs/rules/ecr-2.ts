import { expect, type Rule } from "./rule";

/** Security Hub ECR.2: ECR private repositories should have tag immutability configured. */
export const ecr2: Rule = {
  id: "ECR.2",
  title: "ECR repositories have immutable tags",
  fix: "set image_tag_mutability = IMMUTABLE",
  types: ["aws_ecr_repository"],
  check: (r) => expect(r.config.image_tag_mutability === "IMMUTABLE", `image_tag_mutability is ${r.config.image_tag_mutability ?? "MUTABLE (the default)"}`),
};
