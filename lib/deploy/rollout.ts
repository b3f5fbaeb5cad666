/**
 * Step 5: wait until both services run the task definition this deploy registered, and fail
 * when the deployment circuit breaker stopped or rolled back the rollout.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type Deployment, type ECSClient, type Service } from "@aws-sdk/client-ecs";
import { SERVICE_KEYS, type DeployContract, type ServiceContract } from "../../stacks/deploy-contract";
import { awsCall, DeployError } from "./errors";
import { commandLine } from "./process";
import { DETAIL, formatDuration, type Clock, type Log, type PollOptions } from "./progress";

export type RolloutAssessment =
  | { readonly state: "stable"; readonly summary: string }
  | { readonly state: "in-progress"; readonly summary: string }
  | { readonly state: "failed"; readonly reason: string };

/** `family:revision` of a task definition ARN, for messages. */
export function revisionOf(taskDefinitionArn: string | undefined): string {
  if (!taskDefinitionArn) return "(unknown)";
  return taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf("/") + 1);
}

/**
 * Judges one DescribeServices snapshot of a service after `cdktf deploy`.
 *
 * ECS semantics this relies on (rolling-update `ECS` deployment controller, the only one that
 * reports `rolloutState` and supports the circuit breaker):
 * - UpdateService (what Terraform calls) makes a new deployment with status PRIMARY and
 *   rolloutState IN_PROGRESS; the previous ones become ACTIVE and are drained. When the service
 *   reaches a steady state the deployment becomes COMPLETED.
 * - When the circuit breaker trips, the new deployment's rolloutState becomes FAILED (reason
 *   "ECS deployment circuit breaker: ..."), it launches no new tasks, and, with rollback on, ECS
 *   goes back to the most recent COMPLETED deployment, which becomes IN_PROGRESS again and then
 *   COMPLETED: the service ends up "stable" on the OLD task definition. This is why "stable"
 *   alone (the AWS CLI `services-stable` waiter) reports a rolled-back deploy as a success. With
 *   no earlier COMPLETED deployment (first deploy) there is nothing to roll back to and the
 *   FAILED deployment just stays.
 * - The FAILED deployment disappears from `deployments` once drained, so a slow poll may never
 *   see it; the task definition of the PRIMARY deployment still shows the rollback.
 *
 * The rule, for `expectedTaskDefinition` = the latest ACTIVE revision of the service's family
 * (what Terraform registered and pointed the service at in step 4) and `watchedDeploymentId` =
 * the PRIMARY deployment seen at the first poll after step 4:
 * 1. failed if any deployment running the expected task definition, or the watched deployment,
 *    has rolloutState FAILED (circuit breaker tripped; rolling back, or stuck without rollback);
 * 2. failed if the PRIMARY deployment runs another task definition (rolled back to an older one);
 * 3. failed if the PRIMARY deployment is no longer the watched one (ECS replaced it: a rollback
 *    to a deployment with the same task definition, or someone else deployed meanwhile);
 * 4. stable if the PRIMARY deployment is COMPLETED and its running count equals its desired count
 *    (for a service without rolloutState: it is the only deployment and running == desired);
 * 5. otherwise still in progress.
 * Known blind spot: a rollback between a deploy that did not change the task definition and the
 * first poll is indistinguishable from "nothing to do".
 */
export function assessRollout(service: Service, expectedTaskDefinition: string, watchedDeploymentId?: string): RolloutAssessment {
  const deployments: Deployment[] = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === "PRIMARY");
  const failed = deployments.find((d) => d.rolloutState === "FAILED" && (d.taskDefinition === expectedTaskDefinition || (watchedDeploymentId !== undefined && d.id === watchedDeploymentId)));
  if (failed) {
    const rollingBackTo = primary && primary !== failed ? `; ECS is rolling back to ${revisionOf(primary.taskDefinition)}` : "; there is no earlier completed deployment to roll back to";
    return {
      state: "failed",
      reason: `the deployment circuit breaker stopped the rollout of ${revisionOf(failed.taskDefinition)} (${failed.rolloutStateReason ?? "rolloutState FAILED"}, ${failed.failedTasks ?? 0} failed tasks)${rollingBackTo}`,
    };
  }
  if (!primary) return { state: "in-progress", summary: "no PRIMARY deployment yet" };
  if (primary.taskDefinition !== expectedTaskDefinition) {
    return {
      state: "failed",
      reason: `the service was rolled back: it runs ${revisionOf(primary.taskDefinition)} instead of ${revisionOf(expectedTaskDefinition)}, the revision this deploy registered${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}`,
    };
  }
  if (watchedDeploymentId !== undefined && primary.id !== watchedDeploymentId) {
    return {
      state: "failed",
      reason: `the deployment ${watchedDeploymentId} this deploy started is no longer PRIMARY (now ${primary.id}): ECS rolled it back or another deployment replaced it${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}`,
    };
  }
  const running = primary.runningCount ?? 0;
  const desired = primary.desiredCount ?? 0;
  const summary = `${running}/${desired} running${primary.pendingCount ? `, ${primary.pendingCount} pending` : ""}${primary.failedTasks ? `, ${primary.failedTasks} failed` : ""}, ${primary.rolloutState ?? "no rolloutState"}, ${revisionOf(primary.taskDefinition)}`;
  const done = primary.rolloutState === undefined ? deployments.length === 1 && running === desired : primary.rolloutState === "COMPLETED" && running === desired;
  return done ? { state: "stable", summary } : { state: "in-progress", summary };
}

