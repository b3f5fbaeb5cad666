/**
 * Many offline plans in ONE Terraform run.
 *
 * Most of the cost of an offline plan is not the plan: it is starting the 700 MB AWS provider (about
 * 2.5 CPU-seconds, for `plan` and again for `show -json`). The test suite needs a dozen plans of
 * the same few stacks (from an empty state, over as-applied states, day-two variants), so the
 * batch makes each synthesized stack a module of one root configuration:
 * - the stack's provider block moves to the root as an aliased provider (identical configurations
 *   share one alias, so one provider process serves every plan of an environment);
 * - the stack's backend is dropped (the root has a local one) and its variables become module
 *   arguments; its outputs are re-exported by the root as `<entry>__<output>`;
 * - the states of the entries are merged into the root's state under `module.<entry>`.
 * One `plan -json` and one `show -json` then stand for all of them, and {@link planBatch} splits
 * the result back into one plan (the `show -json` shape, addresses without the module prefix) and
 * the diagnostics of each entry. A destroy batch returns each entry's errors instead.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AWS_PROVIDER_VERSION,
  OVERRIDE_FILE,
  TerraformError,
  run,
  terraformEnv,
  terraformInit,
  writeOfflineOverride,
  type HarnessOptions,
  type PlanJson,
  type ResourceChange,
} from "./terraform";

const AWS = "registry.terraform.io/hashicorp/aws";

/** One plan of the batch. */
export interface BatchEntry {
  /** Module name: lowercase letters, digits and underscores. */
  readonly id: string;
  /** A synthesized stack directory (`cdk.tf.json`). */
  readonly stackDir: string;
  /** The state to plan over (Terraform state format 4, root-module addresses). @default empty */
  readonly state?: { readonly resources?: readonly Record<string, unknown>[]; readonly outputs?: Record<string, { value: unknown }> };
  /** Values of the stack's variables (what `-var` would set). */
  readonly vars?: Readonly<Record<string, string | boolean>>;
  /** Extra override files for this entry (file name → content), e.g. data sources pointed at local files. */
  readonly overrides?: Readonly<Record<string, object>>;
  /** Files copied into the entry's module directory (name → source path), for paths the overrides name. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A diagnostic of `terraform plan -json`. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string };
}

export interface BatchPlan {
  /** Each entry's plan, as `terraform show -json` would print it for the stack alone. */
  readonly plans: Record<string, PlanJson>;
  /** Each entry's diagnostics (plan-time validation included); root-level ones under "". */
  readonly diagnostics: Record<string, Diagnostic[]>;
}

const ID = /^[a-z][a-z0-9_]*$/;

