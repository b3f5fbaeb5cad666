import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule, type LbListenerRuleCondition } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../core/naming";
import type { Network } from "../network/network";
import { PrivateBucket } from "../data/private-bucket";
import { PropsError } from "../core/errors";

/** How the load balancer checks that a target is healthy (trap T7). */
export interface TargetHealthCheck {
  /** Request path, starting with `/` (Laravel 11 and Rails 7.1+: `/up`; Next.js: `/`). */
  readonly path: string;
  /** HTTP codes that count as healthy: `"200"`, a range `"200-399"` or a list `"200,302"` (codes 200-499). */
  readonly matcher: string;
  /** Seconds between checks, 5-300. */
  readonly intervalSeconds: number;
  /** Seconds without a response that fail a check, 2-120 and less than `intervalSeconds`. */
  readonly timeoutSeconds: number;
  /** Consecutive successes before a target receives traffic, 2-10. */
  readonly healthyThreshold: number;
  /** Consecutive failures before a target is taken out of service, 2-10. */
  readonly unhealthyThreshold: number;
}

/** One service behind the load balancer. */
export interface LoadBalancerTarget {
  /**
   * The port the container listens on (trap T8): the target group's port; the service's port
   * mapping, security group rule and `PORT` variable use the same value.
   */
  readonly containerPort: number;
  /** The target group's health check (per-framework defaults come from the presets, overridable in config). */
  readonly healthCheck: TargetHealthCheck;
}

/** How requests reach the backend; everything else goes to the frontend. */
export type BackendRoute =
  /** Requests whose path matches one of 1-3 patterns, e.g. `["/api/*"]` (the config default). */
  | { readonly mode: "path"; readonly pathPatterns: readonly string[] }
  /** Requests for a host name, e.g. `api.www.example.com` (the certificate must cover it). */
  | { readonly mode: "host"; readonly hostName: string };

export interface LoadBalancerProps {
  /** Naming helper of the environment (load balancer, target group, security group and bucket names). */
  readonly naming: Naming;
  /** The load balancer goes into the network's public subnets (dual-stack when the network is: `Network.ipv6`). */
  readonly network: Network;
  /** Certificate of the 443 listener; pass `CertificateDns.certificateArn` so the listener waits for validation. */
  readonly certificateArn: string;
  /** Default action of the 443 listener. */
  readonly frontend: LoadBalancerTarget;
  /** Reached by the backend rule (`backendRoute`). */
  readonly backend: LoadBalancerTarget;
  /** Path patterns or a host name that send requests to the backend. */
  readonly backendRoute: BackendRoute;
  /**
   * Seconds a connection may stay idle before the load balancer closes it, 1-4000.
   * @default 60
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * AWS refuses to delete the load balancer while this is on (turn it off in a separate deploy first).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Access logs to a dedicated private bucket `<project>-<env>-alb-logs-<account>` that only ELB log
   * delivery may write to; log objects expire after `retentionDays`. `preventDestroy` protects the
   * bucket from a plan that would delete it.
   * @default disabled
   */
  readonly accessLogs?: { readonly enabled: boolean; readonly retentionDays: number; readonly preventDestroy: boolean; readonly forceDestroy?: boolean };
  /**
   * Region of the load balancer (config `region`); decides who may write access logs. Regions that
   * have a regional ELB account (those opened up to ap-southeast-3, December 2021) allow that account
   * and the log delivery service; newer regions (eu-central-2, me-central-1, ca-west-1, ...) allow the
   * service only, because `aws_elb_service_account` fails there with "unsupported AWS Region".
   * @default unknown: the ELB account is always allowed (plans fail in the newer regions)
   */
  readonly region?: string;
  /**
   * TLS policy of the 443 listener; must allow nothing older than TLS 1.2.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: string;
  /**
   * Seconds a deregistering target keeps draining in-flight requests, 0-3600.
   * @default 30 (AWS's own default is 300, which slows every deploy)
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * How the load balancer treats requests that may be HTTP desync attacks.
   * @default "defensive"
   */
  readonly desyncMitigationMode?: "defensive" | "strictest";
}

