import { secretSource } from "../../constructs/data/app-secrets";
import { buildStacks, fullSynth, production, resourceList, staging, synthEnvironment } from "../helpers";

const s = synthEnvironment(staging).json;
const p = synthEnvironment(production).json;

describe("uploads bucket", () => {
  const bucket = (json: typeof s) => resourceList(json, "aws_s3_bucket")[0];

  test("a globally unique-friendly, stable name: project, environment, account", () => {
    expect(bucket(s).bucket).toBe("webapp-staging-uploads-111111111111");
  });

  test("private: all public access blocked, owner-enforced, encrypted, TLS-only", () => {
    expect(resourceList(s, "aws_s3_bucket_public_access_block")[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resourceList(s, "aws_s3_bucket_ownership_controls")[0]).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(resourceList(s, "aws_s3_bucket_server_side_encryption_configuration")).toHaveLength(1);
    const doc = Object.entries(s.data!.aws_iam_policy_document).find(([id]) => id.startsWith("uploads"))![1] as any;
    expect(doc.statement[0]).toMatchObject({ effect: "Deny", condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] });
  });

  test("incomplete multipart uploads are cleaned up", () => {
    expect(resourceList(s, "aws_s3_bucket_lifecycle_configuration")[0].rule).toContainEqual(expect.objectContaining({ abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }));
  });

  test("production: versioned and prevent_destroy; staging: neither (from config)", () => {
    expect(resourceList(p, "aws_s3_bucket_versioning").find((v) => JSON.stringify(v).includes("uploads"))).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(resourceList(s, "aws_s3_bucket_versioning")[0]).toMatchObject({ versioning_configuration: { status: "Suspended" } });
    expect(resourceList(p, "aws_s3_bucket").find((b) => b.bucket === "webapp-production-uploads-111111111111")).toMatchObject({ lifecycle: { prevent_destroy: true }, force_destroy: false });
    expect(bucket(s).lifecycle).toEqual({ prevent_destroy: false });
  });

  test("teardown: staging's uploads are force_destroy and its secrets deleted at once; production keeps both", () => {
    expect(bucket(s).force_destroy).toBe(true);
    // APP_KEY and the application database user's secret
    expect(resourceList(p, "aws_secretsmanager_secret").map((x) => x.recovery_window_in_days)).toEqual([30, 30]);
  });

  test("teardown settings are validated: a recovery window of 1-6 days is refused", () => {
    expect(() => synthEnvironment({ ...staging, teardown: { ...staging.teardown, secretRecoveryWindowDays: 3 } })).toThrow(
      /teardown\.secretRecoveryWindowDays: got 3; must be 0 \(delete at once\) or 7 to 30 days/,
    );
  });

  test("ENV.6 holds production to the protective values: forceDestroyBuckets without a waiver fails synth", () => {
    const stack = buildStacks([{ ...production, teardown: { secretRecoveryWindowDays: 30, forceDeleteImages: false, forceDestroyBuckets: true } }]).environments[0];
    expect(() => fullSynth(stack)).toThrow(/\[production\/uploads\/bucket\] \[ENV\.6\].*force_destroy is true/);
    expect(() => fullSynth(buildStacks([production]).environments[0])).not.toThrow();
  });
});

describe("app secrets", () => {
  test("created empty: a secret, never a secret value, in Terraform", () => {
    expect(resourceList(s, "aws_secretsmanager_secret")).toEqual([
      expect.objectContaining({ name: "webapp/staging/APP_KEY", recovery_window_in_days: 0, description: expect.stringContaining("aws secretsmanager put-secret-value --secret-id webapp/staging/APP_KEY") }),
      // The application's own database user (README "Operations"), also created empty, with the same recovery window.
      expect.objectContaining({ name: "webapp/staging/database/app-user", recovery_window_in_days: 0 }),
    ]);
    expect(resourceList(s, "aws_secretsmanager_secret_version")).toEqual([]);
  });

  test("secret references become ARNs without an AWS look-up, in every partition", () => {
    expect(secretSource({ secretsManager: "a/b" }, "eu-west-1", "111111111111")).toEqual({
      valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:a/b",
      resourceArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:a/b-??????",
      kind: "secretsmanager",
    });
    expect(secretSource({ ssmParameter: "/x/y" }, "cn-north-1", "111111111111").valueFrom).toBe("arn:aws-cn:ssm:cn-north-1:111111111111:parameter/x/y");
    expect(secretSource({ ssmParameter: "plain" }, "us-gov-west-1", "111111111111").valueFrom).toBe("arn:aws-us-gov:ssm:us-gov-west-1:111111111111:parameter/plain");
  });
});
