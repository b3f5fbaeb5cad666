/**
 * The CDKTF app (`cdktf synth | diff <env> | deploy <env>`): one stack per environment from
 * config/, plus the `bootstrap` stack for the state bucket. No other logic lives here
 * (lib/synth.ts: guardrails hold even when CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is set).
 */
import { environments } from "./config";
import { synthesize } from "./lib/synth";

const { exitCode, message } = synthesize(environments);
if (message) console.error(`\n${message}\n`);
process.exitCode = exitCode;
