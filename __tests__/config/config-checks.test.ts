/**
 * What the configuration check refuses (README section of that name; issue 15): each realistic
 * mistake fails at synth with exactly one message naming the environment, the setting, the value
 * and what to change. The guardrail-entry test covers class 1 (guardrails cannot be switched off).
 */
import { ConfigError, loadEnvironment, loadEnvironments, type EnvironmentInput } from "../../config";
import { levenshtein, nearest } from "../../config/checks/suggest";
import { secretName, secretValueKind } from "../../constructs/compute/secret-detection";
import { RULES, evaluate, indexStack, type Waiver } from "../../constructs/rules";
import { buildStacks, messageOf, production, staging } from "../helpers";

type Backend = EnvironmentInput["services"]["backend"];
const withBackend = (backend: Partial<Backend>, base: EnvironmentInput = staging): EnvironmentInput => ({
  ...base,
  services: { ...base.services, backend: { ...base.services.backend, ...backend } },
});

/** The problems listed for `environment`; fails the test when the error names another environment. */
function problemsOf(load: () => unknown, environment = "staging"): string[] {
  const text = messageOf(load, ConfigError);
  const [header, ...lines] = text.split("\n");
  expect(header).toBe(`Invalid configuration for environment "${environment}":`);
  return lines.map((line) => line.replace(/^ {2}- /, ""));
}
const problems = (input: unknown, environment?: string) => problemsOf(() => loadEnvironment(input), environment);

const secretAdvice = (name: string, file: string, why: string, rotate = true) =>
  `${why}, and plain environment is visible to anyone who can read the task definition (T10). Move it to a secret: aws secretsmanager create-secret --name webapp/staging/${file} --secret-string '<value>', then set services.backend.secrets.${name}: { secretsManager: "webapp/staging/${file}" } and remove it from environment${rotate ? "; it has been in your config, so rotate it" : ""}`;

