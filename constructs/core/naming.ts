/**
 * The one place that builds cloud resource names.
 *
 * Every name is `<project>-<environment>-<component>` (trap T3: explicit, stable,
 * environment-scoped names), checked against the length and character rules of the
 * AWS resource kind it is for. A name that AWS would reject fails at synth time with
 * a message that names the kind, the value and the rule, instead of at deploy time.
 */

import { PropsError } from "./errors";

export interface NameRule {
  /** Longest name AWS accepts for this kind. */
  readonly maxLength: number;
  /** Characters AWS accepts, as an anchored pattern. */
  readonly pattern: RegExp;
  /** The rule in words, used in error messages. */
  readonly allowed: string;
}

const LOWER_DNS = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const ALNUM_HYPHEN = /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/;

/** AWS naming rules per resource kind (from the AWS service quotas and API references). */
export const NAME_RULES = {
  /** Application Load Balancer: 32 chars, alphanumerics and hyphens, no leading/trailing hyphen. */
  loadBalancer: { maxLength: 32, pattern: ALNUM_HYPHEN, allowed: "letters, digits and hyphens, not starting or ending with a hyphen" },
  /** ELB target group: same rule as the load balancer. */
  targetGroup: { maxLength: 32, pattern: ALNUM_HYPHEN, allowed: "letters, digits and hyphens, not starting or ending with a hyphen" },
  /** S3 bucket: 3-63 lowercase letters, digits and hyphens (dots are avoided: they break virtual-host TLS). */
  s3Bucket: { maxLength: 63, pattern: LOWER_DNS, allowed: "lowercase letters, digits and hyphens, starting and ending with a letter or digit" },
  /** IAM role: 64 chars. */
  iamRole: { maxLength: 64, pattern: /^[\w+=,.@-]+$/, allowed: "letters, digits and +=,.@_-" },
  /** IAM inline/managed policy: 128 chars. */
  iamPolicy: { maxLength: 128, pattern: /^[\w+=,.@-]+$/, allowed: "letters, digits and +=,.@_-" },
  /** EC2 security group name: 255 chars. */
  securityGroup: { maxLength: 255, pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*" },
  /** ECR repository: lowercase, 256 chars. */
  ecrRepository: { maxLength: 256, pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, allowed: "lowercase letters, digits and single . _ - separators" },
  /** RDS DB instance identifier: 63 chars, starts with a letter, no double hyphen. */
  dbInstance: { maxLength: 63, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, allowed: "lowercase letters, digits and single hyphens, starting with a letter" },
  /** RDS subnet group / parameter group: lowercase, 255 chars. */
  dbGroup: { maxLength: 255, pattern: /^[a-z][a-z0-9-]*$/, allowed: "lowercase letters, digits and hyphens, starting with a letter" },
  /** ElastiCache replication group id: 40 chars, lowercase, starts with a letter, no double or trailing hyphen. */
  cache: { maxLength: 40, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, allowed: "lowercase letters, digits and single hyphens, starting with a letter" },
  /** ECS cluster, service, task definition family: 255 chars. */
  ecs: { maxLength: 255, pattern: /^[a-zA-Z0-9_-]+$/, allowed: "letters, digits, hyphens and underscores" },
  /** Secrets Manager secret name: 512 chars (we stay far below; AWS appends a 7-char suffix to the ARN). */
  secret: { maxLength: 512, pattern: /^[\w/+=.@-]+$/, allowed: "letters, digits and /_+=.@-" },
  /** CloudWatch Logs log group: 512 chars. */
  logGroup: { maxLength: 512, pattern: /^[\w/.#-]+$/, allowed: "letters, digits and _-./#" },
  /** SNS topic, CloudWatch alarm and dashboard, Step Functions state machine, EventBridge rule (the strictest of them: 64 chars). */
  monitoring: { maxLength: 64, pattern: /^[\w-]+$/, allowed: "letters, digits, hyphens and underscores" },
  /** Anything else taggable with a Name tag. */
  tag: { maxLength: 255, pattern: /^[\w .:/=+@-]+$/, allowed: "letters, digits, spaces and _.:/=+-@" },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/** Thrown when a generated name breaks the AWS rule for its kind. */
export class NameError extends PropsError {
  override readonly name: string = "NameError";

  constructor(
    readonly kind: NameKind,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`Cloud name "${value}" for ${kind} ${reason}`);
  }
}

/** Checks `value` against the AWS rule for `kind`; returns it unchanged or throws NameError. */
export function checkName(kind: NameKind, value: string): string {
  const rule: NameRule = NAME_RULES[kind];
  if (value.length > rule.maxLength) {
    throw new NameError(kind, value, `is ${value.length} characters long; AWS allows at most ${rule.maxLength}. Shorten the project name or the component.`);
  }
  if (!rule.pattern.test(value)) {
    throw new NameError(kind, value, `has characters AWS does not accept; allowed: ${rule.allowed}.`);
  }
  return value;
}

/**
 * Builds the names of one environment: `<project>-<environment>-<component>`.
 *
 * @example new Naming("shop", "staging").name("loadBalancer", "alb") // "shop-staging-alb"
 */
export class Naming {
  /** `<project>-<environment>`, the prefix of every name. */
  readonly prefix: string;

  constructor(
    readonly project: string,
    readonly environment: string,
    /** Account id, appended to S3 bucket names, which are global across all AWS accounts. */
    readonly accountId?: string,
  ) {
    this.prefix = `${project}-${environment}`;
  }

  /** The checked name of a `kind` resource for `component`, e.g. `shop-staging-backend`. */
  name(kind: NameKind, component: string): string {
    return checkName(kind, `${this.prefix}-${component}`);
  }

  /**
   * A globally unique S3 bucket name: `<project>-<environment>-<component>-<accountId>`.
   * Bucket names are shared by every AWS account in the world; the account id makes them yours.
   */
  bucketName(component: string): string {
    if (!this.accountId) throw new PropsError(`Naming: bucket "${component}" needs the account id (config accountId) to be globally unique`);
    return checkName("s3Bucket", `${this.prefix}-${component}-${this.accountId}`);
  }

  /** A CloudWatch log group path, `/<project>/<environment>/<component>`. */
  logGroup(component: string): string {
    return checkName("logGroup", `/${this.project}/${this.environment}/${component}`);
  }
}

/**
 * Components that the stacks use with the 32-character kinds (load balancer, target groups).
 * The config loader checks each against a new environment so that a long project or
 * environment name fails as a configuration error, before any construct is built.
 */
export const SHORT_NAME_COMPONENTS: ReadonlyArray<readonly [NameKind, string]> = [
  ["loadBalancer", "alb"],
  // Target groups are named `<service>-<port>` so a port change can create the new group before
  // deleting the old one (create_before_destroy); a four-digit port is the common case.
  ["targetGroup", "frontend-3000"],
  ["targetGroup", "backend-8000"],
];
