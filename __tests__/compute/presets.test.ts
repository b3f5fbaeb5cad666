import { WebService, type WebServiceProps } from "../../constructs/compute/web-service";
import { PRESETS, looksSecret } from "../../constructs/compute/presets";
import { buildStacks, environmentOf, staging, synthEnvironment, taskDefinition } from "../helpers";
import type { EnvironmentInput } from "../../config";

const withBackend = (backend: Partial<EnvironmentInput["services"]["backend"]>): EnvironmentInput => ({
  ...staging,
  services: { ...staging.services, backend: { ...staging.services.backend, ...backend } },
});

describe("laravel preset", () => {
  const json = synthEnvironment(staging).json;
  const [container] = taskDefinition(json, "webapp-staging-backend").containers;
  const env = environmentOf(container);

  test("MySQL settings come from the RDS instance, never SQLite (T2)", () => {
    expect(env).toMatchObject({ DB_CONNECTION: "mysql", DB_DATABASE: "app" });
    expect(env.DB_HOST).toMatch(/^\$\{aws_db_instance\..*\.address\}$/);
    expect(env.DB_PORT).toMatch(/^\$\{aws_db_instance\..*\.port\}$/);
  });

  test("app settings: environment name, logs to stderr, uploads on S3", () => {
    expect(env).toMatchObject({
      APP_ENV: "staging",
      APP_DEBUG: "false",
      APP_URL: "https://staging.example.com",
      LOG_CHANNEL: "stderr",
      FILESYSTEM_DISK: "s3",
      AWS_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.uploads.*\.bucket\}$/),
      AWS_DEFAULT_REGION: "eu-west-1",
    });
  });

  test("DB_USERNAME and DB_PASSWORD come from the application user's secret, not the master's (T15); APP_KEY from its own secret (T10)", () => {
    const secrets = Object.fromEntries(container.secrets.map((x) => [x.name, x.valueFrom]));
    expect(secrets.DB_USERNAME).toBe("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user:username::");
    expect(secrets.DB_PASSWORD).toBe("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user:password::");
    expect(env.DB_USERNAME).toBeUndefined();
    expect(secrets.APP_KEY).toBe("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/APP_KEY");
    expect(Object.keys(env).filter(looksSecret)).toEqual([]);
  });

  test("while migrating to the application user (applicationCredentials: master), the master secret's password and the master username are used", () => {
    const json = synthEnvironment({ ...staging, database: { ...staging.database, applicationCredentials: "master" } }).json;
    const [c] = taskDefinition(json, "webapp-staging-backend").containers;
    const secrets = Object.fromEntries(c.secrets.map((x) => [x.name, x.valueFrom]));
    expect(secrets.DB_PASSWORD).toMatch(/^\$\{aws_db_instance\..*\.master_user_secret\[0\]\.secret_arn\}:password::$/);
    expect(secrets.DB_USERNAME).toBeUndefined();
    expect(environmentOf(c).DB_USERNAME).toBe("app");
  });

  test("Laravel has no PORT variable (its image decides; containerPort must match it)", () => {
    expect(env.PORT).toBeUndefined();
  });
});

describe("rails preset", () => {
  // Staging's worker and scheduler use Laravel's default commands; Rails has none (issue 14).
  const json = synthEnvironment({ ...withBackend({ framework: "rails" }), workers: {}, scheduledJobs: {} }).json;
  const [container] = taskDefinition(json, "webapp-staging-backend").containers;
  const env = environmentOf(container);

  test("production mode, logs to stdout, static files, PORT from containerPort, database settings", () => {
    expect(env).toMatchObject({ RAILS_ENV: "production", RAILS_LOG_TO_STDOUT: "enabled", RAILS_SERVE_STATIC_FILES: "enabled", PORT: "8000", DB_DATABASE: "app" });
    expect(env.DB_HOST).toMatch(/aws_db_instance/);
  });

  test("SECRET_KEY_BASE is a secret, in its own Secrets Manager secret", () => {
    expect(container.secrets.map((x) => x.name).sort()).toEqual(["DB_PASSWORD", "DB_USERNAME", "SECRET_KEY_BASE"]);
    expect(Object.values((json.resource!.aws_secretsmanager_secret as Record<string, { name: string }>)).map((x) => x.name).sort()).toEqual(["webapp/staging/SECRET_KEY_BASE", "webapp/staging/database/app-user"]);
  });
});

describe("nextjs preset", () => {
  const [container] = taskDefinition(synthEnvironment(staging).json, "webapp-staging-frontend").containers;
  const env = environmentOf(container);

  test("production mode, binds 0.0.0.0 on containerPort, knows the API base URL", () => {
    expect(env).toEqual({
      NODE_ENV: "production",
      PORT: "3000",
      HOSTNAME: "0.0.0.0",
      API_URL: "https://staging.example.com/api",
      NEXT_PUBLIC_API_URL: "https://staging.example.com/api",
      NEXT_PUBLIC_SITE_URL: "https://staging.example.com",
    });
    expect(container.secrets).toEqual([]);
  });

  test("in host routing mode the API URL is the API host", () => {
    const json = synthEnvironment({
      ...staging,
      domain: { ...staging.domain, alternativeNames: ["api.staging.example.com"] },
      routing: { mode: "host", hostName: "api.staging.example.com" },
    }).json;
    expect(environmentOf(taskDefinition(json, "webapp-staging-frontend").containers[0]).API_URL).toBe("https://api.staging.example.com");
  });
});

