import { ConfigError, environments, loadEnvironment, loadEnvironments, type EnvironmentInput } from "../../config";
import { messageOf, production, staging } from "../helpers";

/** Loads `input` and returns the ConfigError message (fails the test if it loads). */
const errorOf = (input: unknown): string => messageOf(() => loadEnvironment(input), ConfigError);

const withBackend = (backend: Partial<EnvironmentInput["services"]["backend"]>): EnvironmentInput => ({
  ...staging,
  services: { ...staging.services, backend: { ...staging.services.backend, ...backend } },
});
const withNetwork = (network: Partial<EnvironmentInput["network"]>): EnvironmentInput => ({ ...staging, network: { ...staging.network, ...network } });

describe("shipped configuration", () => {
  test("staging and production load", () => {
    const [s, p] = loadEnvironments(environments);
    expect(s.name).toBe("staging");
    expect(p.name).toBe("production");
  });

  test("environment differences are data: NAT gateways and flow logs (T13)", () => {
    const [s, p] = loadEnvironments(environments);
    expect(s.network.natGateways).toBe(1);
    expect(p.network.natGateways).toBe(p.availabilityZones.length);
    expect(s.network.flowLogs.enabled).toBe(false);
    expect(p.network.flowLogs.enabled).toBe(true);
  });

  test("defaults are applied", () => {
    expect(loadEnvironment(staging).tags).toEqual({});
  });
});

