import { expect, type Rule } from "./rule";

/** Security Hub S3.5: S3 general purpose buckets should require requests to use SSL. */
export const s35: Rule = {
  id: "S3.5",
  title: "buckets deny requests without TLS",
  fix: "attach a bucket policy denying s3:* when aws:SecureTransport is false (PrivateBucket does)",
  types: ["aws_s3_bucket"],
  check: (r, stack) => {
    const documents = stack.referencing(r, "aws_s3_bucket_policy", "bucket").map((p) => stack.resolveReference(p.config.policy));
    const denies = documents.some((doc) =>
      (doc?.config.statement ?? []).some(
        (s: any) => s.effect === "Deny" && (s.condition ?? []).some((c: any) => c.variable === "aws:SecureTransport" && (c.values ?? []).includes("false")),
      ),
    );
    return expect(denies, "no bucket policy denies requests without TLS (aws:SecureTransport = false)");
  },
};
