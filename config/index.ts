import { production } from "./production";
import { staging } from "./staging";

export { ConfigError, loadEnvironment, loadEnvironments } from "./load";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";
export { project } from "./project";

/** Every environment the app deploys, in order. Add a new one here (README: "Adding an environment"). */
export const environments = [staging, production];
