import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * What promoting an image needs from the source environment's repositories (README "Promoting to
 * production"): resolve the tag to its digest and read the manifest and layers to copy them, nothing else.
 */
export const PROMOTION_READ_ACTIONS: readonly string[] = ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];

/**
 * The deploy role's read of the promotion source's repositories (by exact ARN), and an explicit deny
 * of everything else on them: the guardrail that denies resources tagged with another Environment
 * leaves these ARNs out (constructs/deploy-statements.ts), so this deny keeps them read-only.
 */
export function promotionStatements(sourceRepositoryArns: readonly string[]): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: "PromotionSourceRead", actions: [...PROMOTION_READ_ACTIONS], resources: [...sourceRepositoryArns] },
    { sid: "PromotionSourceReadOnly", effect: "Deny", notActions: [...PROMOTION_READ_ACTIONS], resources: [...sourceRepositoryArns] },
  ];
}
