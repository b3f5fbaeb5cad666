import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";

export interface PrivateBucketProps {
  /** Globally unique bucket name, from the naming helper. */
  readonly bucketName: string;
  /**
   * Keep every version of every object.
   * @default true
   */
  readonly versioned?: boolean;
  /**
   * Delete non-current versions this many days after they stop being current (only when versioned).
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Delete objects this many days after they were written (logs); non-current versions follow the
   * versioning rule.
   * @default never
   */
  readonly expirationDays?: number;
  /**
   * Terraform `prevent_destroy`: any plan that would delete the bucket fails instead.
   * The bucket is never `force_destroy`, so AWS also refuses to delete it while it holds objects.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * S3 `force_destroy`: a destroy deletes every object and version, then the bucket.
   * @default false (AWS refuses to delete a bucket that holds objects)
   */
  readonly forceDestroy?: boolean;
  /**
   * Statements added to the bucket policy next to the TLS-only deny (for example ALB log delivery).
   * @default none
   */
  readonly extraPolicyStatements?: DataAwsIamPolicyDocumentStatement[];
}

/**
 * An S3 bucket nobody can make public by accident: all public access blocked, bucket-owner
 * enforced ownership (no ACLs), SSE-S3 encryption, a policy denying plain-HTTP requests,
 * aborted multipart uploads cleaned up, versioning on by default.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    const versioned = props.versioned ?? true;

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const bucket = this.bucket.id;

    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfiguration(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    const versioning = new S3BucketVersioning(this, "versioning", {
      bucket,
      versioningConfiguration: { status: versioned ? "Enabled" : "Suspended" },
    });

    const rules: S3BucketLifecycleConfigurationRule[] = [
      { id: "abort-incomplete-uploads", status: "Enabled", filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
    ];
    if (props.expirationDays !== undefined) {
      rules.push({ id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: props.expirationDays }] });
    }
    if (versioned) {
      rules.push({
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{}],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionRetentionDays ?? 90 }],
      });
    }
    new S3BucketLifecycleConfiguration(this, "lifecycle", { bucket, rule: rules, dependsOn: [versioning] });

    const document = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        ...(props.extraPolicyStatements ?? []),
      ],
    });
    // Policy after the public access block: AWS evaluates a new policy against it.
    this.policy = new S3BucketPolicy(this, "policy", { bucket, policy: document.json, dependsOn: [publicAccess] });
  }
}
