/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  // The emulator layer runs on its own: `npm run test:emulator` (jest.emulator.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/emulator/"],
  testMatch: ["**/*.test.ts"],
  // swc strips types only; `npm run typecheck` (tsc --noEmit) checks them as its own step.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
    // @hpcc-js/wasm-graphviz (the diagram's SVG renderer) ships ESM only; Jest's module system needs CommonJS.
    "/node_modules/@hpcc-js/.+\\.js$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!@hpcc-js/)"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // Real Terraform (synth, init, plans, as-applied states, the day-two matrix) once per run, in the background, shared by the test files.
  globalSetup: "<rootDir>/__tests__/terraform/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/terraform/global-teardown.ts",
  // The files that read that run go last; the others run while it is prepared.
  testSequencer: "<rootDir>/__tests__/jest-sequencer.js",
  // Terraform runs in child processes; two workers keep both cores busy on a 2-core machine.
  maxWorkers: 2,
  // The workers run at low priority while the shared run plans (__tests__/setup.ts): a test that needs a
  // second of CPU can wait several for it, so jest's 5 s default would fail tests that are only patient.
  testTimeout: 60_000,
  reporters: ["default", "<rootDir>/__tests__/summary-reporter.js"],
};
