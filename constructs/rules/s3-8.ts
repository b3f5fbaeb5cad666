import { expect, type Rule } from "./rule";

/** Security Hub S3.8: S3 general purpose buckets should block public access. */
export const s38: Rule = {
  id: "S3.8",
  title: "buckets block all public access",
  fix: "add an aws_s3_bucket_public_access_block with all four settings true (PrivateBucket does)",
  types: ["aws_s3_bucket"],
  check: (r, stack) => {
    const blocks = stack.referencing(r, "aws_s3_bucket_public_access_block", "bucket");
    const all = (b: (typeof blocks)[number]) => ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => b.config[k] === true);
    return expect(blocks.some(all), "public access is not fully blocked");
  },
};
