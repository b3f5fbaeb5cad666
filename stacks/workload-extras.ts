/**
 * Issue 14's optional parts of an environment, built from config and handed to the services: the
 * cache, the SES mail identity, Service Connect and the outbound rules. Kept out of
 * environment-stack.ts so that the stack only calls four functions, and so that workers (which run
 * the backend's image with the backend's settings) get the same wiring by calling the same ones:
 *
 *   const ctx = { ...ctx, ...extrasContext(extras, config, "backend") };      // REDIS_*, MAIL_* variables and secrets
 *   new Worker(..., { ...backendLikeProps(extras, config) });                 // egress rules, SES send permission
 *   extras.cache?.allowFrom(`worker-${name}`, worker.securityGroup);           // cache port, both directions
 */
import type { TerraformStack } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { Cache } from "../constructs/data/cache";
import { MailIdentity } from "../constructs/edge/mail-identity";
import type { Naming } from "../constructs/core/naming";
import type { Network } from "../constructs/network/network";
import { resolveEgressRule } from "../constructs/network/egress";
import type { PresetContext } from "../constructs/compute/presets";
import { ServiceConnect } from "../constructs/compute/service-connect";
import type { WebService, WebServiceProps } from "../constructs/compute/web-service";
import type { ServiceKey } from "./deploy-contract";

/** The port name the backend offers under Service Connect. */
export const BACKEND_PORT_NAME = "http";

export interface WorkloadExtras {
  readonly cache?: Cache;
  readonly mail?: MailIdentity;
  readonly serviceConnect?: ServiceConnect;
}

/** Builds what config turns on (nothing by default). */
export function createWorkloadExtras(stack: TerraformStack, config: EnvironmentConfig, naming: Naming, network: Network): WorkloadExtras {
  const cache = config.cache
    ? new Cache(stack, "cache", {
        naming,
        network,
        region: config.region,
        accountId: config.accountId,
        secretPrefix: `${config.project}/${config.name}`,
        engine: config.cache.engine,
        engineVersion: config.cache.engineVersion,
        nodeType: config.cache.nodeType,
        nodes: config.cache.nodes,
        automaticFailover: config.cache.automaticFailover,
        multiAz: config.cache.multiAz,
        snapshotRetentionDays: config.cache.snapshotRetentionDays,
        snapshotWindow: config.cache.snapshotWindow,
        maintenanceWindow: config.cache.maintenanceWindow,
        finalSnapshot: config.cache.finalSnapshot,
        recoveryWindowDays: config.teardown.secretRecoveryWindowDays,
      })
    : undefined;
  const mail = config.mail
    ? new MailIdentity(stack, "mail", {
        domain: config.mail.domain ?? config.domain.name,
        hostedZoneId: config.domain.hostedZoneId,
        region: config.region,
        accountId: config.accountId,
        fromAddress: config.mail.fromAddress,
        mailFromSubdomain: config.mail.mailFromSubdomain,
      })
    : undefined;
  const serviceConnect = config.serviceConnect.enabled ? new ServiceConnect(stack, "service-connect", { naming }) : undefined;
  return { cache, mail, serviceConnect };
}

/** What the framework presets of service `key` learn from the extras; workers pass "backend". */
export function extrasContext(extras: WorkloadExtras, config: EnvironmentConfig, key: ServiceKey): Pick<PresetContext, "cache" | "mail" | "backendInternalUrl"> {
  if (key === "backend") {
    return {
      cache: extras.cache && { host: extras.cache.host, port: extras.cache.port, authToken: extras.cache.authToken },
      mail: extras.mail && { fromAddress: extras.mail.fromAddress },
    };
  }
  if (!extras.serviceConnect) return {};
  // The load balancer forwards paths unchanged, so the backend serves the API under the same prefix:
  // BACKEND_INTERNAL_URL is a drop-in for API_URL (http://backend:8000/api with path routing).
  const prefix = config.routing.mode === "path" ? config.routing.pathPatterns[0].replace(/\/?\*$/, "") : "";
  return { backendInternalUrl: `http://${config.serviceConnect.dnsName}:${config.services.backend.containerPort}${prefix}` };
}

/** The outbound rules and task role permissions of the backend, and of every worker running its image. */
export function backendLikeProps(extras: WorkloadExtras, config: EnvironmentConfig): Pick<WebServiceProps, "egressRules" | "taskRoleStatements"> {
  return {
    egressRules: config.egress.backend.map((rule) => resolveEgressRule(rule, config.network.vpcCidr)),
    taskRoleStatements: extras.mail ? [extras.mail.sendStatement()] : [],
  };
}

/** The issue 14 props of web service `key`. */
export function extrasServiceProps(
  extras: WorkloadExtras,
  config: EnvironmentConfig,
  key: ServiceKey,
  logGroupName: string,
): Pick<WebServiceProps, "egressRules" | "taskRoleStatements" | "serviceConnect"> {
  const serviceConnect = extras.serviceConnect && {
    namespaceArn: extras.serviceConnect.namespace.arn,
    logGroupName,
    region: config.region,
    server: key === "backend" ? { portName: BACKEND_PORT_NAME, dnsName: config.serviceConnect.dnsName } : undefined,
  };
  const own = key === "backend" ? backendLikeProps(extras, config) : { egressRules: config.egress[key].map((rule) => resolveEgressRule(rule, config.network.vpcCidr)) };
  return { ...own, serviceConnect };
}

/** Security group wiring once the services exist: the backend reaches the cache, the frontend reaches the backend. */
export function connectExtras(extras: WorkloadExtras, config: EnvironmentConfig, services: Readonly<Record<ServiceKey, WebService>>): void {
  extras.cache?.allowFrom("backend", services.backend.securityGroup);
  extras.serviceConnect?.allow(
    { name: "frontend", securityGroup: services.frontend.securityGroup },
    { name: "backend", securityGroup: services.backend.securityGroup, port: config.services.backend.containerPort },
  );
}
