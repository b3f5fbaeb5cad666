/**
 * What `main.ts` runs: validate the configuration, build the app, synthesize, and refuse any
 * error annotation (a guardrail violation, a stale waiver) whatever the environment says.
 *
 * CDKTF lets `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` turn error annotations into a no-op, and
 * `cdktf synth` itself always sets it (the CLI then reads the manifest). Run directly
 * (`npx tsx main.ts`), that would synthesize a production database without Multi-AZ with exit 0.
 * So the entry reads the annotations itself after synth and fails on any error, with its own
 * message: CDKTF's hint to set that variable never reaches the user.
 */
import { AnnotationMetadataEntryType, App } from "cdktf";
import type { IConstruct } from "constructs";
import { ConfigError, loadEnvironments } from "../config";
import { PropsError } from "../constructs/errors";
import { isGuardrailFailure } from "../constructs/rules";
import { buildApp } from "../stacks/app";

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

export interface SynthResult {
  readonly exitCode: number;
  /** What was printed to stderr (empty on success). */
  readonly message: string;
}

/** Builds and synthesizes every environment of `inputs`; never throws for a configuration mistake. */
export function synthesize(inputs: readonly unknown[], options: { readonly outdir?: string } = {}): SynthResult {
  try {
    const app = new App(options.outdir ? { outdir: options.outdir } : {});
    buildApp(app, loadEnvironments(inputs));
    synthOrRefuse(app);
    return { exitCode: 0, message: "" };
  } catch (error) {
    // A configuration mistake or a guardrail violation: the message says what to change; a stack trace would only hide it.
    if (error instanceof ConfigError || error instanceof PropsError || error instanceof GuardrailError) return { exitCode: 1, message: error.message };
    throw error;
  }
}
