import { expect, type Rule } from "./rule";

/** Security Hub S3.13: S3 general purpose buckets should have Lifecycle configurations. */
export const s313: Rule = {
  id: "S3.13",
  title: "buckets have a lifecycle configuration",
  fix: "add an aws_s3_bucket_lifecycle_configuration (PrivateBucket does)",
  types: ["aws_s3_bucket"],
  check: (r, stack) => expect(stack.referencing(r, "aws_s3_bucket_lifecycle_configuration", "bucket").length > 0, "no lifecycle configuration"),
};
