/**
 * `npm test`: the type check (`npm run typecheck`, tsc --noEmit, its own process) and jest, started
 * together. Both are CPU-bound and the machine is usually the 2-core one; the type check runs at
 * low priority, like jest's workers (__tests__/setup.ts), so the shared Terraform run, the longest
 * path of a jest run, keeps the CPU it needs, and the type check fills what is left. Its output is
 * printed after jest's. The exit code is jest's, or 1 when the types do not check.
 *
 * Arguments go to jest (`npm test -- __tests__/core`). Plain JavaScript: no TypeScript loader needed.
 */
"use strict";
const { spawn } = require("node:child_process");
const { setPriority } = require("node:os");
const { join } = require("node:path");

const root = join(__dirname, "..");
const LOW_PRIORITY = 10;
/** A package's command run by this node (no shell, no .bin shim: the same on every OS). */
const node = (script, args, stdio) => spawn(process.execPath, [require.resolve(script), ...args], { cwd: root, stdio });
/** A child that cannot be started fails `npm test` with the reason, instead of crashing this script. */
const failed = (name) => (error) => {
  process.stderr.write(`npm test: could not start ${name}: ${error.message}\n`);
  process.exit(1);
};

// The same command as `npm run typecheck`; tsconfig.json makes it incremental.
const typecheck = node("typescript/bin/tsc", ["--noEmit"], ["ignore", "pipe", "pipe"]);
typecheck.on("error", failed("the type check"));
try {
  setPriority(typecheck.pid, LOW_PRIORITY);
} catch {
  // Not allowed here (some containers): the type check then runs at normal priority; only slower.
}
let typecheckOutput = "";
typecheck.stdout.on("data", (chunk) => (typecheckOutput += chunk));
typecheck.stderr.on("data", (chunk) => (typecheckOutput += chunk));
const typecheckDone = new Promise((done) => typecheck.on("close", (code) => done(code)));

const jest = node("jest/bin/jest", process.argv.slice(2), "inherit");
jest.on("error", failed("jest"));
jest.on("close", async (jestCode, signal) => {
  const typecheckCode = await typecheckDone;
  if (typecheckCode !== 0) process.stderr.write(`\nType check (npm run typecheck) failed:\n${typecheckOutput}\n`);
  process.exit(typecheckCode !== 0 ? 1 : (jestCode ?? (signal ? 1 : 0)));
});
