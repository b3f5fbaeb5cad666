/**
 * `npm run test:emulator`: apply, re-plan and destroy against moto_server (README "How it is verified").
 * Its own project so `npm test` stays fast and needs no emulator.
 * @type {import('jest').Config}
 */
const base = require("./jest.config.js");
// The pinned AWS SDK warns that its 2027 releases need Node 22; noise in every test (as in scripts/deploy.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
module.exports = {
  ...base,
  roots: ["<rootDir>/__tests__/emulator"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  // The shared offline Terraform run of `npm test` is not needed here.
  globalSetup: undefined,
  globalTeardown: undefined,
  // Each file starts its own emulator. The run is mostly the provider's fixed waits (RDS, ALB), not CPU,
  // so all five files run at once even on a 2-core machine.
  maxWorkers: 5,
  testTimeout: 600_000,
  reporters: [...base.reporters, "<rootDir>/__tests__/emulator-timing-reporter.js"],
};
