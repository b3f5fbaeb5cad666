/**
 * The CDKTF app (`cdktf synth | diff <env> | deploy <env>`): one stack per environment from
 * config/, plus the `bootstrap` stack for the state bucket. No other logic lives here.
 */
import { App } from "cdktf";
import { ConfigError, environments, loadEnvironments } from "./config";
import { NameError } from "./constructs/naming";
import { buildApp } from "./stacks/app";

try {
  const app = new App();
  buildApp(app, loadEnvironments(environments));
  app.synth();
} catch (error) {
  if (error instanceof ConfigError || error instanceof NameError) {
    // A configuration mistake: the message says what to change; a stack trace would only hide it.
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
