/**
 * No valid configuration that the README documents is refused (issue 15): each example is quoted
 * from the README (the test fails when the README no longer says it) and loaded through the real
 * configuration check.
 */
import { ConfigError, loadEnvironment, loadEnvironments, type EnvironmentInput } from "../../config";
import { englishDocs, messageOf, production, staging } from "../helpers";

const readme = englishDocs();

const examples: Array<[string, string[], () => unknown]> = [
  [
    "host routing with its host name on the certificate",
    ['{ mode: "host", hostName: "api.www.example.com" }', "the host name must also be in `domain.alternativeNames`"],
    () => loadEnvironment({ ...production, domain: { ...production.domain, alternativeNames: ["api.www.example.com"] }, routing: { mode: "host", hostName: "api.www.example.com" } }),
  ],
  [
    "a wildcard alternative name, with an API name next to it",
    ["`domain.alternativeNames` (for example `api.www.example.com`, or a wildcard\n`*.www.example.com`)"],
    () => loadEnvironment({ ...production, domain: { ...production.domain, alternativeNames: ["*.www.example.com", "api.www.example.com"] } }),
  ],
  ["path routing", ['{ mode: "path", pathPatterns: ["/api/*"] }'], () => loadEnvironment({ ...staging, routing: { mode: "path", pathPatterns: ["/api/*"] } })],
  [
    "the documented waiver",
    ['{ rule: "RDS.5", resource: "database", reason: "staging: single-AZ database for cost; production is Multi-AZ" }'],
    () => loadEnvironment({ ...staging, guardrails: { waivers: [{ rule: "RDS.5", resource: "database", reason: "staging: single-AZ database for cost; production is Multi-AZ" }] } }),
  ],
  [
    "your own secrets by Secrets Manager name and JSON key, or SSM parameter",
    ['`services.backend.secrets: { STRIPE_SECRET: { secretsManager: "webapp/staging/stripe", jsonKey: "secret" } }`', '`{ ssmParameter: "/webapp/staging/mail-password" }`'],
    () =>
      loadEnvironments([
        { ...staging, services: { ...staging.services, backend: { ...staging.services.backend, secrets: { STRIPE_SECRET: { secretsManager: "webapp/staging/stripe", jsonKey: "secret" }, MAIL_PASSWORD: { ssmParameter: "/webapp/staging/mail-password" } } } } },
        production,
      ]),
  ],
  [
    "images built from the example contexts, with the example worker and scheduled job",
    [
      'image: { source: "build", context: "examples/backend" }, migrationCommand: ["node", "migrate.js"]',
      'image: { source: "build", context: "examples/frontend" }',
      'workers: { default: { command: ["node", "worker.js"] } }',
      'scheduledJobs: { scheduler: { command: ["node", "schedule.js"], schedule: "rate(1 minute)" } }',
    ],
    () =>
      loadEnvironment({
        ...staging,
        services: {
          backend: { ...staging.services.backend, image: { source: "build", context: "examples/backend" }, migrationCommand: ["node", "migrate.js"] },
          frontend: { ...staging.services.frontend, image: { source: "build", context: "examples/frontend" } },
        },
        workers: { default: { command: ["node", "worker.js"] } },
        scheduledJobs: { scheduler: { command: ["node", "schedule.js"], schedule: "rate(1 minute)" } },
      }),
  ],
  ["an image by tag", ['`{ source: "tag", tag: "v0.1.0", verifyTagExists?: true }`'], () => loadEnvironment({ ...staging, services: { ...staging.services, backend: { ...staging.services.backend, image: { source: "tag", tag: "v0.1.0", verifyTagExists: true } } } })],
  [
    "adding an environment: a copy of staging with its own name, range and domain",
    ['Copy `config/staging.ts` to `config/qa.ts`, set `name: "qa"`, its own `vpcCidr`'],
    () => {
      const qa: EnvironmentInput = { ...staging, name: "qa", network: { ...staging.network, vpcCidr: "10.30.0.0/16" }, domain: { ...staging.domain, name: "qa.example.com" } };
      return loadEnvironments([staging, production, qa]);
    },
  ],
  ["the shipped environments", ["`config/staging.ts`, `config/production.ts`"], () => loadEnvironments([staging, production])],
  [
    "outbound rules with their reasons (issue 14)",
    [
      '{ port: 587, to: { cidr: "203.0.113.0/24" }, reason: "SMTP submission to the newsletter relay" }',
      '{ protocol: "udp", port: { from: 10000, to: 10010 }, to: "vpc", reason: "Media relay inside the VPC for the video worker" }',
      '{ port: 5432, to: { prefixList: "pl-0123456789abcdef0" }, reason: "Analytics database behind a managed prefix list" }',
    ],
    () =>
      loadEnvironment({
        ...staging,
        egress: {
          backend: [
            { port: 587, to: { cidr: "203.0.113.0/24" }, reason: "SMTP submission to the newsletter relay" },
            { protocol: "udp", port: { from: 10000, to: 10010 }, to: "vpc", reason: "Media relay inside the VPC for the video worker" },
            { port: 5432, to: { prefixList: "pl-0123456789abcdef0" }, reason: "Analytics database behind a managed prefix list" },
          ],
        },
      }),
  ],
  [
    "a cache, SES mail and Service Connect (issue 14)",
    ["`mail` | `{ provider: \"ses\", fromAddress, domain?, mailFromSubdomain? }`", "`mailFromSubdomain: \"mail\"`", "`serviceConnect` | `{ enabled, dnsName? }`"],
    () =>
      loadEnvironment({
        ...production,
        cache: { nodeType: "cache.t4g.small", nodes: 2, automaticFailover: true, multiAz: true, snapshotRetentionDays: 7 },
        mail: { provider: "ses", fromAddress: "no-reply@www.example.com", mailFromSubdomain: "mail" },
        serviceConnect: { enabled: true },
      }),
  ],
];

describe.each(examples)("README: %s", (_name, quotes, load) => {
  test("is in the README", () => {
    for (const quote of quotes) expect(readme).toContain(quote);
  });
  test("loads", () => {
    expect(load).not.toThrow();
  });
});

test("the README's example error is the message the check prints", () => {
  const text = messageOf(() => loadEnvironment({ ...staging, network: { ...staging.network, vpcCidr: "10.0.0.0/33" } }), ConfigError);
  const example = 'Invalid configuration for environment "staging":\n  - network.vpcCidr: got "10.0.0.0/33"; must have a prefix length between /16 and /24 (each of the 12 subnets is 4 bits smaller)';
  expect(readme).toContain(example);
  expect(text).toBe(example);
});
