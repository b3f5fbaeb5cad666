/**
 * Finds, in a synthesized stack (`cdktf.out/stacks/<env>/cdk.tf.json`), what the pre-rollout
 * apply (step 2) targets.
 *
 * Step 2 must leave the migration task runnable: its image pushed (build mode), its task
 * definition, the cluster and its security group, and everything those need at RUN time. The
 * last part is why the targets are not just those four: `-target` pulls in what a target depends
 * on, but not what depends on it, and much of what a task needs at run time points at the task's
 * parts rather than the other way round: the IAM policies attached to its roles, the rules of its
 * security group (egress, the database's ingress from it), the private subnets with their routes
 * through NAT, the secrets it reads by ARN. A targeted apply of only the four would, on a new
 * environment, start a migration that cannot pull its image or reach the database.
 *
 * So step 2 applies every resource of the stack EXCEPT the ECS services (web services and workers),
 * the scheduled jobs' schedules, and whatever depends on them (autoscaling targets and policies, ...):
 * infrastructure first, then the migration, then the rollout. The contract's migration task definition, cluster and security group (and the images
 * in build mode) must be among the targets, found by their contract names, never by construct
 * ids; if one is missing the stack and the contract disagree, which is an error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_KEYS, type DeployContract } from "../../stacks/deploy-contract";
import { DeployError } from "./errors";
import { imageTagVariable, taggedServices, type ImageSources } from "./images";

/** The parts of a synthesized stack this module reads. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, unknown>;
}

/** Reads `<stackDir>/cdk.tf.json`; a clear error if synth did not write it. */
export function readSynthesizedStack(stackDir: string): SynthesizedStack {
  const file = join(stackDir, "cdk.tf.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new DeployError(`${file} does not exist: 'cdktf synth' did not produce this environment's stack. Is it listed in config/index.ts?`);
  }
  try {
    return JSON.parse(text) as SynthesizedStack;
  } catch (error) {
    throw new DeployError(`${file} is not valid JSON (${(error as Error).message}); run 'npx cdktf synth' again.`);
  }
}

/** Terraform addresses (`type.name`) of every resource of `type` matching `where`. */
function addresses(stack: SynthesizedStack, type: string, where: (body: Record<string, unknown>) => boolean = () => true): string[] {
  return Object.entries(stack.resource?.[type] ?? {})
    .filter(([, body]) => where(body))
    .map(([name]) => `${type}.${name}`);
}

function exactlyOne(stack: SynthesizedStack, type: string, attribute: string, value: string, what: string): string {
  const found = addresses(stack, type, (body) => body[attribute] === value);
  if (found.length !== 1) {
    throw new DeployError(
      `The synthesized stack has ${found.length === 0 ? "no" : found.length} ${type} with ${attribute} = "${value}" (${what}); ` +
        `the deploy contract (stacks/deploy-contract.ts) says there is exactly one. The stack and the contract disagree: fix the stack, not the deploy.`,
    );
  }
  return found[0];
}

/** Every resource (`type.name`) and data source (`data.type.name`) of the stack with its body. */
function nodes(stack: SynthesizedStack): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) for (const [name, body] of Object.entries(byName)) result.set(`${type}.${name}`, body);
  for (const [type, byName] of Object.entries(stack.data ?? {})) for (const [name, body] of Object.entries(byName)) result.set(`data.${type}.${name}`, body);
  return result;
}

