/**
 * The id of every guardrail rule, as plain data: config validation (waiver ids) reads it without
 * importing the rules themselves, so config does not depend on constructs. A test checks that it
 * lists exactly the ids of `RULES` (constructs/rules/index.ts), in the same order.
 */
export const RULE_IDS: readonly string[] = [
  "ECS.2", "ECS.4", "ECS.5", "ECS.8", "ECS.9", "ECS.12",
  "ECR.1", "ECR.2", "ECR.3",
  "ELB.1", "ELB.4", "ELB.5", "ELB.6", "ELB.12", "ELB.17",
  "RDS.2", "RDS.3", "RDS.5", "RDS.8", "RDS.9", "RDS.11", "RDS.13", "RDS.17",
  "S3.5", "S3.8", "S3.9", "S3.12", "S3.13",
  "ElastiCache.1", "ElastiCache.2", "ElastiCache.3", "ElastiCache.4", "ElastiCache.5", "ElastiCache.6", "ElastiCache.7",
  "EC2.2", "EC2.6", "EC2.15", "EC2.19",
  "SG.1", "SG.2", "IAM.1", "LOG.1",
  "ENV.1", "ENV.2", "ENV.3", "ENV.4", "ENV.5", "ENV.6",
  "OPS.1", "OPS.2", "OPS.3",
  "SQS.1",
];
