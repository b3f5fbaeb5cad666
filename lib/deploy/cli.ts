/**
 * Command lines of `npm run deploy` and `npm run exec` (commander). Parsing never exits the
 * process: a bad command line is a UsageError with one clear line (the scripts exit 2).
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { SERVICE_KEYS, type ServiceKey } from "../../stacks/deploy-contract";
import { checkTagFormat } from "./images";
import { UsageError } from "./errors";
import { DEFAULT_EXEC_COMMAND } from "./exec";

export interface DeployArgs {
  readonly environment: string;
  readonly backendTag?: string;
  readonly frontendTag?: string;
  readonly skipMigrations: boolean;
  readonly migrationTimeoutMinutes: number;
  readonly rolloutTimeoutMinutes: number;
  /** Addresses the plan review gate may let through (`--allow`, repeatable). */
  readonly allow: readonly string[];
}

export interface ExecArgs {
  readonly environment: string;
  readonly service: ServiceKey;
  readonly command: string;
  readonly container?: string;
}

/** What parsing asked for: run with these arguments, or help was printed (exit 0). */
export type Parsed<T> = { readonly kind: "run"; readonly args: T } | { readonly kind: "help" };

function positiveMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new InvalidArgumentError("must be a positive number of minutes.");
  return minutes;
}

/** Runs commander without letting it exit or print errors; its errors become one-line UsageErrors. */
function parseWith(program: Command, argv: readonly string[], usage: string, out: (text: string) => void): boolean {
  program
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .helpOption("-h, --help", "show this help");
  try {
    program.parse([...argv], { from: "user" });
    return true;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return false; // --help (or --version) was printed
      throw new UsageError(`${error.message.replace(/^error: /, "")} (usage: ${usage}; --help for all options)`);
    }
    throw error;
  }
}

function checkEnvironment(environment: string | undefined, environments: readonly string[], usage: string): string {
  if (!environment) throw new UsageError(`missing the environment (usage: ${usage}); valid environments: ${environments.join(", ")}`);
  if (!environments.includes(environment)) throw new UsageError(`unknown environment "${environment}"; valid environments: ${environments.join(", ")}`);
  return environment;
}

export const DEPLOY_USAGE = "npm run deploy -- <environment> [options]";

/** Parses `npm run deploy -- <environment> [--backend-tag T] [--frontend-tag T] [--skip-migrations] [--migration-timeout M] [--rollout-timeout M]`. */
export function parseDeployArgs(argv: readonly string[], environments: readonly string[], out: (text: string) => void): Parsed<DeployArgs> {
  const program = new Command("npm run deploy --")
    .usage("<environment> [options]")
    .description(
      "Safe rollout of one environment: synth, pre-rollout apply (images / tag check, migration task definition), " +
        "database migrations, plan + review + apply of exactly the reviewed plan, wait for the services to be stable.",
    )
    .argument("[environment]", `the environment to deploy: ${environments.join(", ")}`)
    .option("--backend-tag <tag>", "backend image tag to deploy (tag mode; default: services.backend.image.tag from config)")
    .option("--frontend-tag <tag>", "frontend image tag to deploy (tag mode; default: services.frontend.image.tag from config)")
    .option("--skip-migrations", "do not run the migration task before the rollout (the new code meets the old schema)", false)
    .option("--migration-timeout <minutes>", "how long to wait for the migration task to stop", positiveMinutes, 30)
    .option("--rollout-timeout <minutes>", "how long to wait for both services to be stable", positiveMinutes, 30)
    .option("--allow <address>", "let the plan review gate through this blocked change (repeatable; the review prints the address)", (value: string, previous: string[]) => [...previous, value], [] as string[]);
  if (!parseWith(program, argv, DEPLOY_USAGE, out)) return { kind: "help" };
  const environment = checkEnvironment(program.args[0], environments, DEPLOY_USAGE);
  const opts = program.opts<{ backendTag?: string; frontendTag?: string; skipMigrations: boolean; migrationTimeout: number; rolloutTimeout: number; allow: string[] }>();
  if (opts.backendTag !== undefined) checkTagFormat("--backend-tag", opts.backendTag);
  if (opts.frontendTag !== undefined) checkTagFormat("--frontend-tag", opts.frontendTag);
  return {
    kind: "run",
    args: {
      environment,
      backendTag: opts.backendTag,
      frontendTag: opts.frontendTag,
      skipMigrations: opts.skipMigrations,
      migrationTimeoutMinutes: opts.migrationTimeout,
      rolloutTimeoutMinutes: opts.rolloutTimeout,
      allow: opts.allow,
    },
  };
}

