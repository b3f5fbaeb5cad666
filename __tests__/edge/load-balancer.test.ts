import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { CertificateDns } from "../../constructs/edge/certificate-dns";
import { LoadBalancer, type LoadBalancerProps, type TargetHealthCheck } from "../../constructs/edge/load-balancer";
import { NameError, Naming } from "../../constructs/core/naming";
import { Network } from "../../constructs/network/network";
import { resourceList, resources, type Synth } from "../helpers";

const laravelCheck: TargetHealthCheck = { path: "/up", matcher: "200", intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 };
const nextCheck: TargetHealthCheck = { path: "/", matcher: "200-399", intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 5 };

type Overrides = Partial<Omit<LoadBalancerProps, "naming" | "network" | "certificateArn">>;

/** Network + certificate + load balancer in eu-west-1, as the environment stack wires them. */
function build(overrides: Overrides = {}, naming = new Naming("webapp", "staging", "111111111111")) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const network = new Network(stack, "network", { naming, vpcCidr: "10.20.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"] });
  const certificate = new CertificateDns(stack, "certificate", {
    naming,
    domainName: "www.example.com",
    alternativeNames: ["api.www.example.com"],
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
  });
  const lb = new LoadBalancer(stack, "load-balancer", {
    naming,
    network,
    certificateArn: certificate.certificateArn,
    frontend: { containerPort: 3000, healthCheck: nextCheck },
    backend: { containerPort: 8000, healthCheck: laravelCheck },
    backendRoute: { mode: "path", pathPatterns: ["/api/*"] },
    ...overrides,
  });
  certificate.aliasTo(lb.alb);
  const json: Synth = JSON.parse(Testing.synth(stack, true));
  return { lb, json };
}

const only = (json: Synth, type: string) => {
  const entries = Object.entries(resources(json, type));
  expect(entries).toHaveLength(1);
  return { id: entries[0][0], resource: entries[0][1] };
};
const listener = (json: Synth, port: number) => resourceList(json, "aws_lb_listener").find((l) => l.port === port)!;
const targetGroupId = (json: Synth, service: string) => Object.entries(resources(json, "aws_lb_target_group")).find(([id]) => id.includes(`${service}-tg`))![0];

