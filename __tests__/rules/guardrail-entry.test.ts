/**
 * Guardrails cannot be switched off (issue 15, class 1): the synth entry run as a real process, with
 * and without CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS (which `cdktf synth` itself always sets).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotations, App, TerraformOutput, TerraformStack } from "cdktf";
import { loadEnvironment, ConfigError } from "../../config";
import { GuardrailError, isConfigurationError, synthOrRefuse } from "../../lib/synth";
import { PropsError } from "../../constructs/core/errors";
import { messageOf, staging } from "../helpers";

const root = join(__dirname, "..", "..");
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Run = { status: number | null; stderr: string };

/** Runs the fixture entry as its own process (through tsx, as scripts/synth-app.cjs falls back to for main.ts). */
function runEntry(env: Record<string, string | undefined>): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), "guardrail-entry-"));
  outdirs.push(outdir);
  const environment = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete environment[k];
  const child = spawn(process.execPath, ["--require", "tsx/cjs", join(root, "__tests__", "fixtures", "synth-entry.ts"), "single-az-production", outdir], { cwd: root, env: environment });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((done) => child.on("close", (status) => done({ status, stderr })));
}

// Both runs at once: each is a full synth of one stack in its own process.
const runs: Record<string, Run> = {};
beforeAll(async () => {
  const [unset, set] = await Promise.all([runEntry({ CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: undefined }), runEntry({ CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" })]);
  Object.assign(runs, { unset, set });
}, 90_000);

describe("a guardrail violation stops the synth entry", () => {
  const expected = [
    "Guardrails refused the configuration (1 problem):",
    '  - [production/database/instance] [RDS.5] databases run Multi-AZ: multi_az is not true. Fix: set database.multiAz: true. Or waive it with a reason in config guardrails.waivers: { rule: "RDS.5", resource: "database/instance", reason: "..." }',
  ].join("\n");

  test.each([
    ["without CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", "unset"],
    ["with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true (what cdktf synth sets)", "set"],
  ])("%s: exit 1, the violation, no hint to switch guardrails off", (_case, run) => {
    const { status, stderr } = runs[run];
    expect(stderr).toContain(expected);
    expect(stderr).toContain("Guardrails cannot be switched off.");
    expect(stderr).not.toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS");
    expect(status).toBe(1);
  });
});

describe("a waiver reason must say something", () => {
  const withReason = (reason: string) => ({ ...staging, guardrails: { waivers: [{ rule: "RDS.5", resource: "database", reason }, ...staging.guardrails!.waivers!.filter((w) => w.rule !== "RDS.5")] } });
  const advice = 'write at least 20 characters saying why the rule does not apply here, e.g. "staging: single-AZ database for cost; production is Multi-AZ"';

  test.each([
    ["only whitespace", " ".repeat(30), `is not a reason (0 characters after trimming spaces); ${advice}`],
    ["short text padded with spaces", "cost          .          ", `is not a reason (15 characters after trimming spaces); ${advice}`],
    ["one repeated character", "xxxxxxxxxxxxxxxxxxxxxxxx", `starts with a placeholder ("xxxxxxxxxxxxxxxxxxxxxxxx"), not a reason; ${advice}`],
    ["one repeated word", "cost cost cost cost cost cost", `is repeated filler, not a reason (fewer than 3 different words); ${advice}`],
    ["two words repeated", "staging only staging only staging only", `is repeated filler, not a reason (fewer than 3 different words); ${advice}`],
    ["TODO", "TODO: explain this before launch", `starts with a placeholder ("TODO"), not a reason; ${advice}`],
    ["n/a", "n/a for this environment really", `starts with a placeholder ("n/a"), not a reason; ${advice}`],
    ["lorem ipsum", "Lorem ipsum dolor sit amet, consectetur", `is placeholder text (lorem ipsum), not a reason; ${advice}`],
  ])("%s is refused", (_case, reason, message) => {
    const text = messageOf(() => loadEnvironment(withReason(reason)), ConfigError);
    expect(text).toContain('Invalid configuration for environment "staging":');
    expect(text).toContain(`guardrails.waivers.0.reason: got ${JSON.stringify(reason)}; ${message}`);
  });

  test("the shipped reasons all count", () => {
    expect(() => loadEnvironment(withReason("staging: single-AZ database for cost; production is Multi-AZ"))).not.toThrow();
  });
});


describe("synthOrRefuse (used by the entry and by npm run preview's harness)", () => {
  const withVariable = <T>(value: string | undefined, fn: () => T): T => {
    const before = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    if (value === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = value;
    try {
      return fn();
    } finally {
      if (before === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = before;
    }
  };

  test.each([["unset", undefined], ["set", "1"]])("with the variable %s, an error annotation throws GuardrailError without CDKTF's hint", (_case, value) => {
    const outdir = mkdtempSync(join(tmpdir(), "synth-or-refuse-"));
    outdirs.push(outdir);
    const message = withVariable(value, () => {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "s");
      new TerraformOutput(stack, "o", { value: "x" });
      Annotations.of(stack).addError("[RDS.5] databases run Multi-AZ: multi_az is not true");
      return messageOf(() => synthOrRefuse(app), GuardrailError);
    });
    expect(message).toBe(
      "Guardrails refused the configuration (1 problem):\n  - [s] [RDS.5] databases run Multi-AZ: multi_az is not true\n\n" +
        'Fix each problem above, or waive a rule for a resource with a written reason in config guardrails.waivers (README "Guardrails"). Guardrails cannot be switched off.',
    );
  });
});

describe("isConfigurationError: what preview, cost, diagram and the synth entry print as a message, without a stack trace", () => {
  test("guardrail refusals, config errors and construct prop errors are the user's to fix", () => {
    expect(isConfigurationError(new GuardrailError("Guardrails refused the configuration (1 problem)"))).toBe(true);
    expect(isConfigurationError(new ConfigError("staging", ["region: got \"eu-west-9\""]))).toBe(true);
    expect(isConfigurationError(new PropsError("WebService \"backend-service\": ..."))).toBe(true);
  });

  test("anything else is a defect and keeps its stack trace", () => {
    expect(isConfigurationError(new Error("boom"))).toBe(false);
    expect(isConfigurationError("not an error")).toBe(false);
  });
});
