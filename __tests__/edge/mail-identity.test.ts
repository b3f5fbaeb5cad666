/**
 * SES as the mail path (issue 14): a domain identity with Easy DKIM, its three CNAME records in the
 * site's hosted zone, an optional custom MAIL FROM domain, the presets' variables and the backend's
 * permission to send through exactly this identity.
 */
import { ConfigError, loadEnvironment, type EnvironmentInput } from "../../config";
import { environmentOf, messageOf, policyDocument, production, resourceList, staging, synthEnvironment, taskDefinition } from "../helpers";

const MAIL = { provider: "ses", fromAddress: "no-reply@www.example.com", mailFromSubdomain: "mail" } as const;
const withMail = (input: EnvironmentInput, mail: EnvironmentInput["mail"]): EnvironmentInput => ({ ...input, mail });
const { json } = synthEnvironment(withMail(production, MAIL));

describe("GIVEN mail through SES", () => {
  test("THEN the site's domain is an SES identity with 2048-bit Easy DKIM", () => {
    expect(resourceList(json, "aws_sesv2_email_identity")).toEqual([
      expect.objectContaining({ email_identity: "www.example.com", dkim_signing_attributes: { next_signing_key_length: "RSA_2048_BIT" } }),
    ]);
  });

  test("THEN the three DKIM tokens are CNAME records in the environment's hosted zone", () => {
    const records = resourceList(json, "aws_route53_record").filter((r) => String(r.name).includes("._domainkey."));
    expect(records).toHaveLength(3);
    records.forEach((record, i) => {
      expect(record).toMatchObject({ zone_id: "Z00000000000000PRODUCT", type: "CNAME", ttl: 1800 });
      expect(record.name).toMatch(new RegExp(`^\\$\\{element\\(aws_sesv2_email_identity\\.mail_identity_[A-F0-9]+\\.dkim_signing_attributes\\[0\\]\\.tokens, ${i}\\)\\}\\._domainkey\\.www\\.example\\.com$`));
      expect((record.records as string[])[0]).toMatch(/\}\.dkim\.amazonses\.com$/);
    });
  });

  test("THEN the custom MAIL FROM domain has its MX to SES's feedback endpoint and an SPF record", () => {
    expect(resourceList(json, "aws_sesv2_email_identity_mail_from_attributes")).toEqual([
      expect.objectContaining({ mail_from_domain: "mail.www.example.com", behavior_on_mx_failure: "USE_DEFAULT_VALUE" }),
    ]);
    const records = resourceList(json, "aws_route53_record").filter((r) => r.name === "mail.www.example.com");
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "MX", records: ["10 feedback-smtp.eu-west-1.amazonses.com"] }),
        expect.objectContaining({ type: "TXT", records: ["v=spf1 include:amazonses.com ~all"] }),
      ]),
    );
  });

  test("THEN Laravel sends through SES from the configured address", () => {
    const env = environmentOf(taskDefinition(json, "webapp-production-backend").containers[0]);
    expect(env).toMatchObject({ MAIL_MAILER: "ses", MAIL_FROM_ADDRESS: "no-reply@www.example.com", AWS_DEFAULT_REGION: "eu-west-1" });
  });

  test("THEN Rails gets the SES v2 delivery method and its sender", () => {
    const rails = synthEnvironment({ ...withMail(staging, { provider: "ses", fromAddress: "app@staging.example.com" }), workers: {}, scheduledJobs: {}, services: { ...staging.services, backend: { ...staging.services.backend, framework: "rails" } } }).json;
    expect(environmentOf(taskDefinition(rails, "webapp-staging-backend").containers[0])).toMatchObject({ ACTION_MAILER_DELIVERY_METHOD: "ses_v2", MAIL_FROM: "app@staging.example.com", AWS_REGION: "eu-west-1" });
    expect(resourceList(rails, "aws_sesv2_email_identity_mail_from_attributes")).toEqual([]);
  });

  test("THEN only the backend's task role may send, through this identity only, from addresses at its domain", () => {
    const send = policyDocument(json, "backend-service_task-role-permissions").statement.find((s) => s.sid === "SendMail");
    expect(send).toEqual({
      sid: "SendMail",
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: ["arn:aws:ses:eu-west-1:111111111111:identity/www.example.com"],
      condition: [{ test: "StringLike", variable: "ses:FromAddress", values: ["*@www.example.com", "*@*.www.example.com"] }],
    });
    expect(policyDocument(json, "frontend-service_task-role-permissions").statement.map((s) => s.sid)).not.toContain("SendMail");
  });
});

describe("GIVEN no mail in config", () => {
  test("THEN no SES resource, no MAIL_MAILER and no send permission", () => {
    const plain = synthEnvironment(production).json;
    expect(Object.keys(plain.resource ?? {}).filter((t) => t.startsWith("aws_sesv2"))).toEqual([]);
    expect(environmentOf(taskDefinition(plain, "webapp-production-backend").containers[0]).MAIL_MAILER).toBeUndefined();
    expect(policyDocument(plain, "backend-service_task-role-permissions").statement.map((s) => s.sid)).not.toContain("SendMail");
  });
});

describe("bad mail settings fail at load", () => {
  const errorOf = (mail: unknown) => messageOf(() => loadEnvironment(withMail(production, mail as EnvironmentInput["mail"])), ConfigError);

  test("a sender at another domain, an address that is none, a MAIL FROM that is not one label", () => {
    expect(errorOf({ provider: "ses", fromAddress: "no-reply@gmail.com" })).toContain(
      'Invalid configuration for environment "production":\n  - mail.fromAddress: got "no-reply@gmail.com"; must be an address at the SES identity\'s domain www.example.com',
    );
    expect(errorOf({ provider: "ses", fromAddress: "no-reply" })).toContain('mail.fromAddress: got "no-reply"; must be an e-mail address such as no-reply@example.com');
    expect(errorOf({ ...MAIL, mailFromSubdomain: "mail.out" })).toContain('mail.mailFromSubdomain: got "mail.out"; must be one DNS label such as "mail"');
    expect(errorOf({ provider: "smtp", fromAddress: "no-reply@www.example.com" })).toContain('mail.provider: got "smtp"; must be "ses"');
  });

  test("the identity may be a parent domain of the site in the same zone", () => {
    const config = loadEnvironment(withMail(production, { provider: "ses", domain: "example.com", fromAddress: "hello@example.com" }));
    expect(config.mail?.domain).toBe("example.com");
  });
});