export const EXEC_USAGE = `npm run exec -- <environment> <${SERVICE_KEYS.join("|")}> [--command CMD] [--container NAME]`;

/** Parses `npm run exec -- <environment> <service> [--command CMD] [--container NAME]`. */
export function parseExecArgs(argv: readonly string[], environments: readonly string[], out: (text: string) => void): Parsed<ExecArgs> {
  const program = new Command("npm run exec --")
    .usage(`<environment> <${SERVICE_KEYS.join("|")}> [options]`)
    .description("Open an interactive shell (ECS Exec) in a running task of a service.")
    .argument("[environment]", `the environment: ${environments.join(", ")}`)
    .argument("[service]", `the service: ${SERVICE_KEYS.join(", ")}`)
    .option("--command <command>", "the command to run in the container", DEFAULT_EXEC_COMMAND)
    .option("--container <name>", "the container to open it in (default: the service's application container)");
  if (!parseWith(program, argv, EXEC_USAGE, out)) return { kind: "help" };
  const environment = checkEnvironment(program.args[0], environments, EXEC_USAGE);
  const service = program.args[1];
  if (!service) throw new UsageError(`missing the service (usage: ${EXEC_USAGE}); valid services: ${SERVICE_KEYS.join(", ")}`);
  if (!(SERVICE_KEYS as readonly string[]).includes(service)) throw new UsageError(`unknown service "${service}"; valid services: ${SERVICE_KEYS.join(", ")}`);
  const opts = program.opts<{ command: string; container?: string }>();
  if (!opts.command.trim()) throw new UsageError(`--command must not be empty (default: ${DEFAULT_EXEC_COMMAND})`);
  if (opts.container !== undefined && !opts.container.trim()) throw new UsageError("--container must not be empty");
  return { kind: "run", args: { environment, service: service as ServiceKey, command: opts.command, container: opts.container } };
}

export interface TaskArgs {
  readonly environment: string;
  /** backend, frontend or worker-<name> (checked against the environment's config by runTask). */
  readonly service: string;
  readonly command: readonly string[];
  readonly timeoutMinutes: number;
}

export const TASK_USAGE = "npm run task -- <environment> <service> [--timeout M] -- <command...>";

/**
 * Parses `npm run task -- <environment> <service> [--timeout M] -- <command...>` (issue 14). Everything
 * after the first `--` is the command, word for word (npm removes the `--` before the environment).
 */
export function parseTaskArgs(argv: readonly string[], environments: readonly string[], out: (text: string) => void): Parsed<TaskArgs> {
  const split = argv.indexOf("--");
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  const program = new Command("npm run task --")
    .usage("<environment> <service> [options] -- <command...>")
    .description("Run a command in a fresh task of a service (its current task definition, network and secrets), print its logs, and exit with its exit code.")
    .argument("[environment]", `the environment: ${environments.join(", ")}`)
    .argument("[service]", "backend, frontend or worker-<name>")
    .option("--timeout <minutes>", "how long to wait for the task to stop (it keeps running after)", positiveMinutes, 60);
  if (!parseWith(program, own, TASK_USAGE, out)) return { kind: "help" };
  const environment = checkEnvironment(program.args[0], environments, TASK_USAGE);
  const service = program.args[1];
  if (!service) throw new UsageError(`missing the service (usage: ${TASK_USAGE}): backend, frontend or worker-<name>`);
  if (!command.length || !command[0].trim()) throw new UsageError(`missing the command after "--" (usage: ${TASK_USAGE}), e.g. npm run task -- ${environment} ${service} -- php artisan db:seed --force`);
  return { kind: "run", args: { environment, service, command, timeoutMinutes: program.opts<{ timeout: number }>().timeout } };
}
