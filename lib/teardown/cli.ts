/** Command line of `npm run destroy` (commander). A bad command line is a UsageError (exit 2). */
import { Command, CommanderError } from "commander";
import { UsageError } from "../deploy/errors";

export const DESTROY_USAGE = "npm run destroy -- <environment> [--yes] [--allow-protected <environment>]";

export interface DestroyArgs {
  readonly environment: string;
  readonly yes: boolean;
  readonly allowProtected?: string;
}

/** Parses the arguments; undefined when --help was printed. */
export function parseDestroyArgs(argv: readonly string[], environments: readonly string[], out: (text: string) => void): DestroyArgs | undefined {
  const program = new Command("npm run destroy --")
    .usage("<environment> [options]")
    .description("Tear an environment down: destroy plan through the review gate, confirmation, destroy, and a report of what is left.")
    .argument("[environment]", `the environment to destroy: ${environments.join(", ")}`)
    .option("--yes", "do not ask for confirmation (CI)", false)
    .option("--allow-protected <environment>", "destroy an environment whose config keeps data on destroy (its protection must be lifted in config first)")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .helpOption("-h, --help", "show this help");
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return undefined;
      throw new UsageError(`${error.message.replace(/^error: /, "")} (usage: ${DESTROY_USAGE})`);
    }
    throw error;
  }
  const environment = program.args[0];
  if (!environment || !environments.includes(environment)) {
    throw new UsageError(`${environment ? `unknown environment "${environment}"` : "missing the environment"} (usage: ${DESTROY_USAGE}); valid environments: ${environments.join(", ")}`);
  }
  const opts = program.opts<{ yes: boolean; allowProtected?: string }>();
  return { environment, yes: opts.yes, allowProtected: opts.allowProtected };
}
