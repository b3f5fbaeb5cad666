/**
 * Runs the test files that read the shared Terraform run last: it is prepared in the background
 * while the other files run (__tests__/terraform/global-setup.ts), so they would only wait for it if
 * they went first. Within each part, jest's own order (slowest first, from the last run's timings).
 */
const Sequencer = require("@jest/test-sequencer").default;

/** Test files that read the shared run (under __tests__/). */
const READS_SHARED_RUN = require("./terraform/shared-run-files.json");

class SharedRunLastSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const last = (test) => READS_SHARED_RUN.some((file) => test.path.replace(/\\/g, "/").endsWith(`__tests__/${file}`));
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}

module.exports = SharedRunLastSequencer;
