import { Lb } from "@cdktf/provider-aws/lib/lb";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { CertificateDns, type CertificateDnsProps } from "../../constructs/edge/certificate-dns";
import { Naming } from "../../constructs/core/naming";
import { resourceList, resources, type Synth } from "../helpers";

const naming = new Naming("webapp", "staging", "111111111111");
const ZONE = "Z0123456789ABCDEFGHIJ";

/** A stack with the certificate and, unless told otherwise, a bare load balancer it aliases to. */
function build(props: Partial<CertificateDnsProps> = {}, options: { alias?: boolean } = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cert = new CertificateDns(stack, "certificate", { naming, domainName: "www.example.com", hostedZoneId: ZONE, ...props });
  const alb = new Lb(stack, "alb", { name: "webapp-staging-alb" });
  if (options.alias ?? true) cert.aliasTo(alb);
  new TerraformOutput(stack, "certificate_arn", { value: cert.certificateArn });
  const json: Synth = JSON.parse(Testing.synth(stack, true));
  return { cert, alb, json };
}

const idOf = (json: Synth, type: string) => {
  const ids = Object.keys(resources(json, type));
  expect(ids).toHaveLength(1);
  return ids[0];
};

describe("CertificateDns", () => {
  describe("GIVEN a domain with an API name and a wildcard", () => {
    const { json } = build({ alternativeNames: ["api.www.example.com", "*.www.example.com"] });
    const certId = idOf(json, "aws_acm_certificate");

    test("THEN the certificate covers every name, validates through DNS and is replaced create-before-destroy", () => {
      expect(resourceList(json, "aws_acm_certificate")).toEqual([
        expect.objectContaining({
          domain_name: "www.example.com",
          subject_alternative_names: ["api.www.example.com", "*.www.example.com"],
          validation_method: "DNS",
          lifecycle: { create_before_destroy: true },
          tags: { Name: "webapp-staging-certificate" },
        }),
      ]);
    });

    test("THEN one validation record per domain_validation_options entry, keyed by domain name, in the configured zone", () => {
      const records = resourceList(json, "aws_route53_record").filter((r) => r.allow_overwrite === true);
      expect(records).toEqual([
        expect.objectContaining({
          // Iterating the set itself: `tolist(<set>)` would make the keys unknown and fail the plan.
          for_each: `\${{ for key, val in aws_acm_certificate.${certId}.domain_validation_options: val.domain_name => val }}`,
          zone_id: ZONE,
          name: "${each.value.resource_record_name}",
          type: "${each.value.resource_record_type}",
          records: ["${each.value.resource_record_value}"],
          ttl: 60,
          allow_overwrite: true,
        }),
      ]);
      expect(JSON.stringify(records)).not.toContain("tolist(");
    });

    test("THEN the validation waits for the certificate and every validation record's FQDN", () => {
      const [recordId] = Object.entries(resources(json, "aws_route53_record")).find(([, r]) => r.allow_overwrite === true)!;
      expect(resourceList(json, "aws_acm_certificate_validation")).toEqual([
        expect.objectContaining({
          certificate_arn: `\${aws_acm_certificate.${certId}.arn}`,
          validation_record_fqdns: `\${[ for key, val in aws_route53_record.${recordId}: val.fqdn]}`,
        }),
      ]);
    });

    test("THEN certificateArn is the validation's output, so users of it wait for ISSUED", () => {
      const validationId = idOf(json, "aws_acm_certificate_validation");
      expect(json.output?.certificate_arn.value).toBe(`\${aws_acm_certificate_validation.${validationId}.certificate_arn}`);
    });

    test("THEN A and AAAA alias records point the domain and the API name (not the wildcard) at the load balancer", () => {
      const albId = idOf(json, "aws_lb");
      const aliases = resourceList(json, "aws_route53_record").filter((r) => r.alias);
      expect(aliases.map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
      for (const record of aliases) {
        expect(record).toEqual(
          expect.objectContaining({
            for_each: '${toset(["www.example.com", "api.www.example.com"])}',
            name: "${each.value}",
            zone_id: ZONE,
            alias: { name: `\${aws_lb.${albId}.dns_name}`, zone_id: `\${aws_lb.${albId}.zone_id}`, evaluate_target_health: true },
          }),
        );
        expect(record.ttl).toBeUndefined();
      }
    });
  });

  describe("GIVEN only a domain name", () => {
    test("THEN the certificate has no alternative names and the aliases cover the domain alone", () => {
      const { json } = build();
      expect(resourceList(json, "aws_acm_certificate")[0].subject_alternative_names).toBeUndefined();
      const aliases = resourceList(json, "aws_route53_record").filter((r) => r.alias);
      expect(aliases.map((r) => r.for_each)).toEqual(['${toset(["www.example.com"])}', '${toset(["www.example.com"])}']);
    });

    test("WHEN aliasTo is not called THEN there are no alias records", () => {
      const { json, cert } = build({}, { alias: false });
      expect(resourceList(json, "aws_route53_record").filter((r) => r.alias)).toEqual([]);
      expect(cert.aliasRecords).toBeUndefined();
    });

    test("WHEN aliasTo is called twice THEN it fails clearly", () => {
      const { cert, alb } = build();
      expect(cert.aliasRecords).toBeDefined();
      expect(() => cert.aliasTo(alb)).toThrow('CertificateDns "certificate": aliasTo was already called');
    });
  });

  describe("validation", () => {
    test.each([
      [{ domainName: "WWW.example.com" }, 'domainName must be a lowercase DNS name such as www.example.com; got "WWW.example.com"'],
      [{ domainName: "https://www.example.com" }, 'domainName must be a lowercase DNS name such as www.example.com; got "https://www.example.com"'],
      [{ alternativeNames: ["api_www.example.com"] }, 'alternativeNames must be lowercase DNS names such as api.www.example.com, optionally starting with "*."; got "api_www.example.com"'],
      [{ alternativeNames: ["www.example.com"] }, 'alternativeNames must not repeat a name or domainName; got "www.example.com" twice'],
      [{ alternativeNames: ["api.www.example.com", "api.www.example.com"] }, 'alternativeNames must not repeat a name or domainName; got "api.www.example.com" twice'],
      [{ hostedZoneId: "/hostedzone/Z0123456789ABCDEFGHIJ" }, 'hostedZoneId must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/"); got "/hostedzone/Z0123456789ABCDEFGHIJ"'],
    ] as const)("%j fails with a message naming the prop and the value", (props, message) => {
      expect(() => build(props)).toThrow(`CertificateDns "certificate": ${message}`);
    });

    test("unresolved tokens are not checked", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      const domain = new TerraformVariable(stack, "domain", { type: "string" });
      const zone = new TerraformVariable(stack, "zone", { type: "string" });
      expect(() => new CertificateDns(stack, "certificate", { naming, domainName: domain.stringValue, hostedZoneId: zone.stringValue })).not.toThrow();
    });
  });
});
