/**
 * `npm run destroy -- <environment> [--yes] [--allow-protected <environment>]` (README "Tearing down
 * an environment"). Thin entry point: arguments, real runners and AWS client, then lib/teardown.
 * Exit codes: 0 destroyed (or nothing to do), 1 refused or failed, 2 bad command line.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { BatchDeleteImageCommand, ECRClient, ListImagesCommand } from "@aws-sdk/client-ecr";
import { environments, loadEnvironments } from "../config";
import { DeployError, reportFailure } from "../lib/deploy/errors";
import { runCommand } from "../lib/deploy/process";
import { parseDestroyArgs } from "../lib/teardown/cli";
import { DestroyRefused, destroyEnvironment } from "../lib/teardown/destroy";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const configs = loadEnvironments(environments);
  const args = parseDestroyArgs(process.argv.slice(2), configs.map((c) => c.name), (text) => process.stdout.write(text));
  if (!args) return 0;
  const config = configs.find((c) => c.name === args.environment)!;
  const projectDir = resolve(__dirname, "..");
  const stackDir = resolve(projectDir, "cdktf.out", "stacks", config.name);
  const terraformBin = process.env.TERRAFORM_BIN || "terraform";
  const ecr = new ECRClient({ region: config.region });
  const result = await destroyEnvironment(
    { config, stackDir, yes: args.yes, allowProtected: args.allowProtected },
    {
      synth: () => runCommand("npx", ["cdktf", "synth"], { cwd: projectDir }),
      terraform: (tfArgs) =>
        new Promise((ok, fail) =>
          execFile(terraformBin, [...tfArgs], { cwd: stackDir, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) =>
            error ? fail(new DeployError(`terraform ${tfArgs.join(" ")} failed:\n${stderr || stdout}`)) : ok(stdout),
          ),
        ),
      variables: () => Object.keys(JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")).variable ?? {}),
      confirm: async (question, expected) => {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(question);
        rl.close();
        return answer.trim() === expected;
      },
      emptyRepository: async (repositoryName) => {
        const { imageIds } = await ecr.send(new ListImagesCommand({ repositoryName }));
        if (imageIds?.length) await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds }));
        return imageIds?.length ?? 0;
      },
      log: (line) => console.log(line),
    },
  );
  return result ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DestroyRefused) {
      process.stderr.write(`Refused: ${error.message}\n`);
      process.exit(1);
    }
    process.exit(reportFailure(error, (text) => process.stderr.write(text)));
  },
);
