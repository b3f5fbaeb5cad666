/**
 * The cdktf.json app command (what `cdktf synth | diff | deploy` run): main.ts, bundled.
 *
 * Loading the app through tsx costs more than building it: about 600 modules, each resolved,
 * read, transformed (or looked up in tsx's cache) and compiled with an inline source map. Here
 * esbuild bundles main.ts and everything it imports (cdktf and the provider classes included) into
 * one CommonJS file under node_modules/.cache, rebuilt only when one of its inputs changed (size
 * or modification time of every file the last build read, and package-lock.json), and node runs
 * that file. The output is the same synth: the bundle runs the same code.
 *
 * An unexpected error in the bundle would point at lines of the bundle, not of the TypeScript: the
 * app then runs once more through tsx (`node --require tsx/cjs main.ts`), whose error shows
 * TypeScript lines. Expected failures (bad config, guardrails) are reported by main.ts itself,
 * with exit code 1, and are not re-run.
 *
 * Plain JavaScript on purpose: it must start without a TypeScript loader.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const cacheDir = join(root, "node_modules", ".cache", "webapp-platform", "synth");
const bundle = join(cacheDir, "app.js");
const inputsFile = join(cacheDir, "inputs.json");
/** Marks an error the bundle did not handle, so the launcher knows to re-run through tsx. */
const UNEXPECTED = "webapp-platform: unexpected synth error";

/** `<size>:<mtime>` of a file, or undefined when it is gone. */
function signature(file) {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** True when the bundle exists and no file it was built from has changed since. */
function fresh() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsFile, "utf8"));
  } catch {
    return false;
  }
  return signature(bundle) !== undefined && Object.entries(recorded).every(([file, sig]) => signature(join(root, file)) === sig);
}

/** Bundles main.ts with esbuild; writes the bundle and its inputs atomically (two synths may race). */
function build() {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    metafile: true,
    outfile: bundle,
    logLevel: "error",
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), "package-lock.json"]) inputs[file] = signature(join(root, file));
  mkdirSync(cacheDir, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  writeFileSync(bundle + suffix, result.outputFiles[0].contents);
  writeFileSync(inputsFile + suffix, JSON.stringify(inputs));
  renameSync(bundle + suffix, bundle);
  renameSync(inputsFile + suffix, inputsFile);
}

if (!fresh()) build();
process.on("uncaughtException", (error) => {
  process.stderr.write(`${UNEXPECTED} (${error && error.message ? error.message.split("\n")[0] : error}); running main.ts through tsx for TypeScript lines:\n`);
  const again = spawnSync(process.execPath, ["--require", "tsx/cjs", "main.ts"], { cwd: root, stdio: "inherit", env: process.env });
  process.exit(again.status ?? 1);
});
require(bundle);