describe("2. secrets are recognised by value and by short names", () => {
  test.each<[string, Record<string, string>, string[]]>([
    [
      "AWS access key id and its secret key",
      { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      [
        `services.backend.environment.AWS_ACCESS_KEY_ID: got "AKIA…" (20 characters, the rest hidden); ${secretAdvice("AWS_ACCESS_KEY_ID", "aws-access-key-id", "its value looks like an AWS access key id")}`,
        `services.backend.environment.AWS_SECRET_ACCESS_KEY: got "wJal…" (40 characters, the rest hidden); ${secretAdvice("AWS_SECRET_ACCESS_KEY", "aws-secret-access-key", "its value looks like an AWS secret access key")}`,
      ],
    ],
    [
      "temporary key id under a harmless name, secret key next to it",
      { S3_ID: "ASIAIOSFODNN7EXAMPLE", S3_SK: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      [
        `services.backend.environment.S3_ID: got "ASIA…" (20 characters, the rest hidden); ${secretAdvice("S3_ID", "s3-id", "its value looks like an AWS access key id")}`,
        `services.backend.environment.S3_SK: got "wJal…" (40 characters, the rest hidden); ${secretAdvice("S3_SK", "s3-sk", "its value looks like an AWS secret access key")}`,
      ],
    ],
    ["Stripe live key", { STRIPE: "sk_live_51Hxxxxxxxxxxxxxxxxxxxxx" }, [`services.backend.environment.STRIPE: got "sk_l…" (32 characters, the rest hidden); ${secretAdvice("STRIPE", "stripe", "its value looks like a Stripe live secret key")}`]],
    ["Stripe restricted key", { PAYMENTS: "rk_live_51Habcdefghijklmnop" }, [`services.backend.environment.PAYMENTS: got "rk_l…" (27 characters, the rest hidden); ${secretAdvice("PAYMENTS", "payments", "its value looks like a Stripe live secret key")}`]],
    ["GitHub classic token", { GH: `ghp_${"a1".repeat(18)}` }, [`services.backend.environment.GH: got "ghp_…" (40 characters, the rest hidden); ${secretAdvice("GH", "gh", "its value looks like a GitHub token")}`]],
    ["GitHub OAuth token", { GH_APP: `gho_${"Z9".repeat(18)}` }, [`services.backend.environment.GH_APP: got "gho_…" (40 characters, the rest hidden); ${secretAdvice("GH_APP", "gh-app", "its value looks like a GitHub token")}`]],
    [
      "GitHub fine-grained token",
      { GH: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz" },
      [`services.backend.environment.GH: got "gith…" (57 characters, the rest hidden); ${secretAdvice("GH", "gh", "its value looks like a GitHub fine-grained token")}`],
    ],
    ["Slack bot token", { SLACK_BOT: "xoxb-123456789012-1234567890123-abcdefghijklmnop" }, [`services.backend.environment.SLACK_BOT: got "xoxb…" (48 characters, the rest hidden); ${secretAdvice("SLACK_BOT", "slack-bot", "its value looks like a Slack token")}`]],
    ["Google API key", { MAPS: "AIzaSyA-1234567890abcdefghijklmnopqrstu" }, [`services.backend.environment.MAPS: got "AIza…" (39 characters, the rest hidden); ${secretAdvice("MAPS", "maps", "its value looks like a Google API key")}`]],
    [
      "private key PEM block",
      { SIGNING: "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----" },
      [`services.backend.environment.SIGNING: got "----…" (69 characters, the rest hidden); ${secretAdvice("SIGNING", "signing", "its value looks like a private key")}`],
    ],
    [
      "JWT",
      { SERVICE_AUTH: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },
      [`services.backend.environment.SERVICE_AUTH: got "eyJh…" (92 characters, the rest hidden); ${secretAdvice("SERVICE_AUTH", "service-auth", "its value looks like a JSON Web Token")}`],
    ],
    ["Redis URL with only a password", { REDIS_URL: "redis://:hunter2@cache.internal:6379/0" }, [`services.backend.environment.REDIS_URL: got "redi…" (38 characters, the rest hidden); ${secretAdvice("REDIS_URL", "redis-url", "its value looks like a connection URL with a password")}`]],
    ["database DSN with user and password", { DATABASE_URL: "mysql://app:s3cret@db.internal/app" }, [`services.backend.environment.DATABASE_URL: got "mysq…" (34 characters, the rest hidden); ${secretAdvice("DATABASE_URL", "database-url", "its value looks like a connection URL with a password")}`]],
    ["short name PASS", { MAIL_PASS: "x" }, [`services.backend.environment.MAIL_PASS: got "x…" (1 character, the rest hidden); ${secretAdvice("MAIL_PASS", "mail-pass", "its name says it is a credential", false)}`]],
    ["short name PW", { SMTP_PW: "hunter22" }, [`services.backend.environment.SMTP_PW: got "hunt…" (8 characters, the rest hidden); ${secretAdvice("SMTP_PW", "smtp-pw", "its name says it is a credential", false)}`]],
  ])("%s", (_case, environment, expected) => {
    expect(problems(withBackend({ environment }))).toEqual(expected);
  });

  test("the message never prints the secret itself", () => {
    const text = messageOf(() => loadEnvironment(withBackend({ environment: { REDIS_URL: "redis://:hunter2@cache.internal:6379/0" } })), ConfigError);
    expect(text).not.toContain("hunter2");
  });

  test("harmless names and values pass", () => {
    const environment = {
      PASSWORD_HASH_ROUNDS: "12",
      PASSWORD_MIN_LENGTH: "10",
      TOKEN_TTL_SECONDS: "3600",
      SESSION_LIFETIME: "120",
      REDIS_URL: "redis://cache.internal:6379/0",
      SENTRY_DSN: "https://abc123@o1.ingest.sentry.io/1",
      KEYCLOAK_URL: "https://sso.example.com",
      BUILD_SHA: "3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8",
    };
    expect(loadEnvironment(withBackend({ environment })).services.backend.environment).toEqual(environment);
  });

  test.each(["DB_PASS", "MAIL_PW", "PWD", "STRIPE_SECRET_KEY", "API_TOKEN", "JWT_PASSPHRASE"])("%s is a credential name", (name) => expect(secretName(name)).toBe(true));
  test.each(["PASSWORD_HASH_ROUNDS", "PASSWORD_MIN_LENGTH", "TOKEN_TTL_SECONDS", "MONKEY", "PASSPORT_DRIVER", "BYPASS_CACHE"])("%s is not", (name) => expect(secretName(name)).toBe(false));
  test("a plain https URL or a git sha is not a credential value", () => {
    expect(secretValueKind("https://api.example.com/v1")).toBeUndefined();
    expect(secretValueKind("3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8")).toBeUndefined();
  });
});

describe("3. cross-environment secret references are refused everywhere", () => {
  test.each<[string, EnvironmentInput[], string, string]>([
    [
      "staging reads production's Secrets Manager secret",
      [withBackend({ secrets: { STRIPE_KEY: { secretsManager: "webapp/production/stripe" } } }), production],
      "staging",
      `services.backend.secrets.STRIPE_KEY: got {"secretsManager":"webapp/production/stripe"}; that is a secret of environment "production", and "staging" must never read another environment's secrets (its roles would reach into "production"): create "webapp/staging/stripe" and reference it instead`,
    ],
    [
      "production reads staging's SSM parameter",
      [staging, withBackend({ secrets: { MAIL_PASSWORD: { ssmParameter: "/webapp/staging/mail-password" } } }, production)],
      "production",
      `services.backend.secrets.MAIL_PASSWORD: got {"ssmParameter":"/webapp/staging/mail-password"}; that is a secret of environment "staging", and "production" must never read another environment's secrets (its roles would reach into "staging"): create "/webapp/production/mail-password" and reference it instead`,
    ],
  ])("%s", (_case, inputs, environment, expected) => {
    expect(problemsOf(() => loadEnvironments(inputs), environment)).toEqual([expected]);
  });

  test("an environment's own secrets pass", () => {
    expect(() => loadEnvironments([withBackend({ secrets: { STRIPE_KEY: { secretsManager: "webapp/staging/stripe" } } }), production])).not.toThrow();
  });
});

describe("4. Terraform template sequences in user strings", () => {
  test.each<[string, EnvironmentInput, string]>([
    ["a build context", withBackend({ image: { source: "build", context: "apps/${APP}" } }), 'services.backend.image.context: got "apps/${APP}"; contains "${" or "%{", which Terraform would read as an expression, and this setting cannot be escaped: remove the sequence'],
    ["a secret's JSON key", withBackend({ secrets: { MAIL_PASSWORD: { secretsManager: "webapp/staging/mail", jsonKey: "%{key}" } } }), 'services.backend.secrets.MAIL_PASSWORD.jsonKey: got "%{key}"; contains "${" or "%{", which Terraform would read as an expression, and this setting cannot be escaped: remove the sequence'],
    ["a tag value (AWS allows no $ or { in tag values)", { ...staging, tags: { Team: "${TEAM}" } }, 'tags.Team: got "${TEAM}"; tag values may contain only letters, digits, spaces and _ . : / = + - @'],
  ])("%s is refused, naming the setting", (_case, input, expected) => {
    expect(problems(input)).toContainEqual(expected);
  });

  test("environment values and the migration command are accepted: the stack escapes them (proven by terraform plan in terraform.test.ts)", () => {
    const config = loadEnvironment(withBackend({ environment: { MAIL_FROM_NAME: "${APP_NAME}", GREETING: "%{if x}y%{endif}" }, migrationCommand: ["sh", "-c", "echo ${HOME}"] }));
    expect(config.services.backend.environment.MAIL_FROM_NAME).toBe("${APP_NAME}");
  });
});

describe("5. values two environments must not share", () => {
  const qa = (changes: Partial<EnvironmentInput>): EnvironmentInput => ({ ...staging, name: "qa", network: { ...staging.network, vpcCidr: "10.30.0.0/16" }, domain: { ...staging.domain, name: "qa.example.com" }, ...changes });

  test("a copy of staging with only the name changed: domain and VPC range, naming staging", () => {
    expect(problemsOf(() => loadEnvironments([staging, production, { ...staging, name: "qa" }]), "qa")).toEqual([
      'domain.name: got "staging.example.com"; environment "staging" already uses it (domain.name): each environment needs its own host names, or their DNS validation and alias records overwrite each other in the hosted zone; give "qa" its own, e.g. "qa.example.com"',
      'network.vpcCidr: got "10.20.0.0/16"; overlaps environment "staging" (network.vpcCidr "10.20.0.0/16"): overlapping VPCs can never be peered or joined through a transit gateway; give "qa" its own range, e.g. "10.0.0.0/16"',
    ]);
  });

  test.each<[string, EnvironmentInput, string]>([
    [
      "an alternative name that is production's site",
      qa({ domain: { ...staging.domain, name: "qa.example.com", alternativeNames: ["www.example.com"] } }),
      'domain.alternativeNames.0: got "www.example.com"; environment "production" already uses it (domain.name): each environment needs its own host names, or their DNS validation and alias records overwrite each other in the hosted zone; give "qa" its own, e.g. "qa.example.com"',
    ],
    [
      "a wildcard whose validation record is staging's",
      qa({ domain: { ...staging.domain, name: "qa.example.com", alternativeNames: ["*.staging.example.com"] } }),
      'domain.alternativeNames.0: got "*.staging.example.com"; environment "staging" already uses "staging.example.com" (domain.name): each environment needs its own host names, or their DNS validation and alias records overwrite each other in the hosted zone; give "qa" its own, e.g. "qa.example.com"',
    ],
    [
      "a VPC range inside production's",
      qa({ network: { ...staging.network, vpcCidr: "10.10.128.0/20" } }),
      'network.vpcCidr: got "10.10.128.0/20"; overlaps environment "production" (network.vpcCidr "10.10.0.0/16"): overlapping VPCs can never be peered or joined through a transit gateway; give "qa" its own range, e.g. "10.0.0.0/16"',
    ],
  ])("%s", (_case, input, expected) => {
    expect(problemsOf(() => loadEnvironments([staging, production, input]), "qa")).toEqual([expected]);
  });

  test("a third environment with its own names and range passes", () => {
    expect(loadEnvironments([staging, production, qa({})]).map((c) => c.name)).toEqual(["staging", "production", "qa"]);
  });
});

describe("6. AWS identifiers and combinations", () => {
  test.each<[string, EnvironmentInput, string[]]>([
    ["region typo", { ...staging, region: "eu-wset-1" }, ['region: got "eu-wset-1"; is not an AWS region (did you mean "eu-west-1"?); use a region code such as eu-west-1 or us-east-2 (table config/data/aws-regions.json, compiled 2026-11-29; add a region there if AWS opened a new one)']],
    ["region without hyphen", { ...staging, region: "euwest1" }, ['region: got "euwest1"; is not an AWS region (did you mean "eu-west-1"?); use a region code such as eu-west-1 or us-east-2 (table config/data/aws-regions.json, compiled 2026-11-29; add a region there if AWS opened a new one)']],
    ["zone that does not exist", { ...staging, availabilityZones: ["eu-west-1a", "eu-west-1d"] }, ['availabilityZones.1: got "eu-west-1d"; is not an availability zone of region eu-west-1 (did you mean "eu-west-1a"?); zones of eu-west-1: eu-west-1a, eu-west-1b, eu-west-1c']],
    ["zone b in Tokyo", { ...staging, region: "ap-northeast-1", state: { ...staging.state!, region: "ap-northeast-1" }, availabilityZones: ["ap-northeast-1a", "ap-northeast-1b"] }, ['availabilityZones.1: got "ap-northeast-1b"; is not an availability zone of region ap-northeast-1 (did you mean "ap-northeast-1a"?); zones of ap-northeast-1: ap-northeast-1a, ap-northeast-1c, ap-northeast-1d']],
    ["instance class typo", { ...staging, database: { ...staging.database, instanceClass: "db.t4g.mirco" } }, ['database.instanceClass: got "db.t4g.mirco"; is not a DB instance class that RDS for MySQL offers (did you mean "db.t4g.micro"?); sizes of db.t4g: 2xlarge, large, medium, micro, small, xlarge (table config/data/rds-mysql-instance-classes.json, compiled 2026-11-29)']],
    ["instance class MySQL does not offer", { ...staging, database: { ...staging.database, instanceClass: "db.t4g.nano" } }, ['database.instanceClass: got "db.t4g.nano"; is not a DB instance class that RDS for MySQL offers; sizes of db.t4g: 2xlarge, large, medium, micro, small, xlarge (table config/data/rds-mysql-instance-classes.json, compiled 2026-11-29)']],
    ["EC2 type without db.", { ...staging, database: { ...staging.database, instanceClass: "m7g.large" } }, ['database.instanceClass: got "m7g.large"; is not a DB instance class that RDS for MySQL offers (did you mean "db.m7g.large"?); for example db.t4g.micro, db.t4g.medium, db.m7g.large, db.r7g.large (table config/data/rds-mysql-instance-classes.json, compiled 2026-11-29)']],
    ["storage ceiling less than 10% above", { ...staging, database: { ...staging.database, allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 } }, ["database.maxAllocatedStorageGiB: got 105; RDS needs the storage autoscaling ceiling at least 10% above database.allocatedStorageGiB (100): set it to 110 or more"]],
    ["storage ceiling below allocated", { ...staging, database: { ...staging.database, allocatedStorageGiB: 50, maxAllocatedStorageGiB: 20 } }, ["database.maxAllocatedStorageGiB: got 20; RDS needs the storage autoscaling ceiling at least 10% above database.allocatedStorageGiB (50): set it to 55 or more"]],
    ["Fargate Spot with ARM64", withBackend({ cpuArchitecture: "ARM64", fargateSpot: true }), ['services.backend.fargateSpot: got true; Fargate Spot does not run ARM64 tasks and services.backend.cpuArchitecture is "ARM64": set fargateSpot: false, or cpuArchitecture: "X86_64" with an x86 image']],
    ["deployment that cannot start or stop a task", withBackend({ minHealthyPercent: 100, maxPercent: 100 }), ["services.backend.minHealthyPercent / maxPercent: got 100 / 100; with 1 task(s) a deployment can neither start a new task (maxPercent allows 1) nor stop an old one (minHealthyPercent keeps 1), so it never progresses: raise maxPercent (200 is the default) or lower minHealthyPercent"]],
    ["150% of one task is still one task", withBackend({ minHealthyPercent: 100, maxPercent: 150 }), ["services.backend.minHealthyPercent / maxPercent: got 100 / 150; with 1 task(s) a deployment can neither start a new task (maxPercent allows 1) nor stop an old one (minHealthyPercent keeps 1), so it never progresses: raise maxPercent (200 is the default) or lower minHealthyPercent"]],
    ["build without a Dockerfile in the context", withBackend({ image: { source: "build", context: "config" } }), ['services.backend.image.dockerfile: got "Dockerfile"; there is no Dockerfile in the build context config: add one, or set image.dockerfile to its path relative to the context']],
    ["build context that does not exist", withBackend({ image: { source: "build", context: "backend-app" } }), [`services.backend.image.context: got "backend-app"; no such directory (${process.cwd()}/backend-app); give the build context directory relative to the project root`]],
    ...["latest", "main", "dev"].map((tag): [string, EnvironmentInput, string[]] => [
      `mutable-looking tag ${tag}`,
      withBackend({ image: { source: "tag", tag } }),
      [`services.backend.image.tag: got "${tag}"; the service's ECR repository has immutable tags, so a tag that names a moving target can be pushed once only and then never updated: use a version or a commit id such as "v1.4.2" or "3f2c1ab"`],
    ]),
    ["empty tag key", { ...staging, tags: { "": "x" } }, ['tags: got the key ""; a tag key must not be empty: give it a name such as "CostCenter"']],
    ["tag key of 129 characters", { ...staging, tags: { ["k".repeat(129)]: "x" } }, [`tags.${"k".repeat(129)}: got a key of 129 characters; AWS allows at most 128: shorten it`]],
    ["aws: tag key", { ...staging, tags: { "aws:createdBy": "me" } }, ['tags.aws:createdBy: got the key "aws:createdBy"; keys starting with "aws:" are reserved for AWS: rename it (e.g. without the prefix)']],
    ["tag that would lose to the project's Environment tag", { ...staging, tags: { Environment: "qa" } }, ['tags.Environment: got the key "Environment"; the project sets Environment on every resource itself (with Project, Environment, ManagedBy), so this tag would be silently replaced: use another key such as "Team" or remove it']],
    ["managedby in another case", { ...staging, tags: { managedby: "terraform" } }, ['tags.managedby: got the key "managedby"; the project sets ManagedBy on every resource itself (with Project, Environment, ManagedBy), so this tag would be silently replaced: use another key such as "Team" or remove it']],
    ["branch as a ref", { ...staging, delivery: { deployFrom: { branch: "refs/heads/main" } } }, ['delivery.deployFrom.branch: got "refs/heads/main"; give the branch name only: "main" (the trust policy builds "ref:refs/heads/main" itself)']],
  ])("%s", (_case, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  test("did you mean: Levenshtein distance and nearest candidate", () => {
    expect(levenshtein("eu-wset-1", "eu-west-1")).toBe(2);
    expect(nearest("us-eats-1", ["us-east-1", "us-east-2", "eu-west-1"])).toBe("us-east-1");
    expect(nearest("mars-1", ["us-east-1", "eu-west-1"])).toBeUndefined();
  });
});

describe("7. messages that point at the right setting, in our voice", () => {
  test.each<[string, unknown, string[]]>([
    ["wrong cpu is blamed on cpu, not memoryMiB", withBackend({ cpu: 300, memoryMiB: 512 }), ["services.backend.cpu: got 300; cpu 300 is not a Fargate size; valid cpu values: 256, 512, 1024, 2048, 4096, 8192, 16384"]],
    ["region typo is reported on region, not on the zones", { ...staging, region: "eu-west-l" }, ['region: got "eu-west-l"; is not an AWS region (did you mean "eu-west-1"?); use a region code such as eu-west-1 or us-east-2 (table config/data/aws-regions.json, compiled 2026-11-29; add a region there if AWS opened a new one)']],
    ["account id as a number", { ...staging, accountId: 123456789012 }, ['accountId: got 123456789012; must be the 12-digit account id as text in quotes, e.g. "012345678901" (as a number it can lose leading zeros)']],
    ["boolean in quotes", withBackend({ fargateSpot: "true" as never }), ['services.backend.fargateSpot: got "true"; must be true or false (without quotes), not text']],
    ["number in quotes", { ...staging, database: { ...staging.database, allocatedStorageGiB: "20" } }, ['database.allocatedStorageGiB: got "20"; must be a whole number']],
    ["missing boolean", { ...staging, database: { ...staging.database, multiAz: undefined } }, ["database.multiAz: got nothing (the setting is missing); is required: true or false (without quotes)"]],
    ["a zone instead of a list", { ...staging, availabilityZones: "eu-west-1a" }, ['availabilityZones: got "eu-west-1a"; must be a list of availability zone names']],
    ["object where a list belongs", withBackend({ migrationCommand: "php artisan migrate" as never }), ['services.backend.migrationCommand: got "php artisan migrate"; must be a list [ ... ], not text']],
    ["PORT that disagrees with containerPort (was a construct error under \"backend-service\")", withBackend({ environment: { PORT: "80" } }), ['services.backend.environment.PORT: got "80"; must equal services.backend.containerPort (8000) or be left out: the port mapping, target group and security group all use containerPort (T8)']],
    ["Laravel pointed at SQLite (was a construct error)", withBackend({ environment: { DB_CONNECTION: "sqlite" } }), ['services.backend.environment.DB_CONNECTION: got "sqlite"; laravel on this platform needs one of: mysql, mariadb (the preset sets mysql): remove the override']],
    ["health check timeout against the preset's interval (was a construct error under \"load-balancer\")", withBackend({ healthCheck: { timeoutSeconds: 20 } }), ["services.backend.healthCheck.timeoutSeconds: got 20; must be less than services.backend.healthCheck.intervalSeconds (15, the laravel preset's default): lower timeoutSeconds or raise intervalSeconds"]],
    ["health check matcher outside 200-499", withBackend({ healthCheck: { matcher: "100-399" } }), ['services.backend.healthCheck.matcher: got "100-399"; the load balancer accepts codes from 200 to 499 only, e.g. "200" or "200-399"']],
    ["alternative name repeating the domain (was a construct error under \"certificate\")", { ...staging, domain: { ...staging.domain, alternativeNames: ["staging.example.com"] } }, ['domain.alternativeNames.0: got "staging.example.com"; that is domain.name, which the certificate covers already: remove it']],
    ["host routing to the site's own name: one consistent piece of advice", { ...staging, routing: { mode: "host", hostName: "staging.example.com" } }, ['routing.hostName: got "staging.example.com"; is domain.name itself, where the frontend is served; host routing needs the backend on a host of its own such as "api.staging.example.com" (add it to domain.alternativeNames too), or use { mode: "path", pathPatterns: ["/api/*"] }']],
    [
      "a name made too long by a port change names the port",
      withBackend({ containerPort: 18080 }, { ...staging, project: "acme-shopeu", services: { ...staging.services, frontend: { ...staging.services.frontend, containerPort: 80 } } }),
      ['project + name: got "acme-shopeu" (11 characters) + "staging" (7 characters); the target group name "acme-shopeu-staging-backend-18080" built from project, name and services.backend.containerPort (18080) is 33 characters and AWS allows 32: shorten project or name by 1 character(s), or use a shorter services.backend.containerPort'],
    ],
  ])("%s", (_case, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  test("no message carries zod's own wording", () => {
    const text = messageOf(() => loadEnvironment({ ...staging, loadBalancer: { deletionProtection: "no", accessLogs: { enabled: 1, retentionDays: [] } }, uploads: {} }), ConfigError);
    expect(text).not.toMatch(/Invalid input|expected \w+, received|Too (small|big)/);
    expect(text).toContain("loadBalancer.deletionProtection: got \"no\"; must be true or false (without quotes), not text");
    expect(text).toContain("uploads.versioned: got nothing (the setting is missing); is required: true or false (without quotes)");
  });
});

describe("3. unsafe overrides: guardrail ENV.5 (every environment; a waiver with a reason is the way out)", () => {
  // The rule sees the container definitions exactly as synthesized (preset values plus overrides).
  const findings = (input: EnvironmentInput, waivers: Waiver[] = []) => {
    const stack = buildStacks([input]).environments[0];
    return evaluate(indexStack(stack), RULES.filter((r) => r.id === "ENV.5"), waivers).findings;
  };

  test.each<[string, EnvironmentInput, string[]]>([
    ["Laravel debug pages on in production", withBackend({ environment: { APP_DEBUG: "true" } }, production), ['container backend sets APP_DEBUG="true"', 'container backend sets APP_DEBUG="true"']],
    ["Laravel APP_ENV=local", withBackend({ environment: { APP_ENV: "local" } }, production), ['container backend sets APP_ENV="local"', 'container backend sets APP_ENV="local"']],
    [
      "Rails in development mode",
      withBackend({ framework: "rails", environment: { RAILS_ENV: "development" } }, production),
      ['container backend sets RAILS_ENV="development"', 'container backend sets RAILS_ENV="development"'],
    ],
    [
      "Next.js with NODE_ENV=development",
      { ...production, services: { ...production.services, frontend: { ...production.services.frontend, environment: { NODE_ENV: "development" } } } },
      ['container frontend sets NODE_ENV="development"'],
    ],
    ["debug logs", withBackend({ environment: { LOG_LEVEL: "debug" } }, production), ['container backend sets LOG_LEVEL="debug"', 'container backend sets LOG_LEVEL="debug"']],
  ])("%s is a violation on the service and its migration task", (_case, input, problems) => {
    const found = findings(input);
    expect(found.map((f) => f.problem)).toEqual(problems);
    expect(found.every((f) => f.status === "non-compliant")).toBe(true);
  });

  test("a waiver with a reason lets staging keep debug pages, and is recorded", () => {
    const reason = "staging: QA reads Laravel's error pages while testing new releases";
    const found = findings(withBackend({ environment: { APP_DEBUG: "true" } }), [{ rule: "ENV.5", resource: "backend-service", reason }]);
    expect(found.map((f) => [f.status, f.reason])).toEqual([
      ["waived", reason],
      ["waived", reason],
      // Staging's queue worker inherits the backend's environment, so it is caught too: the waiver names the backend only.
      ["non-compliant", undefined],
    ]);
  });

  test("the presets' own values pass", () => {
    expect(findings(production)).toEqual([]);
  });
});
