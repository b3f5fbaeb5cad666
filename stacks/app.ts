import type { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { BootstrapStack } from "./bootstrap-stack";
import { EnvironmentStack } from "./environment-stack";

/**
 * Adds every stack to `app`: the bootstrap stack (state bucket, GitHub Actions roles) and one stack
 * per environment. The shared settings (project, state bucket, repository) come from the first
 * environment; the config loader has already checked that every environment agrees on them.
 */
export function buildApp(app: App, environments: readonly EnvironmentConfig[]): { bootstrap: BootstrapStack; environments: EnvironmentStack[] } {
  const [first] = environments;
  if (!first) throw new Error("buildApp: no environments configured (config/index.ts)");
  return {
    bootstrap: new BootstrapStack(app, { project: first.project, state: first.state, github: first.github, environments, waivers: first.bootstrap.guardrails.waivers }),
    environments: environments.map((config) => new EnvironmentStack(app, config)),
  };
}
