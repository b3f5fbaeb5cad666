import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../core/naming";
import { PropsError } from "../core/errors";

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const HOSTNAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
/** A host name with an optional leading `*.` (ACM wildcard certificates). */
const CERTIFICATE_NAME = /^(\*\.)?(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
/** A Route53 hosted zone id (the `Z...` part, without `/hostedzone/`). */
// The API contract (ResourceId): up to 32 characters. AWS ids start with Z today; emulators (moto) pick others.
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;

export interface CertificateDnsProps {
  /** Naming helper of the environment (the certificate's Name tag). */
  readonly naming: Naming;
  /** The site's host name, e.g. `www.example.com`: the certificate's primary name and an alias record. */
  readonly domainName: string;
  /**
   * More names on the same certificate, e.g. `["api.www.example.com"]`. Each is validated in the same
   * hosted zone; each non-wildcard name also gets alias records from `aliasTo` (wildcards `*.x` do not).
   * @default [] (the certificate covers `domainName` only)
   */
  readonly alternativeNames?: readonly string[];
  /**
   * Route53 hosted zone id serving `domainName` and every alternative name, from config
   * (no data-source look-up, so plans need no AWS access).
   */
  readonly hostedZoneId: string;
}

/**
 * An ACM certificate validated through DNS records in a Route53 hosted zone (trap T14), plus
 * A/AAAA alias records that point the site's names at the load balancer.
 *
 * The certificate is `create_before_destroy`, so adding a name issues and validates the new
 * certificate before the old one is released from the listener. Listeners that use
 * `certificateArn` (the validation's output) are created only once the certificate is ISSUED.
 */
export class CertificateDns extends Construct {
  readonly certificate: AcmCertificate;
  /** One record per `domain_validation_options` entry (`for_each` keyed by domain name). */
  readonly validationRecords: Route53Record;
  readonly validation: AcmCertificateValidation;
  /** `validation.certificateArn`: listeners that use it wait for validation implicitly. */
  readonly certificateArn: string;

  private readonly domainName: string;
  private readonly alternativeNames: readonly string[];
  private readonly hostedZoneId: string;
  private aliases?: { readonly a: Route53Record; readonly aaaa?: Route53Record };

  constructor(scope: Construct, id: string, props: CertificateDnsProps) {
    super(scope, id);
    this.domainName = props.domainName;
    this.alternativeNames = props.alternativeNames ?? [];
    this.hostedZoneId = props.hostedZoneId;
    validate(id, this.domainName, this.alternativeNames, this.hostedZoneId);

    this.certificate = new AcmCertificate(this, "certificate", {
      domainName: this.domainName,
      subjectAlternativeNames: this.alternativeNames.length > 0 ? [...this.alternativeNames] : undefined,
      validationMethod: "DNS",
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: props.naming.name("tag", "certificate") },
    });

    // Keyed by domain name: the provider knows the names at plan time, so the for_each keys are known.
    // The raw attribute reference, not `certificate.domainValidationOptions`: that one renders as
    // `tolist(<set>)`, and a set with unknown members converts to an unknown list, so the plan fails
    // with "Invalid for_each argument" (hashicorp/terraform-cdk#3713).
    // A wildcard and its base name share one record; allow_overwrite lets both entries write it.
    const options = TerraformIterator.fromComplexList(this.certificate.interpolationForAttribute("domain_validation_options"), "domain_name");
    this.validationRecords = new Route53Record(this, "validation-record", {
      forEach: options,
      zoneId: this.hostedZoneId,
      name: options.getString("resource_record_name"),
      type: options.getString("resource_record_type"),
      records: [options.getString("resource_record_value")],
      ttl: 60,
      allowOverwrite: true,
    });

    this.validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(this.validationRecords).pluckProperty("fqdn")),
    });
    this.certificateArn = this.validation.certificateArn;
  }

  /** The alias records made by `aliasTo`, once it has been called. */
  get aliasRecords(): { readonly a: Route53Record; readonly aaaa?: Route53Record } | undefined {
    return this.aliases;
  }

  /**
   * A and AAAA alias records (evaluate_target_health true) for `domainName` and every non-wildcard
   * alternative name, pointing at the load balancer. Each record type is one resource with
   * `for_each` over the names, so adding a name adds records and moves none.
   */
  aliasTo(loadBalancer: Lb, options: { readonly ipv6?: boolean } = {}): void {
    if (this.aliases) {
      throw new PropsError(`CertificateDns "${this.node.id}": aliasTo was already called; the names can point at one load balancer only`);
    }
    const names = [this.domainName, ...this.alternativeNames.filter((name) => !name.startsWith("*."))];
    const alias = (id: string, type: "A" | "AAAA") => {
      const hosts = TerraformIterator.fromList(names);
      return new Route53Record(this, id, {
        forEach: hosts,
        zoneId: this.hostedZoneId,
        name: Token.asString(hosts.value),
        type,
        alias: { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
      });
    };
    // AAAA records only for a dual-stack load balancer (`ipv6`, default true).
    this.aliases = { a: alias("alias-a", "A"), aaaa: (options.ipv6 ?? true) ? alias("alias-aaaa", "AAAA") : undefined };
  }
}

function validate(id: string, domainName: string, alternativeNames: readonly string[], hostedZoneId: string): void {
  const fail = (message: string): never => {
    throw new PropsError(`CertificateDns "${id}": ${message}`);
  };
  if (!Token.isUnresolved(domainName) && !HOSTNAME.test(domainName)) {
    fail(`domainName must be a lowercase DNS name such as www.example.com; got "${domainName}"`);
  }
  const seen = new Set([domainName]);
  for (const name of alternativeNames) {
    if (Token.isUnresolved(name)) continue;
    if (!CERTIFICATE_NAME.test(name)) {
      fail(`alternativeNames must be lowercase DNS names such as api.www.example.com, optionally starting with "*."; got "${name}"`);
    }
    if (seen.has(name)) {
      fail(`alternativeNames must not repeat a name or domainName; got "${name}" twice`);
    }
    seen.add(name);
  }
  if (!Token.isUnresolved(hostedZoneId) && !HOSTED_ZONE_ID.test(hostedZoneId)) {
    fail(`hostedZoneId must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/"); got "${hostedZoneId}"`);
  }
}
