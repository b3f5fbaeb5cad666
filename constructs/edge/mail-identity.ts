import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { PropsError } from "../core/errors";
import { partitionOf } from "../core/partition";

/** Easy DKIM publishes three CNAME records per identity. */
export const DKIM_RECORDS = 3;

export interface MailIdentityProps {
  /** The identity's domain, in the hosted zone `hostedZoneId`. */
  readonly domain: string;
  readonly hostedZoneId: string;
  readonly region: string;
  readonly accountId: string;
  /** The address the app sends from; it must be at `domain` or a subdomain of it. */
  readonly fromAddress: string;
  /** Custom MAIL FROM domain `<mailFromSubdomain>.<domain>` with its MX and SPF records. @default none: SES's own MAIL FROM */
  readonly mailFromSubdomain?: string;
}

/**
 * Amazon SES as the app's mail path (README "Mail"): a domain identity with Easy DKIM (2048-bit keys)
 * and its three DKIM CNAME records in the site's hosted zone, optionally a custom MAIL FROM domain
 * (MX to SES's feedback endpoint, SPF TXT). `sendStatement` is what the backend's task role needs.
 * A new account is in the SES sandbox (verified recipients only) until AWS grants production access.
 */
export class MailIdentity extends Construct {
  readonly identity: Sesv2EmailIdentity;
  readonly dkimRecords: Route53Record[];
  readonly mailFrom?: Sesv2EmailIdentityMailFromAttributes;
  /** ARN of the identity, computed from config (known at plan time). */
  readonly identityArn: string;
  readonly domain: string;
  readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: MailIdentityProps) {
    super(scope, id);
    const at = props.fromAddress.split("@").pop() ?? "";
    if (!props.fromAddress.includes("@") || (at !== props.domain && !at.endsWith(`.${props.domain}`))) {
      throw new PropsError(`MailIdentity "${id}": fromAddress ${JSON.stringify(props.fromAddress)} must be an address at ${props.domain} (or a subdomain of it)`);
    }
    this.domain = props.domain;
    this.fromAddress = props.fromAddress;
    this.identityArn = `arn:${partitionOf(props.region)}:ses:${props.region}:${props.accountId}:identity/${props.domain}`;
    this.identity = new Sesv2EmailIdentity(this, "identity", {
      emailIdentity: props.domain,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
    const tokens = this.identity.dkimSigningAttributes.tokens;
    this.dkimRecords = Array.from({ length: DKIM_RECORDS }, (_, i) => {
      const token = Fn.element(tokens, i);
      return new Route53Record(this, `dkim-${i + 1}`, {
        zoneId: props.hostedZoneId,
        name: `${token}._domainkey.${props.domain}`,
        type: "CNAME",
        ttl: 1800,
        records: [`${token}.dkim.amazonses.com`],
      });
    });
    if (props.mailFromSubdomain) {
      const mailFromDomain = `${props.mailFromSubdomain}.${props.domain}`;
      this.mailFrom = new Sesv2EmailIdentityMailFromAttributes(this, "mail-from", {
        emailIdentity: this.identity.emailIdentity,
        mailFromDomain,
        // Until the MX record resolves, SES falls back to its own MAIL FROM rather than refusing to send.
        behaviorOnMxFailure: "USE_DEFAULT_VALUE",
      });
      new Route53Record(this, "mail-from-mx", {
        zoneId: props.hostedZoneId,
        name: mailFromDomain,
        type: "MX",
        ttl: 1800,
        records: [`10 feedback-smtp.${props.region}.amazonses.com`],
      });
      new Route53Record(this, "mail-from-spf", {
        zoneId: props.hostedZoneId,
        name: mailFromDomain,
        type: "TXT",
        ttl: 1800,
        records: ["v=spf1 include:amazonses.com ~all"],
      });
    }
  }

  /** Sending through this identity only, from addresses at its domain (SES v1 SendRawEmail and v2 SendEmail). */
  sendStatement(): DataAwsIamPolicyDocumentStatement {
    return {
      sid: "SendMail",
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [this.identityArn],
      condition: [{ test: "StringLike", variable: "ses:FromAddress", values: [`*@${this.domain}`, `*@*.${this.domain}`] }],
    };
  }
}
