/**
 * `npm run deploy -- <environment> [options]`: the safe rollout (README "Deploying").
 * Thin entry point: parse arguments, build the real AWS clients and runners, call lib/deploy.
 * Exit codes: 0 deployed, 1 a step failed, 2 bad command line.
 */
import { resolve } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { environments, loadEnvironments } from "../config";
import { SERVICE_KEYS, deployContract } from "../stacks/deploy-contract";
import { deployedImageTags } from "./ci";
import { parseDeployArgs } from "../lib/deploy/cli";
import { DEFAULT_MIGRATION_POLL, DEFAULT_ROLLOUT_POLL, deploy } from "../lib/deploy/deploy";
import { reportFailure } from "../lib/deploy/errors";
import { applyTagOverrides, imageSourcesOf } from "../lib/deploy/images";
import { captureCommand, runCommand } from "../lib/deploy/process";
import { systemClock } from "../lib/deploy/progress";

// The pinned AWS SDK warns on every run that SDK releases from 2027 on will need Node 22; that
// says nothing about the pinned version, so it is only noise in the middle of a deploy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const configs = loadEnvironments(environments);
  const parsed = parseDeployArgs(process.argv.slice(2), configs.map((c) => c.name), (text) => process.stdout.write(text));
  if (parsed.kind === "help") return 0;
  const { args } = parsed;
  const config = configs.find((c) => c.name === args.environment)!;
  const contract = deployContract(config);
  const sources = applyTagOverrides(imageSourcesOf(config), { backend: args.backendTag, frontend: args.frontendTag });
  const projectDir = resolve(__dirname, "..");
  const region = config.region; // credentials: the SDK's default chain
  await deploy(
    {
      contract,
      sources,
      projectDir,
      stackDir: resolve(projectDir, "cdktf.out", "stacks", config.name),
      terraformBin: process.env.TERRAFORM_BIN || "terraform",
      skipMigrations: args.skipMigrations,
      migrationPoll: { ...DEFAULT_MIGRATION_POLL, timeoutMs: args.migrationTimeoutMinutes * 60_000 },
      rolloutPoll: { ...DEFAULT_ROLLOUT_POLL, timeoutMs: args.rolloutTimeoutMinutes * 60_000 },
      allow: args.allow,
      // The running image is the default: a service without --<service>-tag keeps the tag it runs.
      runningImages: {
        explicit: SERVICE_KEYS.filter((key) => (key === "backend" ? args.backendTag : args.frontendTag) !== undefined),
        runningTags: (state) => deployedImageTags(config, state),
      },
    },
    {
      ecs: new ECSClient({ region }),
      ec2: new EC2Client({ region }),
      ecr: new ECRClient({ region }),
      run: runCommand,
      capture: captureCommand,
      log: (line) => console.log(line),
      clock: systemClock,
    },
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportFailure(error, (text) => process.stderr.write(text))),
);
