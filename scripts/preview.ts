/**
 * `npm run preview`: the main job. Synthesizes every stack, then runs an offline `terraform plan`
 * for each, in parallel, through the real AWS provider (no AWS account needed), and prints a short
 * summary per stack. A plan validates the configuration before planning it, so no separate
 * `terraform validate` is run (it would start the provider a second time). Plans are kept in
 * .preview/stacks/<stack>/offline.tfplan; each stack's init is kept and reused while its providers
 * and backend are unchanged.
 *
 * .preview is separate from cdktf.out on purpose: the offline override (local state, fake keys)
 * must never sit next to a stack that `cdktf deploy` runs.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { environments, loadEnvironments } from "../config";
import { stateKey } from "../constructs/data/state-backend";
import { supportWarning } from "../constructs/data/mysql-versions";
import { writeDiagrams } from "../lib/diagram";
import { isConfigurationError } from "../lib/synth";
import { checkTerraform, harnessOptionsFromEnv, previewAll, type PreviewResult } from "../lib/terraform";

/** Guardrail waivers recorded in the synthesized stack (rule, resource, reason). */
function waiversOf(result: PreviewResult): { rule: string; resource: string; reason: string }[] {
  return JSON.parse(readFileSync(join(result.dir, "cdk.tf.json"), "utf8"))["//"]?.guardrail_waivers ?? [];
}

function summarize(result: PreviewResult, backend: string): string {
  const counts = new Map<string, number>();
  for (const change of result.changes) {
    const key = `${change.action} ${change.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const creates = result.changes.filter((c) => c.action === "create").length;
  const width = Math.max(...[...counts.keys()].map((k) => k.length));
  const lines = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `    ${key.padEnd(width)}  ${n}`);
  const waivers = waiversOf(result);
  const init = result.seconds.init ? `init ${result.seconds.init.toFixed(1)}s` : "init reused";
  return [
    `== ${result.stack}`,
    `  state:    ${backend}`,
    `  plan:     valid, ${creates} to create, ${result.changes.length - creates} other changes (${init}, plan ${result.seconds.plan.toFixed(1)}s)`,
    ...result.warnings.map((w) => `  warning:  ${w}`),
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
  // Diagrams are drawn from the synthesized stacks while Terraform plans them: into the preview output and docs/diagrams.
  const results = await previewAll(options, outdir, async () => {
    for (const target of [join(outdir, "diagrams"), resolve("docs", "diagrams")]) await writeDiagrams(outdir, target);
  });
  for (const result of results) {
    const state = (configs.find((c) => c.name === result.stack) ?? configs[0]).state;
    const backend =
      result.stack.startsWith("bootstrap")
        ? `local file terraform.${result.stack}.tfstate (creates the state bucket)`
        : `s3://${state.bucket}/${stateKey(configs[0].project, result.stack)} (${state.region}, encrypted, use_lockfile)`;
    console.log(`\n${summarize(result, backend)}`);
  }
  console.log(`\nAll ${results.length} stacks plan offline. Plans: ${outdir}/stacks/<stack>/offline.tfplan`);
  console.log(`Diagrams: ${outdir}/diagrams/<env>.svg and .mmd (also docs/diagrams/)`);
  // Support dates depend on today, so they are a warning here, never a synth result (synth stays deterministic).
  const warnings = configs.map((c) => supportWarning(c.name, c.database.engineVersion, c.database.engineLifecycleSupport, new Date())).filter((w): w is string => !!w);
  for (const warning of warnings) console.warn(`\nWARNING ${warning}`);
}

main().catch((error: Error) => {
  const known = isConfigurationError(error) || error.name === "TerraformError";
  console.error(known ? `\n${error.message}\n` : error);
  process.exit(1);
});
