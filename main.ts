/**
 * The CDKTF app (`cdktf synth | diff <env> | deploy <env>`): one stack per environment from
 * config/, plus the `bootstrap` stack for the state bucket. No other logic lives here.
 */
import { ConfigError, environments, loadEnvironments } from "./config";
import { PropsError } from "./constructs/errors";
import { isGuardrailFailure } from "./constructs/rules";
import { synthApp } from "./lib/synth";

try {
  synthApp(loadEnvironments(environments));
} catch (error) {
  if (error instanceof ConfigError || error instanceof PropsError || isGuardrailFailure(error)) {
    // A configuration mistake or a guardrail violation: the message says what to change; a stack trace would only hide it.
    console.error(`\n${(error as Error).message}\n`);
    process.exit(1);
  }
  throw error;
}
