import { expect, type Rule } from "./rule";

/** Security Hub S3.9: S3 general purpose buckets should have server access logging enabled. */
export const s39: Rule = {
  id: "S3.9",
  title: "buckets have server access logging",
  fix: "add an aws_s3_bucket_logging that targets a log bucket",
  types: ["aws_s3_bucket"],
  check: (r, stack) => expect(stack.referencing(r, "aws_s3_bucket_logging", "bucket").length > 0, "server access logging is off"),
};
