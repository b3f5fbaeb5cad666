/**
 * The cdktf.json app command (what `cdktf synth | diff | deploy` run): main.ts, bundled.
 *
 * Loading the app through tsx costs more than building it: about 600 modules, each resolved,
 * read, transformed (or looked up in tsx's cache) and compiled with an inline source map. Here
 * esbuild bundles main.ts and everything it imports (cdktf and the provider classes included) into
 * one CommonJS file under node_modules/.cache, rebuilt only when one of its inputs changed (size
 * and modification time of every file the last build read, of package-lock.json, tsconfig.json and
 * this file), and node runs that file. The output is the same synth: the bundle runs the same code.
 *
 * The bundle's name carries a hash of its inputs' signatures and `inputs.json` names the current
 * one; both are written before `inputs.json` is renamed into place, so two synths at once never pair
 * one build's bundle with another's inputs. A file changed while esbuild read it is recorded as
 * unknown, so the next synth builds again.
 *
 * An unexpected error in the bundle would point at lines of the bundle, not of the TypeScript: the
 * app then runs once more through tsx (`node --require tsx/cjs main.ts`), whose error shows
 * TypeScript lines. So does a bundle that cannot be built or written (a read-only node_modules).
 * Expected failures (bad config, guardrails) are reported by main.ts itself, with exit code 1, and
 * are not re-run.
 *
 * Plain JavaScript on purpose: it must start without a TypeScript loader.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const cacheDir = join(root, "node_modules", ".cache", "webapp-platform", "synth");
const inputsFile = join(cacheDir, "inputs.json");
/** Inputs of every build besides what esbuild reports reading. */
const ALWAYS = ["package-lock.json", "tsconfig.json", "scripts/synth-app.cjs"];

/** `<size>:<mtime>` of a file, or null when it is gone. */
function signature(file) {
  try {
    const s = statSync(join(root, file));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The bundle to run when it exists and no file it was built from has changed since; else undefined. */
function freshBundle() {
  try {
    const { bundle, inputs } = JSON.parse(readFileSync(inputsFile, "utf8"));
    const fresh = Object.entries(inputs).every(([file, sig]) => sig !== null && signature(file) === sig);
    return fresh && statSync(join(cacheDir, bundle)).isFile() ? join(cacheDir, bundle) : undefined;
  } catch {
    return undefined;
  }
}

/** Bundles main.ts with esbuild, records its inputs, removes older bundles; returns the bundle's path. */
function build() {
  const started = Date.now();
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    metafile: true,
    outfile: join(cacheDir, "app.js"),
    logLevel: "error",
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...ALWAYS]) {
    const sig = signature(file);
    // Changed while esbuild was reading it (or gone): unknown, so the next synth builds again.
    inputs[file] = sig !== null && Number(sig.split(":")[1]) < started ? sig : null;
  }
  const bundle = `app-${createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16)}.js`;
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `.${process.pid}.tmp`;
  writeFileSync(join(cacheDir, bundle + temporary), result.outputFiles[0].contents);
  renameSync(join(cacheDir, bundle + temporary), join(cacheDir, bundle));
  writeFileSync(inputsFile + temporary, JSON.stringify({ bundle, inputs }));
  renameSync(inputsFile + temporary, inputsFile);
  for (const old of readdirSync(cacheDir)) {
    if (/^app-[0-9a-f]+\.js$/.test(old) && old !== bundle) rmSync(join(cacheDir, old), { force: true });
  }
  return join(cacheDir, bundle);
}

/** main.ts through tsx, as it ran before the bundle: for TypeScript lines in an error, or when no bundle can be made. */
function throughTsx(reason) {
  process.stderr.write(`webapp-platform: ${reason}; running main.ts through tsx:\n`);
  const again = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), join(root, "main.ts")], { cwd: process.cwd(), stdio: "inherit", env: process.env });
  process.exit(again.status ?? 1);
}

let bundle;
try {
  bundle = freshBundle() ?? build();
} catch (error) {
  throughTsx(`the synth bundle could not be built or written (${String(error && error.message ? error.message.split("\n")[0] : error)})`);
}
process.on("uncaughtException", (error) => {
  throughTsx(`unexpected synth error (${error && error.message ? error.message.split("\n")[0] : error}), for TypeScript lines`);
});
require(bundle);
