import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Construct } from "constructs";
import { secretSource } from "./app-secrets";
import type { Database } from "./database";
import { PropsError } from "../core/errors";
import type { SecretSource } from "../compute/presets";

export interface DatabaseCredentialsProps {
  readonly database: Database;
  /** Secret names start with this, e.g. `webapp/staging`. */
  readonly prefix: string;
  readonly region: string;
  readonly accountId: string;
  /** RDS rotates the managed master password every this many days. */
  readonly masterPasswordRotationDays: number;
  /** Days a deleted app-user secret can still be restored. @default 30 */
  readonly recoveryWindowDays?: number;
}

/**
 * The database credentials (trap T15). The master password stays RDS-managed, rotated on an explicit
 * schedule (`aws_secretsmanager_secret_rotation` without a Lambda: RDS rotates its own secret); nothing
 * the application runs reads it. The application connects as its own least-privilege user, whose
 * secret is created empty: you create the user and set `{"username": ..., "password": ...}` once
 * (README "Operations"), so no password passes through code, config or Terraform state.
 */
export class DatabaseCredentials extends Construct {
  readonly masterRotation: SecretsmanagerSecretRotation;
  readonly appUserSecret: SecretsmanagerSecret;
  readonly appUserSecretName: string;
  /** What ECS and IAM need for DB_USERNAME and DB_PASSWORD, computed from the secret's name (known at plan). */
  readonly appUser: { readonly username: SecretSource; readonly password: SecretSource };

  constructor(scope: Construct, id: string, props: DatabaseCredentialsProps) {
    super(scope, id);
    const days = props.masterPasswordRotationDays;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw new PropsError(`DatabaseCredentials "${id}": masterPasswordRotationDays must be a whole number from 1 to 365; got ${days}`);
    }
    this.masterRotation = new SecretsmanagerSecretRotation(this, "master-rotation", {
      secretId: props.database.masterSecretArn,
      rotationRules: { automaticallyAfterDays: days },
    });

    this.appUserSecretName = `${props.prefix}/database/app-user`;
    this.appUserSecret = new SecretsmanagerSecret(this, "app-user", {
      name: this.appUserSecretName,
      description: `MySQL user of the ${props.prefix} application (not the master user): JSON {"username","password"}; create the user and set it as README "Operations" says`,
      recoveryWindowInDays: props.recoveryWindowDays ?? 30,
    });
    const key = (jsonKey: string) => secretSource({ secretsManager: this.appUserSecretName, jsonKey }, props.region, props.accountId);
    this.appUser = { username: key("username"), password: key("password") };
  }
}
