/**
 * Checks of one validated environment that go beyond types and formats (README "What the
 * configuration check refuses"): secrets in plain variables, Terraform template sequences, AWS
 * combinations, values that a construct would refuse later under a construct id. Each problem is
 * `<setting>: got <value>; <what is wrong and what to do>`; `loadEnvironment` adds the environment.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { NAME_RULES, SHORT_NAME_COMPONENTS } from "../../constructs/core/naming";
import { PRESETS } from "../../constructs/compute/presets";
import type { EnvironmentConfig } from "../schema";
import { hasTemplateSequence, TEMPLATE_SAFE_SETTINGS } from "./interpolation";
import { redact, secretVariables } from "../../constructs/compute/secret-detection";

const show = (value: unknown) => JSON.stringify(value);

/** Tags the provider sets on every resource; a user tag with the same key would silently lose. */
export const PROJECT_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;
/** Image tags that name a moving target; ECR repositories here are immutable, so a second push fails. */
export const MUTABLE_LOOKING_TAGS = ["latest", "main", "master", "dev", "develop", "development", "staging", "stage", "production", "prod", "stable", "edge", "nightly", "head", "test", "current", "release"];
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Every string in `node` with its dotted path. */
function strings(node: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof node === "string") return [[path.join("."), node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

function secretProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const [key, service] of Object.entries(config.services)) {
    for (const { name, why } of secretVariables(service.environment)) {
      const secretName = `${config.project}/${config.name}/${name.toLowerCase().replace(/_/g, "-")}`;
      problems.push(
        `services.${key}.environment.${name}: got ${redact(service.environment[name])}; ${why}, and plain environment is visible to anyone who can read the task definition (T10). ` +
          `Move it to a secret: aws secretsmanager create-secret --name ${secretName} --secret-string '<value>', then set services.${key}.secrets.${name}: { secretsManager: "${secretName}" } and remove it from environment` +
          (why.startsWith("its value") ? "; it has been in your config, so rotate it" : ""),
      );
    }
  }
  return problems;
}

function templateProblems(config: EnvironmentConfig): string[] {
  return strings(config)
    .filter(([path, value]) => hasTemplateSequence(value) && !TEMPLATE_SAFE_SETTINGS.some((p) => p.test(path)))
    .map(([path, value]) => `${path}: got ${show(value)}; contains "\${" or "%{", which Terraform would read as an expression, and this setting cannot be escaped: remove the sequence`);
}

function tagProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config.tags)) {
    const at = `tags.${key === "" ? '""' : key}`;
    const reserved = PROJECT_TAG_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (key.trim() === "") problems.push(`tags: got the key ${show(key)}; a tag key must not be empty: give it a name such as "CostCenter"`);
    else if (key.length > 128) problems.push(`${at}: got a key of ${key.length} characters; AWS allows at most 128: shorten it`);
    else if (/^aws:/i.test(key)) problems.push(`${at}: got the key ${show(key)}; keys starting with "aws:" are reserved for AWS: rename it (e.g. without the prefix)`);
    else if (reserved) problems.push(`${at}: got the key ${show(key)}; the project sets ${reserved} on every resource itself (with ${PROJECT_TAG_KEYS.join(", ")}), so this tag would be silently replaced: use another key such as "Team" or remove it`);
    else if (!TAG_CHARS.test(key)) problems.push(`${at}: got the key ${show(key)}; tag keys may contain only letters, digits, spaces and _ . : / = + - @`);
    if (value.length > 256) problems.push(`${at}: got a value of ${value.length} characters; AWS allows at most 256: shorten it`);
    else if (!TAG_CHARS.test(value)) problems.push(`${at}: got ${show(value)}; tag values may contain only letters, digits, spaces and _ . : / = + - @`);
  }
  return problems;
}

/** True when a rolling deployment of `count` tasks can start a new task or stop an old one. */
function deploymentCanProgress(count: number, minHealthyPercent: number, maxPercent: number): boolean {
  if (count === 0) return true;
  return Math.floor((count * maxPercent) / 100) > count || Math.ceil((count * minHealthyPercent) / 100) < count;
}

function serviceProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const [key, svc] of Object.entries(config.services)) {
    const at = `services.${key}`;
    const preset = PRESETS[svc.framework];
    if (svc.fargateSpot && svc.cpuArchitecture === "ARM64") {
      problems.push(`${at}.fargateSpot: got true; Fargate Spot does not run ARM64 tasks and ${at}.cpuArchitecture is "ARM64": set fargateSpot: false, or cpuArchitecture: "X86_64" with an x86 image`);
    }
    const counts = [svc.desiredCount, ...(svc.autoscaling ? [svc.autoscaling.minCount, svc.autoscaling.maxCount] : [])];
    const stuck = counts.find((n) => !deploymentCanProgress(n, svc.minHealthyPercent, svc.maxPercent));
    if (stuck !== undefined) {
      problems.push(
        `${at}.minHealthyPercent / maxPercent: got ${svc.minHealthyPercent} / ${svc.maxPercent}; with ${stuck} task(s) a deployment can neither start a new task (maxPercent allows ${Math.floor((stuck * svc.maxPercent) / 100)}) nor stop an old one (minHealthyPercent keeps ${Math.ceil((stuck * svc.minHealthyPercent) / 100)}), so it never progresses: raise maxPercent (200 is the default) or lower minHealthyPercent`,
      );
    }
    if (svc.image.source === "tag" && MUTABLE_LOOKING_TAGS.includes(svc.image.tag.toLowerCase())) {
      problems.push(
        `${at}.image.tag: got ${show(svc.image.tag)}; the service's ECR repository has immutable tags, so a tag that names a moving target can be pushed once only and then never updated: use a version or a commit id such as "v1.4.2" or "3f2c1ab"`,
      );
    }
    if (svc.image.source === "build") {
      const context = resolve(svc.image.context);
      if (!existsSync(context) || !statSync(context).isDirectory()) {
        problems.push(`${at}.image.context: got ${show(svc.image.context)}; no such directory (${context}); give the build context directory relative to the project root`);
      } else if (!existsSync(join(context, svc.image.dockerfile))) {
        problems.push(
          `${at}.image.dockerfile: got ${show(svc.image.dockerfile)}; there is no ${svc.image.dockerfile} in the build context ${svc.image.context}: add one, or set image.dockerfile to its path relative to the context`,
        );
      }
    }
    const port = svc.environment.PORT;
    if (port !== undefined && port !== String(svc.containerPort)) {
      problems.push(`${at}.environment.PORT: got ${show(port)}; must equal ${at}.containerPort (${svc.containerPort}) or be left out: the port mapping, target group and security group all use containerPort (T8)`);
    }
    for (const [name, allowed] of Object.entries(preset.requiredValues)) {
      const value = svc.environment[name];
      if (value !== undefined && !allowed.includes(value)) {
        problems.push(`${at}.environment.${name}: got ${show(value)}; ${svc.framework} on this platform needs one of: ${allowed.join(", ")} (the preset sets ${allowed[0]}): remove the override`);
      }
    }
    const check = { ...preset.healthCheck, ...svc.healthCheck };
    if (check.timeoutSeconds >= check.intervalSeconds) {
      const from = (field: "timeoutSeconds" | "intervalSeconds") => (field in svc.healthCheck ? "" : `, the ${svc.framework} preset's default`);
      problems.push(
        `${at}.healthCheck.timeoutSeconds: got ${check.timeoutSeconds}${from("timeoutSeconds")}; must be less than ${at}.healthCheck.intervalSeconds (${check.intervalSeconds}${from("intervalSeconds")}): lower timeoutSeconds or raise intervalSeconds`,
      );
    }
    if (svc.healthCheck.matcher && (svc.healthCheck.matcher.match(/\d{3}/g) ?? []).some((code) => Number(code) < 200 || Number(code) > 499)) {
      problems.push(`${at}.healthCheck.matcher: got ${show(svc.healthCheck.matcher)}; the load balancer accepts codes from 200 to 499 only, e.g. "200" or "200-399"`);
    }
  }
  return problems;
}

function domainProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const seen = new Set([config.domain.name]);
  config.domain.alternativeNames.forEach((name, i) => {
    if (name === config.domain.name) problems.push(`domain.alternativeNames.${i}: got ${show(name)}; that is domain.name, which the certificate covers already: remove it`);
    else if (seen.has(name)) problems.push(`domain.alternativeNames.${i}: got ${show(name)}; listed twice: remove the repeat`);
    seen.add(name);
  });
  return problems;
}

function deliveryProblems(config: EnvironmentConfig): string[] {
  const from = config.delivery.deployFrom;
  if ("branch" in from && /^refs\//.test(from.branch)) {
    const short = from.branch.replace(/^refs\/(heads|tags)\//, "");
    return [`delivery.deployFrom.branch: got ${show(from.branch)}; give the branch name only: "${short}" (the trust policy builds "ref:refs/heads/${short}" itself)`];
  }
  return [];
}

function databaseProblems(config: EnvironmentConfig): string[] {
  const { allocatedStorageGiB: allocated, maxAllocatedStorageGiB: max } = config.database;
  const least = Math.ceil((allocated * 11) / 10);
  if (max >= least) return [];
  return [
    `database.maxAllocatedStorageGiB: got ${max}; RDS needs the storage autoscaling ceiling at least 10% above database.allocatedStorageGiB (${allocated}): set it to ${least} or more`,
  ];
}

/** Name-length problems, naming the settings the long name is built from. */
export function nameLengthProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const components = SHORT_NAME_COMPONENTS.map(([kind, component]) => {
    const service = component.split("-")[0] as "frontend" | "backend";
    return { kind, service, component: `${service}-${config.services[service]?.containerPort ?? component.split("-")[1]}` };
  });
  for (const { kind, service, component } of [{ kind: "loadBalancer" as const, service: undefined, component: "alb" }, ...components.filter((c) => c.kind !== "loadBalancer")]) {
    const name = `${config.project}-${config.name}-${component}`;
    const max = NAME_RULES[kind].maxLength;
    if (name.length <= max) continue;
    const port = service ? ` and services.${service}.containerPort (${config.services[service].containerPort})` : "";
    problems.push(
      `project + name: got ${show(config.project)} (${config.project.length} characters) + ${show(config.name)} (${config.name.length} characters); the ${kind === "loadBalancer" ? "load balancer" : "target group"} name "${name}" built from project, name${port} is ${name.length} characters and AWS allows ${max}: shorten project or name by ${name.length - max} character(s)${service ? `, or use a shorter services.${service}.containerPort` : ""}`,
    );
  }
  return problems;
}

/** Every problem with one validated environment. */
export function environmentProblems(config: EnvironmentConfig): string[] {
  return [
    ...secretProblems(config),
    ...templateProblems(config),
    ...tagProblems(config),
    ...serviceProblems(config),
    ...domainProblems(config),
    ...deliveryProblems(config),
    ...databaseProblems(config),
    ...nameLengthProblems(config),
  ];
}
