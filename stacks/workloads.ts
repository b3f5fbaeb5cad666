/**
 * Issue 14: what runs next to the web services. The environment's queue, its workers and its
 * scheduled jobs, built from config on top of the backend (its image, task role, secrets, task
 * definition and network). Kept out of environment-stack.ts so that file only calls in here.
 */
import type { ITerraformDependable } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { escapeTemplate, escapeValues } from "../config/checks/interpolation";
import { PRESETS, type SecretSource } from "../constructs/compute/presets";
import { ScheduledJobs } from "../constructs/compute/scheduled-jobs";
import { workerContract } from "../constructs/compute/service-contract";
import type { WebService } from "../constructs/compute/web-service";
import { WorkerService, type WorkerScaling } from "../constructs/compute/worker-service";
import type { Naming } from "../constructs/core/naming";
import { Queue } from "../constructs/data/queue";
import type { Cache } from "../constructs/data/cache";
import type { Database } from "../constructs/data/database";
import type { EgressRule } from "../constructs/network/egress";
import type { Network } from "../constructs/network/network";
import type { Cluster } from "../constructs/compute/cluster";
import type { Construct } from "constructs";

/** The environment's queue, when config has one. */
export function createQueue(scope: Construct, config: EnvironmentConfig, naming: Naming, alarmTopicArn: string): Queue | undefined {
  if (!config.queue) return undefined;
  return new Queue(scope, "queue", {
    naming,
    component: "jobs",
    region: config.region,
    accountId: config.accountId,
    ...config.queue,
    alarmTopicArn,
  });
}

export interface WorkloadsContext {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly network: Network;
  readonly cluster: Cluster;
  readonly clusterName: string;
  readonly database: Database;
  readonly backend: WebService;
  /** The backend's final container settings: what workers and jobs run with. */
  readonly backendEnvironment: Readonly<Record<string, string>>;
  readonly backendSecrets: Readonly<Record<string, SecretSource>>;
  readonly image: string;
  readonly queue?: Queue;
  /** The backend's outbound rules beyond HTTPS: workers run the same code. */
  readonly egressRules: readonly EgressRule[];
  /** The cache, which workers may reach like the backend. @default none */
  readonly cache?: Cache;
  readonly alarmTopicArn: string;
  readonly permissionsBoundaryArn: string;
  /** What a backend task waits for besides its load balancer rule (database, image, secrets). */
  readonly dependsOn: ITerraformDependable[];
}

/** The workers of `config.workers`, each with database access like the backend's. */
export function createWorkers(scope: Construct, ctx: WorkloadsContext): Record<string, WorkerService> {
  const { config, naming } = ctx;
  const backend = config.services.backend;
  const preset = PRESETS[backend.framework];
  const workers: Record<string, WorkerService> = {};
  for (const [name, worker] of Object.entries(config.workers)) {
    const onQueue = worker.consumesQueue ?? ctx.queue !== undefined;
    const scaling: WorkerScaling | undefined = worker.autoscaling
      ? onQueue && ctx.queue
        ? { metric: "queue", queueName: ctx.queue.name, minCount: worker.autoscaling.minCount, maxCount: worker.autoscaling.maxCount, scaleOutAtMessages: worker.autoscaling.scaleOutAtMessages }
        : { metric: "cpu", minCount: worker.autoscaling.minCount, maxCount: worker.autoscaling.maxCount, targetCpuPercent: worker.autoscaling.targetCpuPercent }
      : undefined;
    const service = new WorkerService(scope, `worker-${name}`, {
      naming,
      contract: workerContract(naming, name),
      framework: backend.framework,
      region: config.region,
      accountId: config.accountId,
      network: ctx.network,
      cluster: ctx.cluster,
      image: ctx.image,
      command: worker.command?.map(escapeTemplate) ?? preset.workerCommand ?? [],
      cpu: worker.cpu ?? backend.cpu,
      memoryMiB: worker.memoryMiB ?? backend.memoryMiB,
      cpuArchitecture: backend.cpuArchitecture,
      readonlyRootFilesystem: backend.readonlyRootFilesystem,
      desiredCount: worker.desiredCount,
      fargateSpot: worker.fargateSpot ?? backend.fargateSpot,
      autoscaling: scaling,
      logRetentionDays: worker.logRetentionDays ?? backend.logRetentionDays,
      environment: { ...ctx.backendEnvironment, ...escapeValues(worker.environment) },
      secrets: ctx.backendSecrets,
      taskRole: ctx.backend.taskRole,
      egressRules: ctx.egressRules,
      permissionsBoundaryArn: ctx.permissionsBoundaryArn,
      dependsOn: ctx.dependsOn,
    });
    ctx.database.allowFrom(`worker-${name}`, service.securityGroup);
    ctx.cache?.allowFrom(`worker-${name}`, service.securityGroup);
    workers[name] = service;
  }
  return workers;
}

/** The scheduled jobs of `config.scheduledJobs`, on the backend's task definition, or none. */
export function createScheduledJobs(scope: Construct, ctx: WorkloadsContext): ScheduledJobs | undefined {
  const { config, naming } = ctx;
  const entries = Object.entries(config.scheduledJobs);
  if (!entries.length) return undefined;
  const backend = config.services.backend;
  const fallback = PRESETS[backend.framework].scheduledJob;
  return new ScheduledJobs(scope, "scheduled-jobs", {
    naming,
    region: config.region,
    accountId: config.accountId,
    cluster: ctx.cluster,
    clusterName: ctx.clusterName,
    network: ctx.network,
    taskDefinition: ctx.backend.taskDefinition,
    taskFamily: naming.name("ecs", "backend"),
    containerName: "backend",
    executionRoleName: naming.name("iamRole", "backend-execution"),
    taskRoleName: naming.name("iamRole", "backend-task"),
    securityGroup: ctx.backend.securityGroup,
    fargateSpot: backend.fargateSpot,
    jobs: entries.map(([key, job]) => ({
      key,
      command: job.command?.map(escapeTemplate) ?? fallback?.command ?? [],
      schedule: job.schedule ?? fallback?.schedule ?? "",
      timeZone: job.timeZone,
      enabled: job.enabled,
      retry: job.retry,
    })),
    alarmTopicArn: ctx.alarmTopicArn,
    permissionsBoundaryArn: ctx.permissionsBoundaryArn,
  });
}
