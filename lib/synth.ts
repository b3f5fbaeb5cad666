/**
 * Synthesis without the two costs a synth does not need:
 *
 *  - cdktf captures a full stack trace for every token it creates. Under tsx (and any loader that
 *    turns on Node's source-map support) each capture is translated through the source maps of
 *    every frame: about half of the app's synth time. Translation is switched off while the app is
 *    built and synthesized, and switched back on before an unexpected error leaves, so its stack
 *    (formatted lazily, on first read) still points at TypeScript lines.
 *  - `App({ stackTraces: false })`: no construct stack traces in manifest.json. They are never read
 *    by `cdktf synth | diff | deploy`, and they carry absolute paths of this machine.
 */
import { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { buildApp } from "../stacks/app";

/** Runs `fn` with source-map translation of stack traces off, restoring the previous setting afterwards. */
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

/** Builds every stack of `environments` into a new App and synthesizes it into `outdir` (cdktf's default when unset). */
export function synthApp(environments: readonly EnvironmentConfig[], outdir?: string): App {
  return withoutSourceMaps(() => {
    const app = new App({ stackTraces: false, ...(outdir ? { outdir } : {}) });
    buildApp(app, environments);
    app.synth();
    return app;
  });
}