interface Prepared {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Writes the root configuration, the modules and the merged state into `root`, and runs `terraform init`.
 * Entries whose provider configurations are equal share one provider (one process); with
 * `withoutDefaultTags`, configurations that differ only in `default_tags` count as equal.
 */
async function prepare(root: string, entries: readonly BatchEntry[], options: HarnessOptions, withoutDefaultTags = false): Promise<Prepared> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const providers: Record<string, unknown>[] = [];
  const aliasOf = new Map<string, string>();
  const modules: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const resources: Record<string, unknown>[] = [];
  const stateOutputs: Record<string, unknown> = {};
  let terraformVersion = "1.11.0";
  for (const entry of entries) {
    if (!ID.test(entry.id)) throw new TerraformError(`batch entry id ${JSON.stringify(entry.id)} is not a module name (lowercase letters, digits, underscores)`);
    if (entry.id in modules) throw new TerraformError(`batch entry id ${entry.id} is used twice`);
    await writeOfflineOverride(entry.stackDir);
    const stack = JSON.parse(readFileSync(join(entry.stackDir, "cdk.tf.json"), "utf8"));
    const override = JSON.parse(readFileSync(join(entry.stackDir, OVERRIDE_FILE), "utf8"));
    const configured = stack.provider?.aws ?? [];
    if (configured.length !== 1 || configured[0].alias) {
      throw new TerraformError(`stack ${entry.stackDir} has ${configured.length} aws provider blocks (or an aliased one); the batch supports exactly one default aws provider per stack`);
    }
    // The stack's provider with the offline override merged in (a null there removes the setting).
    const provider = Object.fromEntries(Object.entries({ ...configured[0], ...(override.provider?.aws ?? {}) }).filter(([k, v]) => v !== null && !(withoutDefaultTags && k === "default_tags")));
    const key = JSON.stringify(provider);
    if (!aliasOf.has(key)) {
      aliasOf.set(key, `p${aliasOf.size}`);
      providers.push({ alias: aliasOf.get(key), ...provider });
    }
    const alias = aliasOf.get(key)!;

    const dir = join(root, "m", entry.id);
    mkdirSync(dir, { recursive: true });
    const { provider: _stackProvider, ...moduleStack } = stack;
    delete moduleStack.terraform?.backend;
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(moduleStack));
    const { provider: _p, terraform: _t, ...moduleOverride } = override;
    writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(moduleOverride));
    for (const [name, content] of Object.entries(entry.overrides ?? {})) writeFileSync(join(dir, name), JSON.stringify(content));
    for (const [name, source] of Object.entries(entry.files ?? {})) cpSync(source, join(dir, name));

    modules[entry.id] = { source: `./m/${entry.id}`, providers: { aws: `aws.${alias}` }, ...(entry.vars ?? {}) };
    for (const [name, output] of Object.entries((stack.output ?? {}) as Record<string, { sensitive?: boolean }>)) {
      outputs[`${entry.id}__${name}`] = { value: `\${module.${entry.id}.${name}}`, ...(output.sensitive ? { sensitive: true } : {}) };
    }
    for (const resource of entry.state?.resources ?? []) {
      resources.push({ ...resource, module: `module.${entry.id}`, provider: `provider["${AWS}"].${alias}` });
    }
    for (const [name, output] of Object.entries(entry.state?.outputs ?? {})) stateOutputs[`${entry.id}__${name}`] = output;
    terraformVersion = (entry.state as { terraform_version?: string } | undefined)?.terraform_version ?? terraformVersion;
  }
  writeFileSync(
    join(root, "main.tf.json"),
    JSON.stringify(
      {
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } }, backend: { local: { path: "batch.tfstate" } } },
        provider: { aws: providers },
        module: modules,
        ...(Object.keys(outputs).length ? { output: outputs } : {}),
      },
      null,
      1,
    ),
  );
  if (resources.length) {
    writeFileSync(
      join(root, "batch.tfstate"),
      JSON.stringify({ version: 4, terraform_version: terraformVersion, serial: 1, lineage: "offline-batch", outputs: stateOutputs, resources }),
    );
  }
  const env = terraformEnv(options, root);
  await terraformInit(root, options, env, []);
  return { root, env };
}

const PLAN_ARGS = ["-input=false", "-no-color", "-lock=false", "-refresh=false"];

function entryOfFilename(filename: string | undefined): string {
  return /^m\/([a-z0-9_]+)\//.exec(filename ?? "")?.[1] ?? "";
}

function entryOfAddress(address: string | undefined): string | undefined {
  return /^module\.([a-z0-9_]+)\./.exec(address ?? "")?.[1];
}

/** Diagnostics of a `plan -json` event stream, by entry. */
function diagnosticsOf(stream: string, ids: readonly string[]): Record<string, Diagnostic[]> {
  const byEntry: Record<string, Diagnostic[]> = Object.fromEntries([...ids, ""].map((id) => [id, []]));
  for (const line of stream.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line);
    if (event.type !== "diagnostic") continue;
    const d = event.diagnostic as Diagnostic;
    const id = entryOfAddress(d.address) ?? entryOfFilename(d.range?.filename);
    (byEntry[id] ??= []).push(d);
  }
  return byEntry;
}

function strip(address: string, id: string): string {
  return address.slice(`module.${id}.`.length);
}