describe("LoadBalancer", () => {
  describe("GIVEN the defaults (path routing, no production settings)", () => {
    const { json } = build();

    test("THEN the ALB is internet-facing, dual-stack, in the public subnets, behind its own security group", () => {
      const { resource: alb } = only(json, "aws_lb");
      const sgId = only(json, "aws_security_group").id;
      expect(alb).toEqual(
        expect.objectContaining({
          name: "webapp-staging-alb",
          load_balancer_type: "application",
          internal: false,
          ip_address_type: "dualstack",
          security_groups: [`\${aws_security_group.${sgId}.id}`],
          subnets: [expect.stringMatching(/^\$\{aws_subnet\.network_public-a_\w+\.id\}$/), expect.stringMatching(/^\$\{aws_subnet\.network_public-b_\w+\.id\}$/)],
        }),
      );
    });

    test("THEN invalid header fields are dropped, desync mitigation is defensive, idle timeout is 60 s", () => {
      expect(only(json, "aws_lb").resource).toEqual(
        expect.objectContaining({ drop_invalid_header_fields: true, desync_mitigation_mode: "defensive", idle_timeout: 60 }),
      );
    });

    test("THEN deletion protection and access logs are off", () => {
      const { resource: alb } = only(json, "aws_lb");
      expect(alb.enable_deletion_protection).toBe(false);
      expect(alb.access_logs).toBeUndefined();
      // T5: created after the internet gateway, destroyed before it.
      expect(alb.depends_on).toEqual([expect.stringMatching(/^aws_internet_gateway\./)]);
      expect(resourceList(json, "aws_s3_bucket")).toEqual([]);
      expect(json.data?.aws_elb_service_account).toBeUndefined();
    });

    test("THEN port 80 answers with a permanent redirect to HTTPS", () => {
      expect(listener(json, 80)).toEqual(
        expect.objectContaining({
          protocol: "HTTP",
          default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
        }),
      );
    });

    test("THEN port 443 uses the validated certificate and the TLS 1.3 policy and forwards to the frontend", () => {
      const validationId = only(json, "aws_acm_certificate_validation").id;
      expect(listener(json, 443)).toEqual(
        expect.objectContaining({
          protocol: "HTTPS",
          // The validation's output, not the certificate's ARN: the listener waits for ISSUED.
          certificate_arn: `\${aws_acm_certificate_validation.${validationId}.certificate_arn}`,
          ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
          default_action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${targetGroupId(json, "frontend")}.arn}` }],
        }),
      );
    });

    test("THEN /api/* on the HTTPS listener goes to the backend", () => {
      const httpsId = Object.entries(resources(json, "aws_lb_listener")).find(([, l]) => l.port === 443)![0];
      expect(resourceList(json, "aws_lb_listener_rule")).toEqual([
        expect.objectContaining({
          listener_arn: `\${aws_lb_listener.${httpsId}.arn}`,
          priority: 100,
          condition: [{ path_pattern: { values: ["/api/*"] } }],
          action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${targetGroupId(json, "backend")}.arn}` }],
        }),
      ]);
    });

    test("THEN each target group is type ip on its container port, named with the port, created before destroyed", () => {
      const groups = resources(json, "aws_lb_target_group");
      const vpcId = Object.keys(resources(json, "aws_vpc"))[0];
      for (const [service, port] of [["frontend", 3000], ["backend", 8000]] as const) {
        expect(groups[targetGroupId(json, service)]).toEqual(
          expect.objectContaining({
            name: `webapp-staging-${service}-${port}`,
            port,
            protocol: "HTTP",
            target_type: "ip",
            vpc_id: `\${aws_vpc.${vpcId}.id}`,
            deregistration_delay: "30",
            lifecycle: { create_before_destroy: true },
          }),
        );
      }
    });

    test("THEN the health check settings of each service reach its target group", () => {
      const groups = resources(json, "aws_lb_target_group");
      expect(groups[targetGroupId(json, "backend")].health_check).toEqual({
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: "/up",
        matcher: "200",
        interval: 15,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      });
      expect(groups[targetGroupId(json, "frontend")].health_check).toEqual(
        expect.objectContaining({ path: "/", matcher: "200-399", interval: 30, timeout: 10, healthy_threshold: 3, unhealthy_threshold: 5 }),
      );
    });

    test("THEN the security group has a stable name, a description and no inline rules", () => {
      const { resource: sg } = only(json, "aws_security_group");
      expect(sg).toEqual(expect.objectContaining({ name: "webapp-staging-alb", description: expect.stringMatching(/\w/) }));
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
      expect(resourceList(json, "aws_vpc_security_group_egress_rule")).toEqual([]);
    });

    test("THEN the security group admits exactly 80 and 443 from the IPv4 and IPv6 internet, each rule described", () => {
      const sgId = only(json, "aws_security_group").id;
      const rules = resourceList(json, "aws_vpc_security_group_ingress_rule");
      expect(rules).toHaveLength(4);
      const summary = rules.map((r) => `${r.ip_protocol} ${r.from_port}-${r.to_port} ${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort();
      expect(summary).toEqual(["tcp 443-443 0.0.0.0/0", "tcp 443-443 ::/0", "tcp 80-80 0.0.0.0/0", "tcp 80-80 ::/0"]);
      expect(rules.every((r) => r.security_group_id === `\${aws_security_group.${sgId}.id}`)).toBe(true);
      expect(rules.map((r) => r.description).sort()).toEqual([
        "HTTP (redirected to HTTPS) from the IPv4 internet",
        "HTTP (redirected to HTTPS) from the IPv6 internet",
        "HTTPS from the IPv4 internet",
        "HTTPS from the IPv6 internet",
      ]);
    });

    test("THEN A and AAAA alias records point the domain and the API name at the ALB", () => {
      const albId = only(json, "aws_lb").id;
      const aliases = resourceList(json, "aws_route53_record").filter((r) => r.alias);
      expect(aliases.map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
      for (const record of aliases) {
        expect(record.for_each).toBe('${toset(["www.example.com", "api.www.example.com"])}');
        expect(record.alias).toEqual({ name: `\${aws_lb.${albId}.dns_name}`, zone_id: `\${aws_lb.${albId}.zone_id}`, evaluate_target_health: true });
      }
    });
  });

  describe("GIVEN host routing", () => {
    test("THEN the backend rule matches the host header instead of a path", () => {
      const { json } = build({ backendRoute: { mode: "host", hostName: "api.www.example.com" } });
      expect(resourceList(json, "aws_lb_listener_rule")).toEqual([
        expect.objectContaining({ condition: [{ host_header: { values: ["api.www.example.com"] } }] }),
      ]);
    });
  });

  describe("GIVEN a matcher listing codes and ranges", () => {
    test("THEN it reaches the target group unchanged", () => {
      const { json } = build({ backend: { containerPort: 8000, healthCheck: { ...laravelCheck, matcher: "200-299,302" } } });
      expect((resources(json, "aws_lb_target_group")[targetGroupId(json, "backend")].health_check as { matcher: string }).matcher).toBe("200-299,302");
    });
  });

  describe("GIVEN several path patterns", () => {
    test("THEN all of them are in the one condition", () => {
      const { json } = build({ backendRoute: { mode: "path", pathPatterns: ["/api/*", "/sanctum/*", "/up"] } });
      expect(resourceList(json, "aws_lb_listener_rule")[0].condition).toEqual([{ path_pattern: { values: ["/api/*", "/sanctum/*", "/up"] } }]);
    });
  });

  describe("GIVEN production settings", () => {
    const { json, lb } = build({
      deletionProtection: true,
      accessLogs: { enabled: true, retentionDays: 90, preventDestroy: true },
      desyncMitigationMode: "strictest",
      idleTimeoutSeconds: 120,
      deregistrationDelaySeconds: 10,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
      region: "eu-west-1",
    });

    test("THEN deletion protection is on and the options reach the ALB, listener and target groups", () => {
      expect(only(json, "aws_lb").resource).toEqual(
        expect.objectContaining({ enable_deletion_protection: true, desync_mitigation_mode: "strictest", idle_timeout: 120 }),
      );
      expect(listener(json, 443).ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
      expect(resourceList(json, "aws_lb_target_group").map((g) => g.deregistration_delay)).toEqual(["10", "10"]);
    });

    test("THEN access logs go to a private, protected, unversioned bucket, enabled only after its policy exists", () => {
      expect(lb.logBucket).toBeDefined();
      const buckets = resources(json, "aws_s3_bucket");
      const [bucketId, bucket] = Object.entries(buckets)[0];
      expect(Object.keys(buckets)).toHaveLength(1);
      expect(bucket).toEqual(expect.objectContaining({ bucket: "webapp-staging-alb-logs-111111111111", lifecycle: { prevent_destroy: true } }));
      expect(resourceList(json, "aws_s3_bucket_versioning")[0].versioning_configuration).toEqual({ status: "Suspended" });
      expect(resourceList(json, "aws_s3_bucket_lifecycle_configuration")[0].rule).toContainEqual(
        expect.objectContaining({ id: "expire-objects", expiration: [{ days: 90 }] }),
      );
      const policyId = only(json, "aws_s3_bucket_policy").id;
      expect(only(json, "aws_lb").resource).toEqual(
        expect.objectContaining({
          access_logs: { bucket: `\${aws_s3_bucket.${bucketId}.id}`, enabled: true },
          depends_on: [expect.stringMatching(/^aws_internet_gateway\./), `aws_s3_bucket_policy.${policyId}`],
        }),
      );
    });

    test("THEN ELB log delivery (regional account and service principal) may write AWSLogs/<account>/* only", () => {
      const [elbAccountId] = Object.keys(json.data!.aws_elb_service_account);
      const [partitionId] = Object.keys(json.data!.aws_partition);
      const doc = Object.entries(json.data!.aws_iam_policy_document).find(([id]) => id.includes("access-logs"))![1];
      const path = `arn:\${data.aws_partition.${partitionId}.partition}:s3:::webapp-staging-alb-logs-111111111111/AWSLogs/111111111111/*`;
      expect(doc.statement).toEqual([
        expect.objectContaining({ sid: "DenyInsecureTransport", effect: "Deny" }),
        {
          sid: "AllowElbAccountLogDelivery",
          effect: "Allow",
          actions: ["s3:PutObject"],
          principals: [{ type: "AWS", identifiers: [`\${data.aws_elb_service_account.${elbAccountId}.arn}`] }],
          resources: [path],
        },
        {
          sid: "AllowElbLogDeliveryService",
          effect: "Allow",
          actions: ["s3:PutObject"],
          principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
          resources: [path],
        },
      ]);
    });

    test("THEN no data source needs an AWS API call (the stack plans offline)", () => {
      expect(Object.keys(json.data ?? {}).sort()).toEqual(["aws_elb_service_account", "aws_iam_policy_document", "aws_partition"]);
    });
  });

  describe("GIVEN access logs in a region opened after 2021", () => {
    test("THEN only the log delivery service principal may write (the ELB account table does not know the region)", () => {
      const { json } = build({ accessLogs: { enabled: true, retentionDays: 90, preventDestroy: false }, region: "eu-central-2" });
      expect(json.data?.aws_elb_service_account).toBeUndefined();
      const doc = Object.entries(json.data!.aws_iam_policy_document).find(([id]) => id.includes("access-logs"))![1];
      expect((doc.statement as { sid: string }[]).map((s) => s.sid)).toEqual(["DenyInsecureTransport", "AllowElbLogDeliveryService"]);
      expect(only(json, "aws_s3_bucket").resource.lifecycle).toEqual({ prevent_destroy: false });
    });
  });

  describe("GIVEN access logs configured but disabled", () => {
    test("THEN no bucket and no access_logs block", () => {
      const { json, lb } = build({ accessLogs: { enabled: false, retentionDays: 90, preventDestroy: true } });
      expect(lb.logBucket).toBeUndefined();
      expect(resourceList(json, "aws_s3_bucket")).toEqual([]);
      expect(only(json, "aws_lb").resource.access_logs).toBeUndefined();
    });
  });

  describe("validation", () => {
    const check = (overrides: Partial<TargetHealthCheck>): Overrides => ({ backend: { containerPort: 8000, healthCheck: { ...laravelCheck, ...overrides } } });
    test.each<[string, Overrides, string]>([
      ["container port 0", { frontend: { containerPort: 0, healthCheck: nextCheck } }, "frontend.containerPort must be a whole number from 1 to 65535; got 0"],
      ["container port 70000", { backend: { containerPort: 70000, healthCheck: laravelCheck } }, "backend.containerPort must be a whole number from 1 to 65535; got 70000"],
      ["health check path without /", check({ path: "up" }), 'backend.healthCheck.path must start with "/", e.g. "/up"; got "up"'],
      ["matcher word", check({ matcher: "ok" }), 'backend.healthCheck.matcher must be HTTP codes from 200 to 499 as "200", a range "200-399" or a list "200,302"; got "ok"'],
      ["matcher with an open range", check({ matcher: "200-" }), 'got "200-"'],
      ["matcher code out of range", check({ matcher: "500" }), 'got "500"'],
      ["matcher reversed range", check({ matcher: "399-200" }), 'got "399-200"'],
      ["interval 4", check({ intervalSeconds: 4, timeoutSeconds: 2 }), "backend.healthCheck.intervalSeconds must be a whole number from 5 to 300; got 4"],
      ["interval 301", check({ intervalSeconds: 301 }), "backend.healthCheck.intervalSeconds must be a whole number from 5 to 300; got 301"],
      ["timeout 1", check({ timeoutSeconds: 1 }), "backend.healthCheck.timeoutSeconds must be a whole number from 2 to 120; got 1"],
      ["timeout not below interval", check({ intervalSeconds: 10, timeoutSeconds: 10 }), "backend.healthCheck.timeoutSeconds must be less than intervalSeconds (10); got 10"],
      ["healthy threshold 1", check({ healthyThreshold: 1 }), "backend.healthCheck.healthyThreshold must be a whole number from 2 to 10; got 1"],
      ["unhealthy threshold 11", check({ unhealthyThreshold: 11 }), "backend.healthCheck.unhealthyThreshold must be a whole number from 2 to 10; got 11"],
      ["idle timeout 0", { idleTimeoutSeconds: 0 }, "idleTimeoutSeconds must be a whole number from 1 to 4000; got 0"],
      ["idle timeout 4001", { idleTimeoutSeconds: 4001 }, "idleTimeoutSeconds must be a whole number from 1 to 4000; got 4001"],
      ["deregistration delay 3601", { deregistrationDelaySeconds: 3601 }, "deregistrationDelaySeconds must be a whole number from 0 to 3600; got 3601"],
      ["no path patterns", { backendRoute: { mode: "path", pathPatterns: [] } }, "backendRoute.pathPatterns must list 1 to 3 patterns (AWS allows 3 values per rule condition), e.g. [\"/api/*\"]; got []"],
      ["four path patterns", { backendRoute: { mode: "path", pathPatterns: ["/a", "/b", "/c", "/d"] } }, "backendRoute.pathPatterns must list 1 to 3 patterns"],
      ["empty path pattern", { backendRoute: { mode: "path", pathPatterns: [""] } }, 'backendRoute.pathPatterns entries must be 1 to 128 characters long, e.g. "/api/*"; got "" (0 characters)'],
      ["path pattern of 129 chars", { backendRoute: { mode: "path", pathPatterns: [`/${"a".repeat(128)}`] } }, "(129 characters)"],
      ["host name with a scheme", { backendRoute: { mode: "host", hostName: "https://api.example.com" } }, 'backendRoute.hostName must be a lowercase DNS name of at most 128 characters, e.g. "api.www.example.com"; got "https://api.example.com"'],
      ["TLS 1.0 policy", { sslPolicy: "ELBSecurityPolicy-2016-08" }, 'sslPolicy must be an ELB policy with TLS 1.2 or newer as minimum, such as "ELBSecurityPolicy-TLS13-1-2-2021-06" or "ELBSecurityPolicy-TLS13-1-3-2021-06"; got "ELBSecurityPolicy-2016-08"'],
      ["TLS13 policy allowing TLS 1.0", { sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }, 'got "ELBSecurityPolicy-TLS13-1-0-2021-06"'],
      ["desync mode from untyped config", { desyncMitigationMode: "monitor" as never }, 'desyncMitigationMode must be "defensive" or "strictest"; got "monitor"'],
      ["log retention 0", { accessLogs: { enabled: true, retentionDays: 0, preventDestroy: true } }, "accessLogs.retentionDays must be a whole number from 1 to 36500; got 0"],
    ])("%s fails with a message naming the prop, the value and what is allowed", (_case, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
      expect(() => build(overrides)).toThrow(/^LoadBalancer "load-balancer": /);
    });

    test("unresolved tokens are not checked", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      const naming = new Naming("webapp", "staging", "111111111111");
      const network = new Network(stack, "network", { naming, vpcCidr: "10.20.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"] });
      const path = new TerraformVariable(stack, "path", { type: "string" }).stringValue;
      const interval = new TerraformVariable(stack, "interval", { type: "number" }).numberValue;
      const idle = new TerraformVariable(stack, "idle", { type: "number" }).numberValue;
      expect(
        () =>
          new LoadBalancer(stack, "load-balancer", {
            naming,
            network,
            certificateArn: "arn:aws:acm:eu-west-1:111111111111:certificate/x",
            frontend: { containerPort: 3000, healthCheck: { ...nextCheck, path, intervalSeconds: interval } },
            backend: { containerPort: 8000, healthCheck: laravelCheck },
            backendRoute: { mode: "host", hostName: new TerraformVariable(stack, "host", { type: "string" }).stringValue },
            idleTimeoutSeconds: idle,
          }),
      ).not.toThrow();
    });

    test("a project name too long for the 32-character ALB name fails with the naming helper's message", () => {
      const long = new Naming("averyveryverylongproject", "staging", "111111111111");
      expect(() => build({}, long)).toThrow(NameError);
      expect(() => build({}, long)).toThrow(
        'Cloud name "averyveryverylongproject-staging-alb" for loadBalancer is 36 characters long; AWS allows at most 32. Shorten the project name or the component.',
      );
    });

    test("a target group name too long for 32 characters fails with the naming helper's message", () => {
      const naming = new Naming("webapp-platform", "staging", "111111111111");
      expect(() => build({}, naming)).toThrow('Cloud name "webapp-platform-staging-frontend-3000" for targetGroup is 37 characters long; AWS allows at most 32.');
    });
  });
});