const INTERPOLATION = /\$\{([^}]*)\}/g;
const ADDRESS = /(?<![\w.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/g;

/** The addresses a resource body refers to: `${type.name...}` in any string, and `depends_on`. */
export function referencesOf(body: Record<string, unknown>, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const { "//": _metadata, ...rest } = body;
  for (const [, expression] of JSON.stringify(rest).matchAll(INTERPOLATION)) {
    for (const [, address] of expression.matchAll(ADDRESS)) if (known.has(address)) found.add(address);
  }
  for (const entry of Array.isArray(body.depends_on) ? body.depends_on : []) if (typeof entry === "string" && known.has(entry)) found.add(entry);
  return found;
}

/** `roots` and everything that depends on them, directly or through other resources and data sources. */
function withDependents(all: Map<string, Record<string, unknown>>, roots: readonly string[]): Set<string> {
  const known = new Set(all.keys());
  const dependents = new Map<string, string[]>();
  for (const [address, body] of all) {
    for (const reference of referencesOf(body, known)) dependents.set(reference, [...(dependents.get(reference) ?? []), address]);
  }
  const result = new Set(roots);
  const queue = [...roots];
  while (queue.length) {
    for (const dependent of dependents.get(queue.pop()!) ?? []) {
      if (!result.has(dependent)) {
        result.add(dependent);
        queue.push(dependent);
      }
    }
  }
  return result;
}

export interface ApplyTargets {
  /** `-target` addresses: every resource except the rollout, sorted. */
  readonly targets: string[];
  /** The contract's resources the migration needs (checked to be among the targets). */
  readonly required: string[];
  /** What step 2 leaves to `cdktf deploy`: the services and what depends on them, sorted. */
  readonly deferred: string[];
}

/**
 * The `-target` addresses of the pre-rollout apply (see the module comment): every managed
 * resource except the contract's ECS services and their dependents. Throws a DeployError when the
 * stack lacks a resource the contract names, or a tag variable for a tag-mode service.
 */
export function findApplyTargets(stack: SynthesizedStack, contract: DeployContract, sources: ImageSources): ApplyTargets {
  const required: string[] = [];
  const built = SERVICE_KEYS.filter((key) => sources[key].source === "build");
  if (built.length) {
    const images = addresses(stack, "docker_registry_image");
    if (!images.length) {
      throw new DeployError(
        `${built.join(" and ")} ${built.length > 1 ? "are" : "is"} in build mode, but the synthesized stack has no docker_registry_image resource to build and push ${built.length > 1 ? "them" : "it"}.`,
      );
    }
    required.push(...images);
  }
  for (const { service } of taggedServices(sources)) {
    const variable = imageTagVariable(service);
    if (!stack.variable || !(variable in stack.variable)) {
      throw new DeployError(`The ${service} image comes from a tag, but the synthesized stack declares no Terraform variable "${variable}" to pass it in.`);
    }
  }
  required.push(exactlyOne(stack, "aws_ecs_task_definition", "family", contract.migration.taskFamily, "the migration task definition"));
  required.push(exactlyOne(stack, "aws_ecs_cluster", "name", contract.clusterName, "the cluster"));
  required.push(exactlyOne(stack, "aws_security_group", "name", contract.migration.securityGroupName, "the migration's security group"));
  const services = [
    ...SERVICE_KEYS.map((key) => exactlyOne(stack, "aws_ecs_service", "name", contract.services[key].serviceName, `the ${key} service`)),
    // Workers run the backend's image and schedules start tasks of its task definition (issue 14): both
    // must meet the migrated schema, so they roll out with the services, after the migration.
    ...Object.entries(contract.workers ?? {}).map(([name, worker]) => exactlyOne(stack, "aws_ecs_service", "name", worker.serviceName, `the worker "${name}"`)),
    ...Object.entries(contract.schedules ?? {}).map(([name, schedule]) => exactlyOne(stack, "aws_scheduler_schedule", "name", schedule, `the scheduled job "${name}"`)),
  ];

  const all = nodes(stack);
  const rollout = withDependents(all, services);
  const entangled = required.filter((address) => rollout.has(address));
  if (entangled.length) {
    throw new DeployError(`${entangled.join(", ")} depend${entangled.length === 1 ? "s" : ""} on an ECS service, so it cannot be applied before the rollout; the migration needs it first.`);
  }
  const resources = [...all.keys()].filter((address) => !address.startsWith("data."));
  return {
    targets: resources.filter((address) => !rollout.has(address)).sort(),
    required,
    deferred: resources.filter((address) => rollout.has(address)).sort(),
  };
}

/** Addresses of the ECR repositories of the contract's services (for the first-deploy hint in tag mode). */
export function repositoryTargets(stack: SynthesizedStack, contract: DeployContract): string[] {
  const names = new Set(SERVICE_KEYS.map((key) => contract.services[key].repositoryName));
  return addresses(stack, "aws_ecr_repository", (body) => typeof body.name === "string" && names.has(body.name));
}
