import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import type { SecretSource } from "../compute/presets";

/** A secret the app already has, referenced by name from config. */
export type SecretReference = { readonly secretsManager: string; readonly jsonKey?: string } | { readonly ssmParameter: string };

/**
 * Turns a config secret reference into what ECS and IAM need, computed from region and account so the
 * plan needs no AWS look-up. Secrets Manager ARNs end with a random 6-character suffix that only AWS
 * knows; ECS accepts the partial ARN, and IAM matches the suffix with `-??????`.
 */
export function secretSource(ref: SecretReference, region: string, accountId: string): SecretSource {
  const partition = partitionOf(region);
  if ("ssmParameter" in ref) {
    const arn = `arn:${partition}:ssm:${region}:${accountId}:parameter/${ref.ssmParameter.replace(/^\//, "")}`;
    return { valueFrom: arn, resourceArn: arn, kind: "ssm" };
  }
  const arn = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${ref.secretsManager}`;
  return { valueFrom: ref.jsonKey ? `${arn}:${ref.jsonKey}::` : arn, resourceArn: `${arn}-??????`, kind: "secretsmanager" };
}

export interface AppSecretsProps {
  /** Secret names are `<prefix>/<VARIABLE>`, e.g. `webapp/staging/APP_KEY`. */
  readonly prefix: string;
  readonly region: string;
  readonly accountId: string;
  /** Variable names, e.g. `["APP_KEY"]`. */
  readonly names: readonly string[];
  /**
   * Days a deleted secret can still be restored (and its name stays reserved); 0 deletes it at once.
   * @default 30
   */
  readonly recoveryWindowDays?: number;
}

/**
 * The app's own secrets (APP_KEY, SECRET_KEY_BASE, ...), created empty: the value is set once by
 * you (README "Secrets") and never passes through code, Terraform config or Terraform state.
 */
export class AppSecrets extends Construct {
  /**
   * What ECS and IAM need, by variable name. Built from the secret's name rather than the resource's
   * ARN attribute, so container definitions are known at plan time; depend on `secrets` for ordering.
   */
  readonly sources: Record<string, SecretSource> = {};
  readonly secrets: Record<string, SecretsmanagerSecret> = {};

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    for (const name of props.names) {
      const secretName = `${props.prefix}/${name}`;
      this.secrets[name] = new SecretsmanagerSecret(this, name, {
        name: secretName,
        description: `${name} of ${props.prefix}; set the value with: aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string ...`,
        recoveryWindowInDays: props.recoveryWindowDays ?? 30,
      });
      this.sources[name] = secretSource({ secretsManager: secretName }, props.region, props.accountId);
    }
  }
}
