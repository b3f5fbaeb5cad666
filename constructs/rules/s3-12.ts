import { expect, type Rule } from "./rule";

/** Security Hub S3.12: ACLs should not be used to manage user access to S3 general purpose buckets. */
export const s312: Rule = {
  id: "S3.12",
  title: "buckets do not use ACLs (owner enforced)",
  fix: "add aws_s3_bucket_ownership_controls with object_ownership = BucketOwnerEnforced (PrivateBucket does)",
  types: ["aws_s3_bucket"],
  check: (r, stack) =>
    expect(
      stack.referencing(r, "aws_s3_bucket_ownership_controls", "bucket").some((o) => o.config.rule?.object_ownership === "BucketOwnerEnforced"),
      "object ownership is not BucketOwnerEnforced",
    ),
};