describe("configuration errors name the environment, the setting, the value and what is allowed", () => {
  test.each<[string, EnvironmentInput | Record<string, unknown>, RegExp]>([
    ["bad CIDR", withNetwork({ vpcCidr: "10.0.0.0/33" }), /network\.vpcCidr: got "10\.0\.0\.0\/33"; must have a prefix length between \/16 and \/24/],
    ["CIDR that is not an address", withNetwork({ vpcCidr: "ten.zero" }), /network\.vpcCidr: got "ten\.zero"; must be an IPv4 CIDR block such as 10\.0\.0\.0\/16/],
    ["CIDR octet above 255", withNetwork({ vpcCidr: "10.300.0.0/16" }), /network\.vpcCidr: got "10\.300\.0\.0\/16"; has an octet above 255/],
    ["CIDR with host bits", withNetwork({ vpcCidr: "10.0.0.1/16" }), /network\.vpcCidr: got "10\.0\.0\.1\/16"; has host bits set/],
    ["fewer than 2 AZs", { ...staging, availabilityZones: ["eu-west-1a"] }, /availabilityZones: got \["eu-west-1a"\]; must list at least 2 availability zones/],
    ["more than 4 AZs", { ...staging, availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d", "eu-west-1e"] }, /availabilityZones: .*must list at most 4/],
    ["repeated AZ", { ...staging, availabilityZones: ["eu-west-1a", "eu-west-1a"] }, /availabilityZones: .*must not repeat an availability zone/],
    ["AZ of another region", { ...staging, availabilityZones: ["eu-west-1a", "us-east-1b"] }, /availabilityZones\.1: got "us-east-1b"; is a zone of region us-east-1, not of region eu-west-1; zones of eu-west-1: eu-west-1a, eu-west-1b, eu-west-1c/],
    ["unknown region format", { ...staging, region: "Europe" }, /region: got "Europe"; is not an AWS region; use a region code such as eu-west-1 or us-east-2/],
    ["missing domain", { ...staging, domain: undefined }, /domain: got nothing \(the setting is missing\); is required: \{ name, hostedZoneId \}/],
    ["bad domain name", { ...staging, domain: { ...staging.domain, name: "not a domain" } }, /domain\.name: got "not a domain"; must be a lowercase DNS name/],
    ["bad hosted zone id", { ...staging, domain: { ...staging.domain, hostedZoneId: "example.com" } }, /domain\.hostedZoneId: got "example\.com"; must be a Route53 hosted zone id/],
    ["bad account id", { ...staging, accountId: "1234" }, /accountId: got "1234"; must be a 12-digit AWS account id/],
    ["missing account id", { ...staging, accountId: undefined }, /accountId: got nothing \(the setting is missing\); is required: the 12-digit AWS account id/],
    ["NAT gateways above zone count", withNetwork({ natGateways: 3 }), /network\.natGateways: got 3; must be at most the number of availability zones \(2\)/],
    ["no NAT gateway", withNetwork({ natGateways: 0 }), /network\.natGateways: got 0; must be at least 1/],
    ["fractional NAT gateways", withNetwork({ natGateways: 1.5 }), /network\.natGateways: got 1\.5; must be a whole number/],
    ["retention CloudWatch does not accept", withNetwork({ flowLogs: { enabled: true, retentionDays: 10 } }), /network\.flowLogs\.retentionDays: got 10; must be one of the CloudWatch Logs retention values: 1, 3, 5/],
    ["project with capitals", { ...staging, project: "MyShop" }, /project: got "MyShop"; must be lowercase letters, digits and hyphens/],
    ["project too long", { ...staging, project: "a".repeat(21) }, /project: got "a{21}"; must be at most 20 characters/],
    ["environment name with a hyphen", { ...staging, name: "stag-ing" }, /Invalid configuration for environment "stag-ing":\n.*name: got "stag-ing"; must be lowercase letters and digits/],
    ["bad state bucket", { ...staging, state: { ...staging.state, bucket: "Bad_Bucket" } }, /state\.bucket: got "Bad_Bucket"; must be a valid S3 bucket name/],
    ["misspelt setting", { ...staging, regoin: "eu-west-1" }, /regoin: unknown setting; check its spelling/],
    ["unknown framework", withBackend({ framework: "django" as never }), /services\.backend\.framework: got "django"; must be one of: laravel, rails, nextjs/],
    ["nextjs as the backend", withBackend({ framework: "nextjs" }), /services\.backend\.framework: got "nextjs"; must be laravel or rails/],
    ["laravel as the frontend", { ...staging, services: { ...staging.services, frontend: { ...staging.services.frontend, framework: "laravel" } } }, /services\.frontend\.framework: got "laravel"; must be nextjs/],
    ["container port out of range", withBackend({ containerPort: 70000 }), /services\.backend\.containerPort: got 70000; must be at most 65535/],
    ["unknown CPU architecture", withBackend({ cpuArchitecture: "ARM" as never }), /services\.backend\.cpuArchitecture: got "ARM"; must be X86_64 or ARM64/],
    ["invalid Fargate size", withBackend({ cpu: 1024, memoryMiB: 1024 }), /services\.backend\.memoryMiB: got 1024; memoryMiB 1024 is not valid with cpu 1024; valid memoryMiB values for cpu 1024: 2048, 3072/],
    ["autoscaling bounds around desiredCount", withBackend({ desiredCount: 1, autoscaling: { minCount: 2, maxCount: 4, targetCpuPercent: 60 } }), /services\.backend\.autoscaling: .*needs minCount <= desiredCount <= maxCount \(desiredCount is 1\)/],
    ["secret-looking plain variable", withBackend({ environment: { API_TOKEN: "abc" } }), /services\.backend\.environment\.API_TOKEN: got "abc…" \(3 characters, the rest hidden\); its name says it is a credential, .*Move it to a secret/],
    ["lowercase variable name", withBackend({ environment: { debug: "1" } }), /services\.backend\.environment\.debug: the name "debug" must be an environment variable name: uppercase letters, digits and _/],
    ["bad secret reference", withBackend({ secrets: { STRIPE: { vault: "x" } as never } }), /services\.backend\.secrets\.STRIPE: got \{"vault":"x"\}; must be \{ secretsManager/],
    ["variable set twice", withBackend({ environment: { MAIL_HOST: "a" }, secrets: { MAIL_HOST: { ssmParameter: "/x" } } }), /services\.backend\.secrets\.MAIL_HOST: .*is also set in environment/],
    ["bad image tag", withBackend({ image: { source: "tag", tag: "no spaces allowed" } }), /services\.backend\.image\.tag: got "no spaces allowed"; must be a Docker tag/],
    ["unknown image source", withBackend({ image: { source: "url" } as never }), /services\.backend\.image(\.source)?: got .*; must be \{ source: "tag", tag \} or \{ source: "build", context \}/],
    ["health check path without slash", withBackend({ healthCheck: { path: "up" } }), /services\.backend\.healthCheck\.path: got "up"; must be a URL path starting with "\/"/],
    ["health check matcher", withBackend({ healthCheck: { matcher: "ok" } }), /services\.backend\.healthCheck\.matcher: got "ok"; must be HTTP codes/],
    ["RDS instance class", { ...staging, database: { ...staging.database, instanceClass: "t4g.micro" } }, /database\.instanceClass: got "t4g\.micro"; is not a DB instance class that RDS for MySQL offers \(did you mean "db\.t4g\.micro"\?\)/],
    ["MySQL version", { ...staging, database: { ...staging.database, engineVersion: "5.7" } }, /database\.engineVersion: got "5\.7"; must be MySQL 8\.4 or 8\.0/],
    ["backup retention above 35", { ...staging, database: { ...staging.database, backupRetentionDays: 40 } }, /database\.backupRetentionDays: got 40; must be at most 35/],
    ["too many path patterns", { ...staging, routing: { mode: "path", pathPatterns: ["/a/*", "/b/*", "/c/*", "/d/*"] } }, /routing\.pathPatterns: .*must list at most 3 patterns/],
    ["host route not on the certificate", { ...staging, routing: { mode: "host", hostName: "api.staging.example.com" } }, /routing\.hostName: got "api\.staging\.example\.com"; must also be listed in domain\.alternativeNames/],
    ["GitHub repository without owner", { ...staging, github: { repository: "webapp" } }, /github\.repository: got "webapp"; must be "owner\/name" of a GitHub repository/],
    ["deploy source neither branch nor environment", { ...staging, delivery: { deployFrom: { tag: "v1" } as never } }, /delivery\.deployFrom: got \{"tag":"v1"\}; must be \{ branch: "main" \} or \{ environment: "production" \}/],
    ["idle timeout", { ...staging, loadBalancer: { ...staging.loadBalancer, idleTimeoutSeconds: 0 } }, /loadBalancer\.idleTimeoutSeconds: got 0; must be at least 1/],
  ])("%s", (_case, input, message) => {
    const text = errorOf(input);
    expect(text).toMatch(/^Invalid configuration for environment "[a-z-]+":/);
    expect(text).toMatch(message);
  });

  test("names too long for AWS's 32-character load balancer and target group limit", () => {
    const text = errorOf({ ...production, project: "acme-storefront-eu" });
    expect(text).toContain('environment "production"');
    expect(text).toContain(
      'project + name: got "acme-storefront-eu" (18 characters) + "production" (10 characters); the target group name "acme-storefront-eu-production-frontend-3000" built from project, name and services.frontend.containerPort (3000) is 43 characters and AWS allows 32: shorten project or name by 11 character(s), or use a shorter services.frontend.containerPort',
    );
  });

  test("every problem is listed, not only the first", () => {
    const text = errorOf({ ...staging, region: "x", accountId: "1" });
    expect(text).toMatch(/- region: got "x"/);
    expect(text).toMatch(/- accountId: got "1"/);
  });
});

describe("loadEnvironments", () => {
  test("environment names must be unique", () => {
    expect(() => loadEnvironments([staging, staging])).toThrow(/name: got "staging"; must be unique and not "bootstrap"/);
  });

  test("an environment cannot be called bootstrap", () => {
    expect(() => loadEnvironments([{ ...staging, name: "bootstrap" }])).toThrow(/must be unique and not "bootstrap"/);
  });

  test("environments in one account share its state bucket", () => {
    expect(() => loadEnvironments([staging, { ...production, state: { bucket: "other-bucket", region: "eu-west-1" } }])).toThrow(
      /Invalid configuration for environment "production":\n {2}- state: got \{"bucket":"other-bucket","region":"eu-west-1"\}; environments in one account share its state bucket: use the state of "staging" .*account 111111111111/,
    );
  });

  test("an environment in its own account keeps its state in a bucket of that account, not another account's", () => {
    expect(() => loadEnvironments([staging, { ...production, accountId: "999999999999" }])).toThrow(
      /Invalid configuration for environment "production":\n {2}- state\.bucket: got "webapp-terraform-state-example", the bucket of "staging" in account 111111111111; an environment in its own account \(999999999999\) keeps its state in a bucket of that account/,
    );
    const [, p] = loadEnvironments([staging, { ...production, accountId: "999999999999", state: { bucket: "webapp-state-prod", region: "eu-west-1" } }]);
    expect(p.accountId).toBe("999999999999");
  });

  test("every environment shares the GitHub repository", () => {
    expect(() => loadEnvironments([staging, { ...production, github: { repository: "other/repo" } }])).toThrow(/github\.repository: got "other\/repo"; every environment must use the repository of "staging"/);
  });

  test("every environment shares the project name", () => {
    expect(() => loadEnvironments([staging, { ...production, project: "other" }])).toThrow(/project: got "other"; every environment must use the same project as "staging"/);
  });
});
