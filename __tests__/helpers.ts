import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { environments, loadEnvironments, type EnvironmentInput } from "../config";
import { production } from "../config/production";
import { staging } from "../config/staging";
import { buildApp } from "../stacks/app";
import type { BootstrapStack } from "../stacks/bootstrap-stack";
import type { EnvironmentStack } from "../stacks/environment-stack";

export { production, staging };

/** Staging with every optional part of issue 14 switched on: a cache, SES mail, Service Connect, an outbound rule. */
export const STAGING_WITH_EVERYTHING: EnvironmentInput = {
  ...staging,
  cache: { nodeType: "cache.t4g.small", nodes: 2, automaticFailover: true, multiAz: true, snapshotRetentionDays: 1 },
  mail: { provider: "ses", fromAddress: "no-reply@staging.example.com", mailFromSubdomain: "mail" },
  serviceConnect: { enabled: true },
  egress: { backend: [{ port: 587, to: { cidr: "203.0.113.0/24" }, reason: "SMTP submission to the newsletter relay" }] },
};

export type Synth = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  terraform: Record<string, any>;
  provider: Record<string, any>;
};

/** Builds the app from the given environment inputs (default: the shipped ones). */
export function buildStacks(inputs: readonly EnvironmentInput[] = environments): { bootstrap: BootstrapStack; bootstraps: BootstrapStack[]; environments: EnvironmentStack[] } {
  const app = Testing.app();
  return buildApp(app as App, loadEnvironments(inputs));
}

/** The synthesized stack as a string (for cdktf matchers) and parsed. */
export function synth(stack: EnvironmentStack | BootstrapStack): { text: string; json: Synth } {
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) };
}

/** Synthesizes one environment from its input. */
export function synthEnvironment(input: EnvironmentInput): { stack: EnvironmentStack; text: string; json: Synth } {
  const stack = buildStacks([input]).environments[0];
  return { stack, ...synth(stack) };
}

/** All resources of a type, keyed by logical id. */
export function resources(json: Synth, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

export function resourceList(json: Synth, type: string): Record<string, unknown>[] {
  return Object.values(resources(json, type));
}

/** A container definition as ECS receives it (decoded from the task definition's JSON string). */
export interface ContainerDefinition {
  name: string;
  image: string;
  command?: string[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  portMappings?: { containerPort: number; protocol: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  linuxParameters?: { initProcessEnabled: boolean };
}

/** The task definition of `family` and its decoded container definitions. */
export function taskDefinition(json: Synth, family: string): { task: Record<string, unknown>; containers: ContainerDefinition[] } {
  const task = resourceList(json, "aws_ecs_task_definition").find((t) => t.family === family);
  if (!task) throw new Error(`no task definition with family ${family}`);
  return { task, containers: JSON.parse(task.container_definitions as string) };
}

/** Environment of a container as a plain object. */
export function environmentOf(container: ContainerDefinition): Record<string, string> {
  return Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
}

/** The IAM policy document data source whose id contains `idPart`. */
export function policyDocument(json: Synth, idPart: string): { statement: Record<string, any>[] } {
  const entries = Object.entries(json.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.includes(idPart));
  if (entries.length !== 1) throw new Error(`expected one policy document matching ${idPart}, found ${entries.length}`);
  return entries[0][1] as { statement: Record<string, any>[] };
}

/** The logical id (`type.id` reference prefix) of the one resource of `type` matching `predicate`. */
export function idOf(json: Synth, type: string, predicate: (r: Record<string, unknown>) => boolean): string {
  const matches = Object.entries(resources(json, type)).filter(([, r]) => predicate(r));
  if (matches.length !== 1) throw new Error(`expected one ${type} matching, found ${matches.length}`);
  return `${type}.${matches[0][0]}`;
}

/**
 * Synthesizes like `cdktf synth` does: aspects, validations, error annotations (guardrail violations
 * throw) and the `//` metadata kept. Returns the stack's cdk.tf.json.
 */
export function fullSynth(stack: EnvironmentStack | BootstrapStack): Synth & Record<string, any> {
  const outdir = Testing.fullSynth(stack);
  return JSON.parse(readFileSync(join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}

/** The message of the error `fn` throws, checking its class; fails the test if nothing is thrown. */
export function messageOf(fn: () => unknown, type: abstract new (...args: any[]) => Error): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return (error as Error).message;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/**
 * The English documentation as one text: README.md, then every page of docs/ in name order. Tests
 * that check what is documented read this, so a section can move between pages without breaking them.
 */
export function englishDocs(): string {
  const root = join(__dirname, "..");
  const pages = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort();
  return [join(root, "README.md"), ...pages.map((p) => join(root, "docs", p))].map((file) => readFileSync(file, "utf8")).join("\n");
}
