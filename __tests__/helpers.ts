import { App, Testing } from "cdktf";
import { environments, loadEnvironments, type EnvironmentInput } from "../config";
import { production } from "../config/production";
import { staging } from "../config/staging";
import { buildApp } from "../stacks/app";
import type { BootstrapStack } from "../stacks/bootstrap-stack";
import type { EnvironmentStack } from "../stacks/environment-stack";

export { production, staging };

export type Synth = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  terraform: Record<string, any>;
  provider: Record<string, any>;
};

/** Builds the app from the given environment inputs (default: the shipped ones). */
export function buildStacks(inputs: readonly EnvironmentInput[] = environments): { bootstrap: BootstrapStack; environments: EnvironmentStack[] } {
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
