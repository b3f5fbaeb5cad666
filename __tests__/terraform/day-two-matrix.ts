/**
 * The day-two change matrix (issue 10): ordinary changes to a running environment, each planned
 * by real Terraform over the environment's as-applied state (__tests__/as-applied.ts).
 *
 * To keep `npm test` fast, rows whose changes touch different resources share one plan (a
 * "group"): each group is one synthesized variant of the configuration plus `-var`s. Every row's
 * assertions look only at the resources and containers that row changes, and every group's plan
 * is also held to the invariants (no service replaced, nothing in use replaced delete-first,
 * no stateful resource replaced) as a whole. Not a test file: the global setup plans these.
 */
import type { EnvironmentInput } from "../../config";

export type Group = "app" | "runtime" | "edge" | "cache";
export const GROUPS: readonly Group[] = ["app", "runtime", "edge", "cache"];

export interface MatrixRow {
  readonly id: string;
  readonly title: string;
  readonly group: Group;
  /** The configuration change (applied on top of the others of the group). */
  readonly change?: (input: EnvironmentInput) => EnvironmentInput;
  /** `-var` values for this row (image tags are variables, not configuration). */
  readonly vars?: readonly string[];
  /** Environments this row applies to, with the reason when not both. @default both */
  readonly only?: { readonly environment: string; readonly reason: string };
}

type Services = EnvironmentInput["services"];
const service = (input: EnvironmentInput, key: keyof Services, patch: Record<string, unknown>): EnvironmentInput => ({
  ...input,
  services: { ...input.services, [key]: { ...input.services[key], ...patch } },
});

const RETENTION_NEXT: Readonly<Record<number, number>> = { 30: 90, 365: 731 };

