import type { EcsServiceServiceConnectConfiguration } from "@cdktf/provider-aws/lib/ecs-service";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ServiceDiscoveryHttpNamespace } from "@cdktf/provider-aws/lib/service-discovery-http-namespace";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { Naming } from "../core/naming";

/** How one service takes part in Service Connect (a `WebService` prop). */
export interface ServiceConnectSettings {
  /** The environment's Cloud Map HTTP namespace. */
  readonly namespaceArn: string;
  /** Offer the service's container port to clients under `dnsName`; without it the service is a client only. */
  readonly server?: { readonly portName: string; readonly dnsName: string };
  /** The service's log group and region: the Service Connect proxy logs there under the `service-connect` prefix. */
  readonly logGroupName: string;
  readonly region: string;
}

/** The port mapping's name and protocol a Service Connect server needs. */
export function serviceConnectPortMapping(settings: ServiceConnectSettings | undefined): Record<string, string> {
  return settings?.server ? { name: settings.server.portName, appProtocol: "http" } : {};
}

/** The ECS service's `service_connect_configuration` for these settings. */
export function serviceConnectConfiguration(settings: ServiceConnectSettings, containerPort: number): EcsServiceServiceConnectConfiguration {
  return {
    enabled: true,
    namespace: settings.namespaceArn,
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": settings.logGroupName, "awslogs-region": settings.region, "awslogs-stream-prefix": "service-connect" },
    },
    service: settings.server
      ? [{ portName: settings.server.portName, discoveryName: settings.server.dnsName, clientAlias: { port: containerPort, dnsName: settings.server.dnsName } }]
      : undefined,
  };
}

export interface ServiceConnectProps {
  readonly naming: Naming;
}

/**
 * ECS Service Connect for one environment (README "Service Connect"): a Cloud Map HTTP namespace the
 * services join. A server offers its port under a short name (`http://backend:8000`); a client's
 * Service Connect proxy resolves it to healthy tasks inside the VPC, so server-side calls never go
 * out through NAT to the public load balancer. `allow` opens the server's port to the client.
 */
export class ServiceConnect extends Construct {
  readonly namespace: ServiceDiscoveryHttpNamespace;

  constructor(scope: Construct, id: string, props: ServiceConnectProps) {
    super(scope, id);
    this.namespace = new ServiceDiscoveryHttpNamespace(this, "namespace", {
      name: props.naming.prefix,
      description: `Service Connect namespace of ${props.naming.prefix}`,
    });
  }

  /** Lets `client` reach `server` on `port` (ingress on the server's group, egress on the client's). */
  allow(client: { readonly name: string; readonly securityGroup: SecurityGroup }, server: { readonly name: string; readonly securityGroup: SecurityGroup; readonly port: number }): void {
    new VpcSecurityGroupIngressRule(this, `${server.name}-from-${client.name}`, {
      securityGroupId: server.securityGroup.id,
      referencedSecurityGroupId: client.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: server.port,
      toPort: server.port,
      description: `${server.name} port from ${client.name} (Service Connect)`,
    });
    new VpcSecurityGroupEgressRule(this, `${client.name}-to-${server.name}`, {
      securityGroupId: client.securityGroup.id,
      referencedSecurityGroupId: server.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: server.port,
      toPort: server.port,
      description: `To ${server.name} tasks (Service Connect)`,
    });
  }
}