/** Priority of the backend rule on the 443 listener (the only rule; the default action is the frontend). */
const BACKEND_RULE_PRIORITY = 100;
const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** ELB TLS policies whose minimum version is TLS 1.2 or 1.3 (`TLS13-1-0`/`TLS13-1-1` and the 2015/2016 policies allow older). */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;
/**
 * Regions whose regional ELB log-delivery account `aws_elb_service_account` knows (provider 5.100, checked
 * offline). Every region opened after ap-southeast-3 uses the service principal only.
 */
export const ELB_ACCOUNT_REGIONS: readonly string[] = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
  "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
  "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1",
  "me-south-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1",
];
const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";
const HOSTNAME = /^(?=.{1,128}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;

/**
 * An internet-facing, dual-stack Application Load Balancer in the public subnets (trap T14):
 * port 80 redirects to HTTPS, port 443 terminates TLS with the ACM certificate and forwards to the
 * frontend by default, and one rule sends the backend's paths or host name to the backend.
 *
 * The security group admits 80 and 443 from the internet (IPv4 and IPv6) and has no egress:
 * each service adds an egress rule to its own security group on its container port.
 */
export class LoadBalancer extends Construct {
  readonly alb: Lb;
  /** Named `<project>-<env>-alb`, no inline rules; ingress rules are separate resources. */
  readonly securityGroup: SecurityGroup;
  /** Port 80: permanent redirect to HTTPS. */
  readonly httpListener: LbListener;
  /** Port 443: TLS, default forward to the frontend target group. */
  readonly httpsListener: LbListener;
  /** Path-pattern or host-header condition forwarding to the backend target group. */
  readonly backendRule: LbListenerRule;
  readonly targetGroups: { readonly frontend: LbTargetGroup; readonly backend: LbTargetGroup };
  /** The access log bucket, when `accessLogs.enabled`. */
  readonly logBucket?: PrivateBucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { naming, network } = props;
    const idleTimeoutSeconds = props.idleTimeoutSeconds ?? 60;
    const deletionProtection = props.deletionProtection ?? false;
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
    const deregistrationDelaySeconds = props.deregistrationDelaySeconds ?? 30;
    const desyncMitigationMode = props.desyncMitigationMode ?? "defensive";
    validateProps(id, props, { idleTimeoutSeconds, sslPolicy, deregistrationDelaySeconds, desyncMitigationMode });
    // The 32-character names first: a project name that is too long fails before anything is built.
    // The port is part of a target group's name, so a port change creates the new group before the old one goes.
    const names = {
      alb: naming.name("loadBalancer", "alb"),
      frontend: naming.name("targetGroup", `frontend-${props.frontend.containerPort}`),
      backend: naming.name("targetGroup", `backend-${props.backend.containerPort}`),
    };

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.name("securityGroup", "alb"),
      description: "Load balancer: HTTP and HTTPS from the internet; egress only to service ports",
      vpcId: network.vpc.id,
      tags: { Name: naming.name("tag", "alb") },
    });
    const ingress = [
      ["http", 80, "HTTP (redirected to HTTPS)"],
      ["https", 443, "HTTPS"],
    ] as const;
    for (const [protocol, port, what] of ingress) {
      new VpcSecurityGroupIngressRule(this, `ingress-${protocol}-ipv4`, {
        securityGroupId: this.securityGroup.id,
        description: `${what} from the IPv4 internet`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
      });
      if (!network.ipv6) continue;
      new VpcSecurityGroupIngressRule(this, `ingress-${protocol}-ipv6`, {
        securityGroupId: this.securityGroup.id,
        description: `${what} from the IPv6 internet`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv6: "::/0",
      });
    }

    if (props.accessLogs?.enabled) {
      this.logBucket = this.createLogBucket(naming, props.accessLogs, props.region);
    }

    this.alb = new Lb(this, "alb", {
      name: names.alb,
      loadBalancerType: "application",
      internal: false,
      ipAddressType: network.ipv6 ? "dualstack" : "ipv4",
      subnets: network.publicSubnets.map((subnet) => subnet.id),
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode,
      idleTimeout: idleTimeoutSeconds,
      enableDeletionProtection: deletionProtection,
      accessLogs: this.logBucket ? { bucket: this.logBucket.bucket.id, enabled: true } : undefined,
      // AWS checks that it can write to the bucket when logging is switched on: policy first.
      // An internet-facing ALB needs the VPC's internet gateway (T5): created after it ("VPC has
      // no internet gateway" otherwise), destroyed before it.
      dependsOn: [network.internetGateway, ...(this.logBucket ? [this.logBucket.policy] : [])],
      tags: { Name: naming.name("tag", "alb") },
    });

    const targetGroup = (service: "frontend" | "backend", target: LoadBalancerTarget) => {
      const check = target.healthCheck;
      return new LbTargetGroup(this, `${service}-tg`, {
        name: names[service],
        targetType: "ip",
        protocol: "HTTP",
        port: target.containerPort,
        vpcId: network.vpc.id,
        deregistrationDelay: String(deregistrationDelaySeconds),
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: check.path,
          matcher: check.matcher,
          interval: check.intervalSeconds,
          timeout: check.timeoutSeconds,
          healthyThreshold: check.healthyThreshold,
          unhealthyThreshold: check.unhealthyThreshold,
        },
        lifecycle: { createBeforeDestroy: true },
        tags: { Name: naming.name("tag", service) },
      });
    };
    this.targetGroups = { frontend: targetGroup("frontend", props.frontend), backend: targetGroup("backend", props.backend) };

    this.httpListener = new LbListener(this, "http", {
      loadBalancerArn: this.alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });

    this.httpsListener = new LbListener(this, "https", {
      loadBalancerArn: this.alb.arn,
      port: 443,
      protocol: "HTTPS",
      certificateArn: props.certificateArn,
      sslPolicy,
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroups.frontend.arn }],
    });

    const route = props.backendRoute;
    const condition: LbListenerRuleCondition =
      route.mode === "path" ? { pathPattern: { values: [...route.pathPatterns] } } : { hostHeader: { values: [route.hostName] } };
    this.backendRule = new LbListenerRule(this, "backend-rule", {
      listenerArn: this.httpsListener.arn,
      priority: BACKEND_RULE_PRIORITY,
      condition: [condition],
      action: [{ type: "forward", targetGroupArn: this.targetGroups.backend.arn }],
    });
  }

  private createLogBucket(naming: Naming, settings: { readonly retentionDays: number; readonly preventDestroy: boolean; readonly forceDestroy?: boolean }, region: string | undefined): PrivateBucket {
    if (!naming.accountId) {
      throw new PropsError(`LoadBalancer "${this.node.id}": accessLogs needs the account id (config accountId) for the bucket name and log path`);
    }
    const bucketName = naming.bucketName("alb-logs");
    // Both data sources are answered by the provider itself (static tables), with no AWS API call.
    const partition = new DataAwsPartition(this, "partition", {});
    const logPath = `arn:${partition.partition}:s3:::${bucketName}/AWSLogs/${naming.accountId}/*`;
    const writer = (sid: string, type: string, identifier: string): DataAwsIamPolicyDocumentStatement => ({
      sid,
      effect: "Allow",
      actions: ["s3:PutObject"],
      principals: [{ type, identifiers: [identifier] }],
      resources: [logPath],
    });
    const statements = [writer("AllowElbLogDeliveryService", "Service", ELB_LOG_DELIVERY_SERVICE)];
    if (region === undefined || Token.isUnresolved(region) || ELB_ACCOUNT_REGIONS.includes(region)) {
      // Regions opened before 2022 deliver logs as a regional ELB account.
      const elbAccount = new DataAwsElbServiceAccount(this, "elb-account", {});
      statements.unshift(writer("AllowElbAccountLogDelivery", "AWS", elbAccount.arn));
    }
    return new PrivateBucket(this, "access-logs", {
      bucketName,
      versioned: false,
      expirationDays: settings.retentionDays,
      preventDestroy: settings.preventDestroy,
      forceDestroy: settings.forceDestroy,
      extraPolicyStatements: statements,
    });
  }
}

