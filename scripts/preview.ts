/**
 * `npm run preview`: the main job. Synthesizes every stack, then runs `terraform validate` and an
 * offline `terraform plan` for each through the real AWS provider (no AWS account needed), and
 * prints a short summary per stack. Plans are kept in .preview/stacks/<stack>/offline.tfplan.
 *
 * .preview is separate from cdktf.out on purpose: the offline override (local state, fake keys)
 * must never sit next to a stack that `cdktf deploy` runs.
 */
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, environments, loadEnvironments } from "../config";
import { stateKey } from "../constructs/state-backend";
import { PropsError } from "../constructs/errors";
import { supportWarning } from "../constructs/mysql-versions";
import { isGuardrailFailure } from "../constructs/rules";
import { checkTerraform, harnessOptionsFromEnv, planAll, type StackResult } from "../lib/terraform";

/** Guardrail waivers recorded in the synthesized stack (rule, resource, reason). */
function waiversOf(result: StackResult): { rule: string; resource: string; reason: string }[] {
  return JSON.parse(readFileSync(join(result.dir, "cdk.tf.json"), "utf8"))["//"]?.guardrail_waivers ?? [];
}

function summarize(result: StackResult, backend: string): string {
  const changes = (result.plan.resource_changes ?? []).filter((c) => c.mode === "managed");
  const counts = new Map<string, number>();
  for (const change of changes) {
    const key = `${change.change.actions.join("+")} ${change.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const creates = changes.filter((c) => c.change.actions.join() === "create").length;
  const width = Math.max(...[...counts.keys()].map((k) => k.length));
  const lines = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `    ${key.padEnd(width)}  ${n}`);
  const waivers = waiversOf(result);
  return [
    `== ${result.stack}`,
    `  state:    ${backend}`,
    `  validate: ok (${result.validate.warning_count} warnings)`,
    `  plan:     ${creates} to create, ${changes.length - creates} other changes (init ${result.seconds.init.toFixed(1)}s, validate ${result.seconds.validate.toFixed(1)}s, plan ${result.seconds.plan.toFixed(1)}s)`,
    ...lines,
    `  guardrails: every rule passes${waivers.length ? `, except ${waivers.length} waived:` : ""}`,
    ...waivers.map((w) => `    ${w.rule.padEnd(7)} ${w.resource}: ${w.reason}`),
  ].join("\n");
}

async function main(): Promise<void> {
  const configs = loadEnvironments(environments);
  const options = harnessOptionsFromEnv();
  const version = checkTerraform(options);
  console.log(`Offline preview with Terraform ${version}; AWS provider from ${options.providerMirror ? `mirror ${options.providerMirror}` : "the registry"}.`);
  const outdir = resolve(".preview");
  rmSync(outdir, { recursive: true, force: true });
  const results = await planAll(options, outdir);
  const state = configs[0].state;
  for (const result of results) {
    const backend =
      result.stack === "bootstrap"
        ? "local file terraform.bootstrap.tfstate (creates the state bucket)"
        : `s3://${state.bucket}/${stateKey(configs[0].project, result.stack)} (${state.region}, encrypted, use_lockfile)`;
    console.log(`\n${summarize(result, backend)}`);
  }
  console.log(`\nAll ${results.length} stacks validate and plan offline. Plans: ${outdir}/stacks/<stack>/offline.tfplan`);
  // Support dates depend on today, so they are a warning here, never a synth result (synth stays deterministic).
  const warnings = configs.map((c) => supportWarning(c.name, c.database.engineVersion, c.database.engineLifecycleSupport, new Date())).filter((w): w is string => !!w);
  for (const warning of warnings) console.warn(`\nWARNING ${warning}`);
}

main().catch((error: Error) => {
  const known = error instanceof ConfigError || error instanceof PropsError || isGuardrailFailure(error) || error.name === "TerraformError";
  console.error(known ? `\n${error.message}\n` : error);
  process.exit(1);
});
