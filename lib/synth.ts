/**
 * Building and synthesizing the app: what `main.ts` (so `cdktf synth`), the preview and the test
 * harness run.
 *
 * Guardrails hold whatever the environment says. CDKTF lets `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`
 * turn error annotations into a no-op, and `cdktf synth` itself always sets it (the CLI then reads the
 * manifest). Run directly (`node --require tsx/cjs main.ts`), that would synthesize a production
 * database without Multi-AZ with exit 0. So synth reads the annotations itself and fails on any
 * error, with its own message: CDKTF's hint to set that variable never reaches the user.
 *
 * Synth skips two costs it does not need:
 *  - cdktf captures a full stack trace for every token it creates. Under tsx (and any loader that
 *    turns on Node's source-map support) each capture is translated through the source maps of
 *    every frame: about half of the app's synth time. Translation and formatting are switched off
 *    while the app is built and synthesized, and back on before an unexpected error leaves, so its
 *    stack (formatted lazily, on first read) still points at TypeScript lines.
 *  - `App({ stackTraces: false })`: no construct stack traces in manifest.json. They are never read
 *    by `cdktf synth | diff | deploy`, and they carry absolute paths of this machine.
 */
import { AnnotationMetadataEntryType, App } from "cdktf";
import type { IConstruct } from "constructs";
import { ConfigError, loadEnvironments } from "../config";
import type { EnvironmentConfig } from "../config/schema";
import { PropsError } from "../constructs/core/errors";
import { isGuardrailFailure } from "../constructs/rules";
import { buildApp } from "../stacks/app";

/** Runs `fn` with stack-trace source mapping and formatting off, restoring both afterwards. */
export function withoutSourceMaps<T>(fn: () => T): T {
  const previous = process.sourceMapsEnabled;
  const prepare = Error.prepareStackTrace;
  process.setSourceMapsEnabled(false);
  // cdktf keeps token creation stacks only for its own error messages; formatting them is the rest of the cost.
  Error.prepareStackTrace = () => "";
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = prepare;
    process.setSourceMapsEnabled(previous);
  }
}

/** Every error annotation in the app, as `[construct path] message`. */
export function errorAnnotations(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR).map((m) => `[${c.node.path}] ${m.data}`));
}

/** The report printed when guardrails stop synth: every violation, and the two ways out. */
export function guardrailReport(errors: readonly string[]): string {
  return [
    `Guardrails refused the configuration (${errors.length} problem${errors.length === 1 ? "" : "s"}):`,
    ...errors.map((e) => `  - ${e}`),
    "",
    'Fix each problem above, or waive a rule for a resource with a written reason in config guardrails.waivers (README "Guardrails"). Guardrails cannot be switched off.',
  ].join("\n");
}

/** Synth stopped by error annotations; the message is `guardrailReport`. */
export class GuardrailError extends Error {
  override readonly name: string = "GuardrailError";
}

/**
 * `app.synth()`, then refuse any error annotation, whether or not CDKTF was told to continue.
 *
 * @throws GuardrailError listing every violation (without CDKTF's hint to switch them off).
 */
export function synthOrRefuse(app: App): void {
  try {
    app.synth();
  } catch (error) {
    // CDKTF's own refusal (with its hint); the annotations below say the same without it.
    if (!isGuardrailFailure(error)) throw error;
  }
  const errors = errorAnnotations(app);
  if (errors.length) throw new GuardrailError(guardrailReport(errors));
}

/**
 * Builds every stack of `environments` into a new App and synthesizes it into `outdir` (cdktf's
 * default, `CDKTF_OUTDIR` or cdktf.out, when unset).
 *
 * @throws GuardrailError when a guardrail refuses the configuration.
 */
export function synthApp(environments: readonly EnvironmentConfig[], outdir?: string): App {
  return withoutSourceMaps(() => {
    const app = new App({ stackTraces: false, ...(outdir ? { outdir } : {}) });
    buildApp(app, environments);
    synthOrRefuse(app);
    return app;
  });
}

/** A mistake the user fixes in config (its message says what to change): printed without a stack trace. */
export function isConfigurationError(error: unknown): boolean {
  return error instanceof ConfigError || error instanceof PropsError || error instanceof GuardrailError;
}

export interface SynthResult {
  readonly exitCode: number;
  /** What was printed to stderr (empty on success). */
  readonly message: string;
}

/** Loads, builds and synthesizes every environment of `inputs`; never throws for a configuration mistake. */
export function synthesize(inputs: readonly unknown[], options: { readonly outdir?: string } = {}): SynthResult {
  try {
    synthApp(loadEnvironments(inputs), options.outdir);
    return { exitCode: 0, message: "" };
  } catch (error) {
    // A configuration mistake or a guardrail violation: the message says what to change; a stack trace would only hide it.
    if (isConfigurationError(error)) return { exitCode: 1, message: (error as Error).message };
    throw error;
  }
}
