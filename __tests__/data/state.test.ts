import { buildStacks, resourceList, synth } from "../helpers";

describe("per-environment S3 remote state", () => {
  const { bootstrap, environments } = buildStacks();
  const [staging, production] = environments.map((stack) => synth(stack).json);

  test.each([
    ["staging", () => staging],
    ["production", () => production],
  ])("%s: own key, encryption and S3-native locking", (env, json) => {
    expect(json().terraform.backend).toEqual({
      s3: { bucket: "webapp-terraform-state-example", key: `webapp/${env}/terraform.tfstate`, region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("keys differ between environments", () => {
    expect(staging.terraform.backend.s3.key).not.toBe(production.terraform.backend.s3.key);
  });

  test("the provider refuses any account but the configured one", () => {
    expect(staging.provider.aws[0].allowed_account_ids).toEqual(["111111111111"]);
    expect(production.provider.aws[0].allowed_account_ids).toEqual(["111111111111"]);
  });

  test("the provider tags every resource with Project, Environment and ManagedBy", () => {
    expect(production.provider.aws[0].default_tags).toEqual([{ tags: { Project: "webapp", Environment: "production", ManagedBy: "cdktf" } }]);
  });

  describe("bootstrap stack", () => {
    const json = synth(bootstrap).json;

    test("keeps its own state locally, relative to the project root", () => {
      expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.bootstrap.tfstate" } });
    });

    test("creates the state bucket, protected against deletion", () => {
      expect(resourceList(json, "aws_s3_bucket")).toEqual([
        expect.objectContaining({ bucket: "webapp-terraform-state-example", force_destroy: false, lifecycle: { prevent_destroy: true } }),
      ]);
    });

    test("versioning, encryption, public access block, owner-enforced ownership", () => {
      expect(resourceList(json, "aws_s3_bucket_versioning")).toEqual([expect.objectContaining({ versioning_configuration: { status: "Enabled" } })]);
      expect(resourceList(json, "aws_s3_bucket_server_side_encryption_configuration")).toEqual([
        expect.objectContaining({ rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true }] }),
      ]);
      expect(resourceList(json, "aws_s3_bucket_public_access_block")).toEqual([
        expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
      ]);
      expect(resourceList(json, "aws_s3_bucket_ownership_controls")).toEqual([expect.objectContaining({ rule: { object_ownership: "BucketOwnerEnforced" } })]);
    });

    test("a lifecycle expires old state versions and aborted uploads", () => {
      const [lifecycle] = resourceList(json, "aws_s3_bucket_lifecycle_configuration");
      expect(lifecycle.rule).toEqual([
        expect.objectContaining({ id: "abort-incomplete-uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
        expect.objectContaining({ id: "expire-noncurrent-versions", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
      ]);
    });

    test("the bucket policy denies any request without TLS", () => {
      const [doc] = Object.values(json.data!.aws_iam_policy_document);
      expect(doc.statement).toEqual([
        expect.objectContaining({
          effect: "Deny",
          actions: ["s3:*"],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        }),
      ]);
    });
  });
});
