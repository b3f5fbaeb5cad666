/**
 * Records the last `npm run test:emulator` run (wall time per run and per file, results) where
 * `npm run bench` reads it: the emulator run takes minutes, so the bench reports the last one
 * instead of running it again.
 */
const { mkdirSync, readdirSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");

const RECORD = join(__dirname, "..", "node_modules", ".cache", "webapp-platform", "emulator-run.json");

class EmulatorTimingReporter {
  onRunStart() {
    this.started = Date.now();
  }
  onRunComplete(_contexts, results) {
    // Only a whole run is a figure for the budget: a run of some files (jest <file>) is not recorded.
    const files = readdirSync(join(__dirname, "emulator")).filter((f) => f.endsWith(".test.ts")).length;
    if (results.testResults.length < files) return;
    const record = {
      finishedAt: new Date().toISOString(),
      wallSeconds: Math.round((Date.now() - this.started) / 100) / 10,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      files: results.testResults.map((r) => ({ file: r.testFilePath.replace(/^.*__tests__\//, "__tests__/"), seconds: Math.round((r.perfStats.end - r.perfStats.start) / 100) / 10 })),
    };
    mkdirSync(dirname(RECORD), { recursive: true });
    writeFileSync(RECORD, JSON.stringify(record, null, 2));
  }
}
module.exports = EmulatorTimingReporter;
module.exports.RECORD = RECORD;