/** The newest `count` service event messages, oldest first (ECS returns them newest first). */
export function lastEvents(service: Service | undefined, count = 5): string[] {
  return (service?.events ?? [])
    .slice(0, count)
    .reverse()
    .map((e) => `${e.createdAt instanceof Date ? `${e.createdAt.toISOString()} ` : ""}${e.message ?? ""}`);
}

export interface RolloutDeps {
  readonly ecs: ECSClient;
  readonly log: Log;
  readonly clock: Clock;
}

/**
 * What a deploy rolls out and waits for, by label: the two web services, then each worker
 * (`worker <name>`, issue 14), which runs the backend's image.
 */
export function rolloutServices(contract: DeployContract): Record<string, ServiceContract> {
  const result: Record<string, ServiceContract> = {};
  for (const key of SERVICE_KEYS) result[key] = contract.services[key];
  for (const [name, worker] of Object.entries(contract.workers ?? {})) result[`worker ${name}`] = worker;
  return result;
}

/** The latest ACTIVE revision of each service's task family: what the services should now run. */
export async function expectedTaskDefinitions(ecs: ECSClient, contract: DeployContract): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [key, service] of Object.entries(rolloutServices(contract))) {
    const family = service.taskFamily;
    const described = await awsCall(`Looking up task definition family "${family}" (ECS DescribeTaskDefinition)`, () =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })),
    );
    const arn = described.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new DeployError(`Task definition family "${family}" has no ACTIVE revision after cdktf deploy.`);
    result[key] = arn;
  }
  return result;
}

function debugHints(contract: DeployContract, service: ServiceContract): string {
  const { serviceName } = service;
  return [
    `    stopped tasks: ${commandLine("aws", ["ecs", "list-tasks", "--cluster", contract.clusterName, "--service-name", serviceName, "--desired-status", "STOPPED", "--region", contract.region])}`,
    `    logs:          ${commandLine("aws", ["logs", "tail", service.logGroup, "--since", "30m", "--region", contract.region])}`,
  ].join("\n");
}

function withEvents(service: Service | undefined): string {
  const events = lastEvents(service);
  return events.length ? `\n    last service events:\n${events.map((e) => `      ${e}`).join("\n")}` : "";
}

/**
 * Polls DescribeServices for the services (web services and workers) until all are stable (see
 * `assessRollout`); fails on a circuit-breaker rollback at once, and at the timeout with each
 * unfinished service's last events.
 */
export async function waitForServicesStable(contract: DeployContract, poll: PollOptions, deps: RolloutDeps): Promise<Record<string, string>> {
  const { ecs, log, clock } = deps;
  const targets = rolloutServices(contract);
  const keys = Object.keys(targets);
  const expected = await expectedTaskDefinitions(ecs, contract);
  const names = keys.map((key) => targets[key].serviceName);
  const watched: Partial<Record<string, string>> = {};
  const lastSummary: Partial<Record<string, string>> = {};
  const since = clock.now();

  for (;;) {
    const services: Service[] = [];
    // DescribeServices takes at most 10 services per call.
    for (let i = 0; i < names.length; i += 10) {
      const batch = names.slice(i, i + 10);
      const result = await awsCall(`Checking services ${batch.join(", ")} (ECS DescribeServices)`, () =>
        ecs.send(new DescribeServicesCommand({ cluster: contract.clusterName, services: batch })),
      );
      const missing = (result.failures ?? []).map((f) => `${f.arn ?? "?"} (${f.reason ?? "?"})`);
      if (missing.length) throw new DeployError(`ECS cluster "${contract.clusterName}" does not have the service(s) ${missing.join(", ")}; did cdktf deploy create them?`);
      services.push(...(result.services ?? []));
    }

    const byKey = new Map<string, Service | undefined>(keys.map((key) => [key, services.find((s) => s.serviceName === targets[key].serviceName)]));
    const pending: string[] = [];
    for (const key of keys) {
      const service = byKey.get(key);
      if (!service || service.status !== "ACTIVE") {
        throw new DeployError(`ECS service "${targets[key].serviceName}" is ${service?.status ?? "missing"} in cluster "${contract.clusterName}".`);
      }
      watched[key] ??= service.deployments?.find((d) => d.status === "PRIMARY")?.id;
      const assessment = assessRollout(service, expected[key], watched[key]);
      if (assessment.state === "failed") {
        throw new DeployError(`The ${key} rollout failed: ${assessment.reason}.${withEvents(service)}\n${debugHints(contract, targets[key])}`);
      }
      if (assessment.summary !== lastSummary[key]) {
        log(`${DETAIL}${key}: ${assessment.summary}${assessment.state === "stable" ? " (stable)" : ""}`);
        lastSummary[key] = assessment.summary;
      }
      if (assessment.state !== "stable") pending.push(key);
    }
    if (!pending.length) return expected;
    if (clock.now() - since >= poll.timeoutMs) {
      const details = pending.map((key) => `  ${key}: ${lastSummary[key]}${withEvents(byKey.get(key))}\n${debugHints(contract, targets[key])}`).join("\n");
      throw new DeployError(`Timed out after ${formatDuration(poll.timeoutMs)} waiting for ${pending.join(" and ")} to become stable.\n${details}`);
    }
    await clock.sleep(poll.intervalMs);
  }
}