export const MATRIX: readonly MatrixRow[] = [
  { id: "image", title: "image tag", group: "app", vars: ["frontend_image_tag=v0.2.0"] },
  {
    id: "size",
    title: "cpu and memory",
    group: "app",
    change: (i) => service(i, "backend", { cpu: i.services.backend.cpu * 2, memoryMiB: i.services.backend.memoryMiB * 2 }),
  },
  {
    id: "variable",
    title: "a variable added",
    group: "app",
    change: (i) => service(i, "backend", { environment: { ...(i.services.backend.environment ?? {}), FEATURE_CHECKOUT: "on" } }),
  },
  {
    id: "secret",
    title: "a secret added",
    group: "app",
    change: (i) => service(i, "backend", { secrets: { ...(i.services.backend.secrets ?? {}), STRIPE_SECRET: { secretsManager: `webapp/${i.name}/STRIPE_SECRET` } } }),
  },
  {
    id: "retention",
    title: "log retention",
    group: "app",
    change: (i) => service(i, "frontend", { logRetentionDays: RETENTION_NEXT[i.services.frontend.logRetentionDays ?? 30] }),
  },
  {
    id: "egress",
    title: "an outbound rule added (SMTP for the backend)",
    group: "app",
    change: (i) => ({ ...i, egress: { ...(i.egress ?? {}), backend: [...(i.egress?.backend ?? []), { port: 587, to: { cidr: "203.0.113.0/24" }, reason: "SMTP submission to the newsletter relay" }] } }),
  },
  {
    id: "db-class",
    title: "DB instance class",
    group: "runtime",
    change: (i) => ({ ...i, database: { ...i.database, instanceClass: i.database.instanceClass === "db.t4g.micro" ? "db.t4g.small" : "db.t4g.large" } }),
  },
  { id: "db-minor", title: "DB minor version", group: "runtime", change: (i) => ({ ...i, database: { ...i.database, engineVersion: "8.0.40" } }) },
  { id: "port", title: "containerPort", group: "runtime", change: (i) => service(i, "frontend", { containerPort: 3001 }) },
  {
    id: "rollback",
    title: "an image rolled back to an older tag (blocked unless allowed)",
    group: "runtime",
    vars: ["backend_image_tag=v0.0.9"],
  },
  { id: "spot", title: "fargateSpot", group: "runtime", change: (i) => service(i, "backend", { fargateSpot: !i.services.backend.fargateSpot }) },
  {
    id: "scale",
    title: "desired count and autoscaling bounds",
    group: "runtime",
    change: (i) => {
      const f = i.services.frontend;
      return service(i, "frontend", f.autoscaling
          ? { desiredCount: (f.desiredCount ?? 1) + 1, autoscaling: { ...f.autoscaling, minCount: f.autoscaling.minCount + 1, maxCount: f.autoscaling.maxCount + 2 } }
          : { desiredCount: (f.desiredCount ?? 1) + 1 });
    },
  },
  {
    id: "zone",
    title: "an availability zone added",
    group: "edge",
    change: (i) => ({ ...i, availabilityZones: [...(i.availabilityZones ?? []), "eu-west-1c"] }),
    only: { environment: "staging", reason: "production already uses all three zones of eu-west-1" },
  },
  {
    id: "nat",
    title: "NAT count",
    group: "edge",
    change: (i) => ({ ...i, network: { ...i.network, natGateways: i.network.natGateways === 1 ? 2 : 1 } }),
  },
  {
    id: "domain",
    title: "domain name",
    group: "edge",
    change: (i) => ({ ...i, domain: { ...i.domain, name: `new-${i.domain.name}` } }),
  },
  {
    id: "health",
    title: "health check path",
    group: "edge",
    change: (i) => service(i, "frontend", { healthCheck: { ...(i.services.frontend.healthCheck ?? {}), path: "/healthz" } }),
  },
  {
    id: "routing",
    title: "routing mode",
    group: "edge",
    change: (i) => ({
      ...i,
      routing: { mode: "host", hostName: `api.${i.domain.name}` },
      domain: { ...i.domain, alternativeNames: [...(i.domain.alternativeNames ?? []), `api.${i.domain.name}`] },
    }),
  },
  // Issue 14: optional parts switched on in a running environment.
  {
    id: "service-connect",
    title: "Service Connect enabled",
    group: "edge",
    change: (i) => ({ ...i, serviceConnect: { enabled: true } }),
  },
  {
    // A group of its own: the new cache's endpoint is only known after apply, so the backend's and the
    // workers' container definitions become unknown in this plan; other rows look into them.
    id: "cache",
    title: "a cache added (two nodes, failover across zones)",
    group: "cache",
    change: (i) => ({ ...i, cache: { nodeType: "cache.t4g.small", nodes: 2, automaticFailover: true, multiAz: true, snapshotRetentionDays: 1 } }),
  },
  {
    id: "mail",
    title: "mail through SES added (identity at the parent domain, custom MAIL FROM)",
    group: "edge",
    // The identity is example.com, so the "domain" row's new site name leaves it alone.
    change: (i) => ({ ...i, mail: { provider: "ses", domain: "example.com", fromAddress: "no-reply@example.com", mailFromSubdomain: "mail" } }),
  },
  // --- issue 14: turning the queue, a worker and a scheduled job on, and changing them ---
  {
    id: "workloads-on",
    title: "a queue, a worker and Laravel's scheduler added",
    group: "edge",
    // Two tasks: guardrail ENV.3 holds production workers to it, like the web services.
    change: (i) => ({ ...i, queue: {}, workers: { default: { desiredCount: 2 } }, scheduledJobs: { scheduler: {} } }),
    only: { environment: "production", reason: "staging already runs them (config/staging.ts)" },
  },
  {
    id: "workloads-change",
    title: "a worker's command and a job's schedule and time zone",
    group: "edge",
    change: (i) => ({
      ...i,
      workers: { ...i.workers, default: { ...i.workers?.default, command: ["php", "artisan", "queue:work", "--queue=high,default"] } },
      scheduledJobs: { ...i.scheduledJobs, "nightly-report": { ...i.scheduledJobs?.["nightly-report"], schedule: "cron(30 4 * * ? *)", timeZone: "Europe/Berlin" } },
    }),
    only: { environment: "staging", reason: "production has no worker or scheduled job to change" },
  },
];

export function rowsFor(environment: string): MatrixRow[] {
  return MATRIX.filter((row) => !row.only || row.only.environment === environment);
}

/** The configuration and variables of one group's variant for an environment. */
export function variantOf(input: EnvironmentInput, group: Group): { input: EnvironmentInput; vars: string[] } {
  const rows = rowsFor(input.name).filter((row) => row.group === group);
  return {
    input: rows.reduce((acc, row) => (row.change ? row.change(acc) : acc), input),
    vars: rows.flatMap((row) => row.vars ?? []),
  };
}