/** The part of the root's plan that belongs to one entry, shaped as the stack's own plan. */
function planOf(plan: PlanJson & { planned_values: { root_module: { child_modules?: { address: string; resources?: { address: string }[] }[] } } }, id: string): PlanJson {
  const module = `module.${id}`;
  const child = plan.planned_values.root_module.child_modules?.find((m) => m.address === module);
  const calls = (plan.configuration as { root_module?: { module_calls?: Record<string, { module: unknown }> } }).root_module?.module_calls ?? {};
  const prefix = `${id}__`;
  return {
    format_version: plan.format_version,
    terraform_version: plan.terraform_version,
    planned_values: { root_module: { resources: (child?.resources ?? []).map((r) => ({ ...r, address: strip(r.address, id) })) as PlanJson["planned_values"]["root_module"]["resources"] } },
    resource_changes: (plan.resource_changes ?? [])
      .filter((c) => c.module_address === module)
      .map(({ module_address: _m, ...c }) => ({ ...c, address: strip(c.address, id) }) as ResourceChange),
    configuration: { root_module: calls[id]?.module ?? {} },
    output_changes: Object.fromEntries(Object.entries(plan.output_changes ?? {}).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v])),
  };
}

/**
 * Plans every entry in one Terraform run under `root` (emptied first) and splits the result.
 * Fails with the error diagnostics when the plan fails.
 */
export async function planBatch(root: string, entries: readonly BatchEntry[], options: HarnessOptions): Promise<BatchPlan> {
  const { env } = await prepare(root, entries, options);
  const bin = options.terraformBin ?? "terraform";
  const ids = entries.map((e) => e.id);
  let stream: string;
  try {
    stream = await run(bin, ["plan", "-json", ...PLAN_ARGS, "-out=batch.tfplan"], root, env);
  } catch (error) {
    const text = (error as Error).message;
    const diagnostics = diagnosticsOf(text.slice(text.indexOf("\n") + 1), ids);
    const errors = Object.entries(diagnostics).flatMap(([id, ds]) => ds.filter((d) => d.severity === "error").map((d) => `${id || "(root)"}: ${d.summary}: ${d.detail ?? ""}`));
    throw new TerraformError(`terraform plan of the batch in ${root} failed:\n${errors.join("\n") || text}`);
  }
  const plan = JSON.parse(await run(bin, ["show", "-json", "batch.tfplan"], root, env));
  return { plans: Object.fromEntries(ids.map((id) => [id, planOf(plan, id)])), diagnostics: diagnosticsOf(stream, ids) };
}

/**
 * `terraform plan -destroy` of every entry in one run. Returns each entry's errors as text (empty
 * when its destroy would go ahead); this is how the tests prove `prevent_destroy` without AWS.
 */
export async function planDestroyBatch(root: string, entries: readonly BatchEntry[], options: HarnessOptions): Promise<Record<string, string>> {
  // What a destroy plan refuses does not depend on the tags added to every resource, so the entries
  // share one provider process instead of one per environment (each start is seconds of CPU).
  const { env } = await prepare(root, entries, options, true);
  const ids = entries.map((e) => e.id);
  let stream: string;
  try {
    stream = await run(options.terraformBin ?? "terraform", ["plan", "-destroy", "-json", ...PLAN_ARGS], root, env);
  } catch (error) {
    const text = (error as Error).message;
    stream = text.slice(text.indexOf("\n") + 1);
  }
  const diagnostics = diagnosticsOf(stream, ids);
  const rootErrors = diagnostics[""].filter((d) => d.severity === "error");
  if (rootErrors.length) throw new TerraformError(`terraform plan -destroy of the batch in ${root} failed outside its entries:\n${rootErrors.map((d) => `${d.summary}: ${d.detail ?? ""}`).join("\n")}`);
  return Object.fromEntries(
    ids.map((id) => [
      id,
      diagnostics[id]
        .filter((d) => d.severity === "error")
        .map((d) => `${d.summary}: ${d.detail ?? ""}${d.address ? ` (${strip(d.address, id)})` : ""}`)
        .join("\n"),
    ]),
  );
}
