/**
 * `npm run exec -- <environment> <backend|frontend> [--command CMD] [--container NAME]`:
 * an interactive ECS Exec shell in a running task (README "Shell into a running container").
 * Thin entry point: parse arguments, build the real ECS client and spawner, call lib/deploy.
 * Exit codes: the session's own exit code, 1 when no session could be opened, 2 bad command line.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { environments, loadEnvironments } from "../config";
import { deployContract } from "../stacks/deploy-contract";
import { parseExecArgs } from "../lib/deploy/cli";
import { reportFailure } from "../lib/deploy/errors";
import { openShell } from "../lib/deploy/exec";
import { isOnPath, spawnInteractive } from "../lib/deploy/process";

// The pinned AWS SDK warns on every run that SDK releases from 2027 on will need Node 22; that
// says nothing about the pinned version, so it is only noise in the middle of a deploy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const configs = loadEnvironments(environments);
  const parsed = parseExecArgs(process.argv.slice(2), configs.map((c) => c.name), (text) => process.stdout.write(text));
  if (parsed.kind === "help") return 0;
  const { args } = parsed;
  const config = configs.find((c) => c.name === args.environment)!;
  const pathVariable = process.env.PATH ?? "";
  const windowsExtensions = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE;.CMD;.BAT") : undefined;
  return openShell(
    { contract: deployContract(config), service: args.service, container: args.container, command: args.command },
    {
      ecs: new ECSClient({ region: config.region }), // credentials: the SDK's default chain
      isOnPath: (name) => isOnPath(name, pathVariable, windowsExtensions),
      spawn: spawnInteractive,
      log: (line) => console.error(line),
    },
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportFailure(error, (text) => process.stderr.write(text))),
);
