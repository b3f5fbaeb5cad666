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
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // Terraform runs in child processes; two workers keep both cores busy on a 2-core machine.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/__tests__/summary-reporter.js"],
};
