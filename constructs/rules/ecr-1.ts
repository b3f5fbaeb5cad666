import { expect, type Rule } from "./rule";

/** Security Hub ECR.1: ECR private repositories should have image scanning configured. */
export const ecr1: Rule = {
  id: "ECR.1",
  title: "ECR repositories scan images on push",
  fix: "set image_scanning_configuration.scan_on_push = true (the registry construct does)",
  types: ["aws_ecr_repository"],
  check: (r) => expect(r.config.image_scanning_configuration?.scan_on_push === true, "scan_on_push is not true"),
};