interface Resolved {
  readonly idleTimeoutSeconds: number;
  readonly sslPolicy: string;
  readonly deregistrationDelaySeconds: number;
  readonly desyncMitigationMode: string;
}

/** Checks every prop AWS would reject at deploy time; the message names the prop, the value and what is allowed. */
function validateProps(id: string, props: LoadBalancerProps, resolved: Resolved): void {
  const fail = (message: string): never => {
    throw new PropsError(`LoadBalancer "${id}": ${message}`);
  };
  const known = (value: unknown) => !Token.isUnresolved(value);
  const wholeNumber = (prop: string, value: number, min: number, max: number) => {
    if (known(value) && (!Number.isInteger(value) || value < min || value > max)) {
      fail(`${prop} must be a whole number from ${min} to ${max}; got ${value}`);
    }
  };

  for (const service of ["frontend", "backend"] as const) {
    const { containerPort, healthCheck: check } = props[service];
    wholeNumber(`${service}.containerPort`, containerPort, 1, 65535);
    if (known(check.path) && !check.path.startsWith("/")) {
      fail(`${service}.healthCheck.path must start with "/", e.g. "/up"; got "${check.path}"`);
    }
    if (known(check.path) && check.path.length > 1024) {
      fail(`${service}.healthCheck.path must be at most 1024 characters; got ${check.path.length}`);
    }
    if (known(check.matcher) && !validMatcher(check.matcher)) {
      fail(`${service}.healthCheck.matcher must be HTTP codes from 200 to 499 as "200", a range "200-399" or a list "200,302"; got "${check.matcher}"`);
    }
    wholeNumber(`${service}.healthCheck.intervalSeconds`, check.intervalSeconds, 5, 300);
    wholeNumber(`${service}.healthCheck.timeoutSeconds`, check.timeoutSeconds, 2, 120);
    if (known(check.intervalSeconds) && known(check.timeoutSeconds) && check.timeoutSeconds >= check.intervalSeconds) {
      fail(
        `${service}.healthCheck.timeoutSeconds must be less than intervalSeconds (${check.intervalSeconds}); got ${check.timeoutSeconds}`,
      );
    }
    wholeNumber(`${service}.healthCheck.healthyThreshold`, check.healthyThreshold, 2, 10);
    wholeNumber(`${service}.healthCheck.unhealthyThreshold`, check.unhealthyThreshold, 2, 10);
  }

  const route = props.backendRoute;
  if (route.mode === "path" && known(route.pathPatterns)) {
    if (route.pathPatterns.length < 1 || route.pathPatterns.length > 3) {
      fail(`backendRoute.pathPatterns must list 1 to 3 patterns (AWS allows 3 values per rule condition), e.g. ["/api/*"]; got ${JSON.stringify(route.pathPatterns)}`);
    }
    for (const pattern of route.pathPatterns) {
      if (known(pattern) && (pattern.length < 1 || pattern.length > 128)) {
        fail(`backendRoute.pathPatterns entries must be 1 to 128 characters long, e.g. "/api/*"; got "${pattern}" (${pattern.length} characters)`);
      }
    }
  } else if (route.mode === "host" && known(route.hostName) && !HOSTNAME.test(route.hostName)) {
    fail(`backendRoute.hostName must be a lowercase DNS name of at most 128 characters, e.g. "api.www.example.com"; got "${route.hostName}"`);
  }

  wholeNumber("idleTimeoutSeconds", resolved.idleTimeoutSeconds, 1, 4000);
  wholeNumber("deregistrationDelaySeconds", resolved.deregistrationDelaySeconds, 0, 3600);
  if (known(resolved.sslPolicy) && !TLS12_POLICY.test(resolved.sslPolicy)) {
    fail(
      `sslPolicy must be an ELB policy with TLS 1.2 or newer as minimum, such as "${DEFAULT_SSL_POLICY}" or "ELBSecurityPolicy-TLS13-1-3-2021-06"; got "${resolved.sslPolicy}"`,
    );
  }
  if (!["defensive", "strictest"].includes(resolved.desyncMitigationMode)) {
    fail(`desyncMitigationMode must be "defensive" or "strictest"; got "${resolved.desyncMitigationMode}"`);
  }
  if (props.accessLogs?.enabled) {
    wholeNumber("accessLogs.retentionDays", props.accessLogs.retentionDays, 1, 36500);
  }
}

/** `"200"`, `"200-399"`, `"200,302"` (or a list of codes and ranges), every code from 200 to 499 (what ALB accepts for HTTP checks). */
function validMatcher(matcher: string): boolean {
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher)) return false;
  return matcher.split(",").every((part) => {
    const [low, high = low] = part.split("-").map(Number);
    return low >= 200 && high <= 499 && low <= high;
  });
}
