import { ec215 } from "./ec2-15";
import { ec219 } from "./ec2-19";
import { ec22 } from "./ec2-2";
import { ec26 } from "./ec2-6";
import { ecr1 } from "./ecr-1";
import { ecr2 } from "./ecr-2";
import { ecr3 } from "./ecr-3";
import { ecs12 } from "./ecs-12";
import { ecs2 } from "./ecs-2";
import { ecs4 } from "./ecs-4";
import { ecs5 } from "./ecs-5";
import { ecs8 } from "./ecs-8";
import { ecs9 } from "./ecs-9";
import { elasticache1 } from "./elasticache-1";
import { elasticache2 } from "./elasticache-2";
import { elasticache3 } from "./elasticache-3";
import { elasticache4 } from "./elasticache-4";
import { elasticache5 } from "./elasticache-5";
import { elasticache6 } from "./elasticache-6";
import { elasticache7 } from "./elasticache-7";
import { elb1 } from "./elb-1";
import { elb12 } from "./elb-12";
import { elb17 } from "./elb-17";
import { elb4 } from "./elb-4";
import { elb5 } from "./elb-5";
import { elb6 } from "./elb-6";
import { env1 } from "./env-1";
import { env2 } from "./env-2";
import { env3 } from "./env-3";
import { env4 } from "./env-4";
import { env5 } from "./env-5";
import { env6 } from "./env-6";
import { iam1 } from "./iam-1";
import { log1 } from "./log-1";
import { ops1 } from "./ops-1";
import { ops2 } from "./ops-2";
import { ops3 } from "./ops-3";
import { rds11 } from "./rds-11";
import { rds13 } from "./rds-13";
import { rds17 } from "./rds-17";
import { rds2 } from "./rds-2";
import { rds3 } from "./rds-3";
import { rds5 } from "./rds-5";
import { rds8 } from "./rds-8";
import { rds9 } from "./rds-9";
import { s312 } from "./s3-12";
import { s313 } from "./s3-13";
import { s35 } from "./s3-5";
import { s38 } from "./s3-8";
import { s39 } from "./s3-9";
import { sg1 } from "./sg-1";
import { sg2 } from "./sg-2";
import { sqs1 } from "./sqs-1";
import type { Rule } from "./rule";

export { Guardrails, evaluate, indexResources, indexStack, isGuardrailFailure, type Finding } from "./engine";
export type { Rule, RuleResult, ResourceView, StackIndex, Waiver } from "./rule";

/** Every guardrail rule, applied to every stack (README "Guardrails"). */
export const RULES: readonly Rule[] = [
  ecs2, ecs4, ecs5, ecs8, ecs9, ecs12,
  ecr1, ecr2, ecr3,
  elb1, elb4, elb5, elb6, elb12, elb17,
  rds2, rds3, rds5, rds8, rds9, rds11, rds13, rds17,
  s35, s38, s39, s312, s313,
  elasticache1, elasticache2, elasticache3, elasticache4, elasticache5, elasticache6, elasticache7,
  ec22, ec26, ec215, ec219,
  sg1, sg2, iam1, log1,
  env1, env2, env3, env4, env5, env6,
  ops1, ops2, ops3,
  sqs1,
];
