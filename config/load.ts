import { z } from "zod";
import { environmentProblems } from "./checks";
import { crossEnvironmentProblems } from "./checks/cross-environment";
import { ourVoice } from "./checks/voice";
import { environmentSchema, type EnvironmentConfig } from "./schema";

/** A configuration that cannot be deployed; the message lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for environment "${environment}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), input);
}

function show(value: unknown): string {
  return value === undefined ? "nothing (the setting is missing)" : JSON.stringify(value);
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? `${issue.path.join(".")}.` : "";
    return issue.keys.map((k) => `${where}${k}: unknown setting; check its spelling against the README configuration reference`).join("\n  - ");
  }
  const setting = issue.path.join(".") || "(root)";
  if (issue.code === "invalid_key") {
    // A bad record key (e.g. a variable name): the nested issue says what keys are allowed.
    return `${setting}: the name ${JSON.stringify(issue.path.at(-1))} ${issue.issues[0]?.message ?? issue.message}`;
  }
  return `${setting}: got ${show(valueAt(input, issue.path))}; ${issue.message}`;
}

/**
 * Validates one environment's configuration and applies defaults.
 *
 * @throws ConfigError naming the environment, each bad setting, its value and what is allowed.
 */
export function loadEnvironment(input: unknown): EnvironmentConfig {
  const claimed = valueAt(input, ["name"]);
  const label = typeof claimed === "string" ? claimed : "(unnamed)";
  const parsed = environmentSchema.safeParse(input, { error: ourVoice });
  if (!parsed.success) {
    // A value of the wrong type gets one message: not also the length checks zod ran on it anyway.
    const wrongType = new Set(parsed.error.issues.filter((i) => i.code === "invalid_type").map((i) => i.path.join(".")));
    const issues = parsed.error.issues.filter((i) => i.code === "invalid_type" || !wrongType.has(i.path.join(".")));
    throw new ConfigError(label, issues.map((issue) => describeIssue(input, issue)));
  }
  const config = parsed.data;
  // Beyond types and formats: secrets, Terraform template sequences, AWS combinations, name lengths.
  const problems = environmentProblems(config);
  if (problems.length) throw new ConfigError(label, problems);
  return config;
}

/**
 * Validates every environment. Names must be unique and not `bootstrap` (each is a stack and a
 * state key); all environments share one project name and repository; environments share a state
 * bucket exactly when they share an account (one bucket per account).
 */
export function loadEnvironments(inputs: readonly unknown[]): EnvironmentConfig[] {
  const configs = inputs.map(loadEnvironment);
  const seen = new Set<string>(["bootstrap"]);
  const [first] = configs;
  for (const c of configs) {
    if (seen.has(c.name)) {
      throw new ConfigError(c.name, [`name: got "${c.name}"; must be unique and not "bootstrap" (each environment is a stack and a state key)`]);
    }
    seen.add(c.name);
    if (c.project !== first.project) {
      throw new ConfigError(c.name, [`project: got "${c.project}"; every environment must use the same project as "${first.name}" ("${first.project}")`]);
    }
    if (JSON.stringify(c.bootstrap) !== JSON.stringify(first.bootstrap)) {
      throw new ConfigError(c.name, [`bootstrap: differs from "${first.name}"; the bootstrap stack is shared: set it once in config/project.ts`]);
    }
    if (c.github.repository !== first.github.repository) {
      throw new ConfigError(c.name, [`github.repository: got "${c.github.repository}"; every environment must use the repository of "${first.name}" ("${first.github.repository}"); set it once in config/project.ts`]);
    }
  }
  // One state bucket per account (README "Separate AWS accounts per environment"): environments in one
  // account share its bucket; an environment in another account has its own bucket there.
  for (const [index, c] of configs.entries()) {
    const sameAccount = configs.find((o) => o.accountId === c.accountId)!;
    if (c.state.bucket !== sameAccount.state.bucket || c.state.region !== sameAccount.state.region) {
      throw new ConfigError(c.name, [
        `state: got ${JSON.stringify(c.state)}; environments in one account share its state bucket: use the state of "${sameAccount.name}" (${JSON.stringify(sameAccount.state)}), account ${c.accountId}`,
      ]);
    }
    const otherAccount = configs.slice(0, index).find((o) => o.accountId !== c.accountId && o.state.bucket === c.state.bucket);
    if (otherAccount) {
      throw new ConfigError(c.name, [
        `state.bucket: got "${c.state.bucket}", the bucket of "${otherAccount.name}" in account ${otherAccount.accountId}; an environment in its own account (${c.accountId}) keeps its state in a bucket of that account, so no role of one account reads another's state`,
      ]);
    }
  }
  // --- issue 12: promotion (delivery.promoteFrom, README "Promoting to production") stays in one account and region ---
  for (const c of configs) {
    const name = c.delivery.promoteFrom;
    const source = configs.find((o) => o.name === name);
    if (name !== undefined && (name === c.name || (source && (source.accountId !== c.accountId || source.region !== c.region)))) {
      throw new ConfigError(c.name, [
        `delivery.promoteFrom: got "${name}"${source && name !== c.name ? ` (account ${source.accountId}, ${source.region})` : ""}; must be another environment in this environment's account and region (${c.accountId}, ${c.region}): promotion across accounts or regions is not supported yet; leave promoteFrom out and CI builds this environment's images`,
      ]);
    }
  }
  const cross = crossEnvironmentProblems(configs);
  if (cross.length) throw new ConfigError(cross[0].environment, cross.filter((p) => p.environment === cross[0].environment).map((p) => p.problem));
  return configs;
}
