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
const bin = (name) => join(root, "node_modules", ".bin", name);
const LOW_PRIORITY = 10;

const typecheck = spawn(bin("tsc"), ["--noEmit", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/tsc/tsbuildinfo"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
try {
  setPriority(typecheck.pid, LOW_PRIORITY);
} catch {
  // Not allowed here (some containers): the type check then runs at normal priority; only slower.
}
let typecheckOutput = "";
typecheck.stdout.on("data", (chunk) => (typecheckOutput += chunk));
typecheck.stderr.on("data", (chunk) => (typecheckOutput += chunk));
const typecheckDone = new Promise((done) => typecheck.on("close", (code) => done(code)));

const jest = spawn(bin("jest"), process.argv.slice(2), { cwd: root, stdio: "inherit" });
jest.on("close", async (jestCode, signal) => {
  const typecheckCode = await typecheckDone;
  if (typecheckCode !== 0) process.stderr.write(`\nType check (npm run typecheck) failed:\n${typecheckOutput}\n`);
  process.exit(typecheckCode !== 0 ? 1 : (jestCode ?? (signal ? 1 : 0)));
});
