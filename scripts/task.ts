/**
 * `npm run task -- <environment> <service> [--timeout M] -- <command...>`: a command in a fresh task
 * of a service, its logs printed, its exit code returned (docs/operations.md "One-off tasks").
 * Thin entry point: parse arguments, build the real clients, call lib/deploy.
 * Exit codes: the container's exit code, 1 when the task could not run, 2 bad command line.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { environments, loadEnvironments } from "../config";
import { deployContract } from "../stacks/deploy-contract";
import { parseTaskArgs } from "../lib/deploy/cli";
import { reportFailure } from "../lib/deploy/errors";
import { systemClock } from "../lib/deploy/progress";
import { DEFAULT_TASK_POLL, runTask } from "../lib/deploy/task";

// The pinned AWS SDK warns on every run that SDK releases from 2027 on will need Node 22: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const configs = loadEnvironments(environments);
  const parsed = parseTaskArgs(process.argv.slice(2), configs.map((c) => c.name), (text) => process.stdout.write(text));
  if (parsed.kind === "help") return 0;
  const { args } = parsed;
  const config = configs.find((c) => c.name === args.environment)!;
  return runTask(
    { contract: deployContract(config), service: args.service, command: args.command, poll: { ...DEFAULT_TASK_POLL, timeoutMs: args.timeoutMinutes * 60_000 } },
    {
      ecs: new ECSClient({ region: config.region }), // credentials: the SDK's default chain
      logs: new CloudWatchLogsClient({ region: config.region }),
      log: (line) => console.error(line),
      output: (line) => process.stdout.write(`${line}\n`),
      clock: systemClock,
    },
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportFailure(error, (text) => process.stderr.write(text))),
);