describe("user variables and secrets", () => {
  const json = synthEnvironment(
    withBackend({
      environment: { MAIL_MAILER: "ses", LOG_LEVEL: "debug" },
      secrets: { STRIPE_SECRET: { secretsManager: "webapp/staging/stripe", jsonKey: "secret" }, MAIL_PASSWORD: { ssmParameter: "/webapp/staging/mail-password" } },
    }),
  ).json;
  const [container] = taskDefinition(json, "webapp-staging-backend").containers;

  test("extra variables are added to the preset's", () => {
    expect(environmentOf(container)).toMatchObject({ MAIL_MAILER: "ses", LOG_LEVEL: "debug", DB_CONNECTION: "mysql" });
  });

  test("Secrets Manager (with JSON key) and SSM parameters become ECS secrets, by ARN", () => {
    expect(container.secrets).toEqual(
      expect.arrayContaining([
        { name: "STRIPE_SECRET", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/stripe:secret::" },
        { name: "MAIL_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:111111111111:parameter/webapp/staging/mail-password" },
      ]),
    );
  });

  test("the execution role may read exactly those, too", () => {
    const doc = Object.entries(json.data!.aws_iam_policy_document).find(([id]) => id.includes("backend-service_execution-role-permissions"))![1] as any;
    const bySid = Object.fromEntries(doc.statement.map((st: any) => [st.sid, st]));
    expect(bySid.ReadSecrets.resources).toContain("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/stripe-??????");
    expect(bySid.ReadParameters).toMatchObject({ actions: ["ssm:GetParameters"], resources: ["arn:aws:ssm:eu-west-1:111111111111:parameter/webapp/staging/mail-password"] });
  });
});

describe("secret-looking plain variables are refused (T10)", () => {
  test.each(["DB_PASSWORD", "STRIPE_SECRET_KEY", "API_TOKEN", "aws_secret_access_key", "GITHUB_APIKEY"])("%s looks secret", (name) => {
    expect(looksSecret(name)).toBe(true);
  });

  test.each(["DB_HOST", "KEYCLOAK_URL", "MONKEY", "LOG_LEVEL", "TOKENIZER_MODE"])("%s does not", (name) => {
    expect(looksSecret(name)).toBe(false);
  });

  test("in config, naming the service, the variable and where it belongs", () => {
    expect(() => synthEnvironment(withBackend({ environment: { STRIPE_SECRET: "sk_live_123" } }))).toThrow(
      /services\.backend\.environment\.STRIPE_SECRET: got "sk_l…" \(11 characters, the rest hidden\); its name says it is a credential, .*Move it to a secret/,
    );
  });
});

describe("the web service construct runs the preset checks itself", () => {
  const stack = buildStacks([staging]).environments[0];
  /** Props like the stack's backend, with overrides. */
  const props = (overrides: Partial<WebServiceProps>): WebServiceProps => ({
    naming: stack.naming,
    contract: { ...stack.contract.services.backend, serviceName: "webapp-staging-extra", taskFamily: "webapp-staging-extra", securityGroupName: "webapp-staging-extra", logGroup: "/webapp/staging/ecs/extra" },
    framework: "laravel",
    region: "eu-west-1",
    accountId: "111111111111",
    network: stack.network,
    cluster: stack.cluster,
    registry: stack.registries.backend,
    image: "example:1",
    containerPort: 8000,
    cpu: 256,
    memoryMiB: 512,
    desiredCount: 1,
    healthCheckGracePeriodSeconds: 60,
    logRetentionDays: 30,
    environment: {},
    secrets: {},
    loadBalancer: { securityGroup: stack.loadBalancer.securityGroup, targetGroup: stack.loadBalancer.targetGroups.backend },
    ...overrides,
  });
  let n = 0;
  const build = (overrides: Partial<WebServiceProps>) => () => new WebService(stack, `extra-${n++}`, props(overrides));

  test("a Laravel service without the database variables fails, naming each missing one (T2)", () => {
    expect(build({ environment: { APP_ENV: "staging" } })).toThrow(
      /laravel uses the database but DB_CONNECTION, DB_HOST, DB_PORT, DB_DATABASE, DB_USERNAME, DB_PASSWORD are not set; without them it would silently fall back to another database \(e\.g\. SQLite\)/,
    );
  });

  test("DB_CONNECTION=sqlite is refused for Laravel", () => {
    const environment = { ...PRESETS.laravel.environment({ environmentName: "s", region: "eu-west-1", containerPort: 8000, siteUrl: "", apiUrl: "", appSecrets: {} }), DB_CONNECTION: "sqlite", DB_HOST: "h", DB_PORT: "3306", DB_DATABASE: "d", DB_USERNAME: "u" };
    expect(build({ environment, secrets: { DB_PASSWORD: { valueFrom: "arn", resourceArn: "arn", kind: "secretsmanager" } } })).toThrow(/DB_CONNECTION is "sqlite"; laravel on this platform needs one of: mysql, mariadb/);
  });

  test("a secret-looking plain variable fails with a pointer to secrets", () => {
    expect(build({ framework: "nextjs", environment: { SESSION_SECRET: "x" } })).toThrow(/environment variable SESSION_SECRET looks like a secret \(its name says it is a credential\); move it to "secrets"/);
  });

  test("PORT that differs from containerPort fails (T8)", () => {
    expect(build({ framework: "nextjs", environment: { PORT: "3000" }, containerPort: 8080 })).toThrow(/environment PORT is 3000 but containerPort is 8080; they must be the same port/);
  });

  test("a Fargate size AWS does not offer fails with the valid values", () => {
    expect(build({ framework: "nextjs", cpu: 512, memoryMiB: 512 })).toThrow(/valid memoryMiB values for cpu 512: 1024, 2048, 3072, 4096/);
  });

  test("the same name as variable and secret fails", () => {
    expect(build({ framework: "nextjs", environment: { FOO: "1" }, secrets: { FOO: { valueFrom: "a", resourceArn: "a", kind: "ssm" } } })).toThrow(/FOO set both as environment and as secrets/);
  });
});
