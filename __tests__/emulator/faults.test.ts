/**
 * Faults during an apply, on the bootstrap stack (state bucket, OIDC provider, roles: quick to
 * apply): Terraform interrupted mid-apply (a cancelled CI job), and the API dying mid-apply and coming back.
 * In both cases the next plain `terraform apply` must converge: no state surgery, no stale lock.
 *
 * moto keeps everything in memory, so killing it loses every resource, as if the account had been
 * emptied behind Terraform's back; that is what the second case shows (Terraform notices on refresh
 * and creates them again). An API outage that keeps the resources cannot be modelled with moto.
 * Killed *mid*-apply, calls to it fail within seconds (the override caps the SDK's retries), but a
 * provider waiter may keep polling until its own timeout, so the test cancels that apply after 60 s.
 */
import { staging } from "../../config/staging";
import { unexplained } from "../../lib/emulator/allowlist";
import { notCreated, prepareEnvironment, teardown, type EmulatedEnvironment } from "../../lib/emulator/environment";
import { startMoto } from "../../lib/emulator/moto";
import { EMULATOR_ACCOUNT_ID } from "../../lib/emulator/setup";

let env: EmulatedEnvironment;

beforeAll(async () => {
  env = await prepareEnvironment(staging, undefined, "bootstrap");
}, 900_000);

afterAll(() => teardown(env));

/** Resolves when the apply's output shows it has created something, i.e. it is mid-apply. */
async function midApply(run: { done: Promise<unknown>; output: () => string }): Promise<void> {
  for (let i = 0; i < 600 && !/Creation complete after/.test(run.output()); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Re-runs the apply after an interruption until it converges, taking only the documented recovery
 * steps (docs/troubleshooting.md) and returning them; any other failure fails the test in full:
 * - a protected resource saved as tainted (interrupted while being created): `terraform untaint`;
 * - a resource created by the API while its create call was cancelled, so it is not in the state
 *   (`EntityAlreadyExists`, `BucketAlreadyOwnedByYou` on the re-run): `terraform import`.
 */
async function rerunUntilConverged(): Promise<string[]> {
  const steps: string[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const error = await env.stack.apply().then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (error === undefined) return steps;
    const blocks = error.split(/\nError: /).slice(1);
    for (const block of blocks) {
      const address = /with (\S+),/.exec(block)?.[1];
      const tainted = /Resource (\S+) has lifecycle\.prevent_destroy/.exec(block)?.[1];
      const policy = /creating IAM Policy \(([^)]+)\).*EntityAlreadyExists/s.exec(block)?.[1];
      const bucket = /creating S3 Bucket \(([^)]+)\).*BucketAlreadyOwnedByYou/s.exec(block)?.[1];
      const role = /creating IAM Role \(([^)]+)\).*EntityAlreadyExists/s.exec(block)?.[1];
      const step = tainted
        ? ["untaint", tainted]
        : address && policy
          ? ["import", address, `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:policy/${policy}`]
          : address && role
            ? ["import", address, role]
            : address && bucket
              ? ["import", address, bucket]
              : undefined;
      if (!step) throw new Error(`the re-run failed in a way no documented recovery covers:\n${error}`);
      await env.stack.terraform(step[0] === "import" ? ["import", "-input=false", "-no-color", ...step.slice(1)] : step);
      steps.push(step.join(" "));
    }
  }
  throw new Error(`no convergence after ${steps.length} recovery steps: ${steps.join("; ")}`);
}

test("Terraform interrupted mid-apply (SIGINT, as a cancelled CI job): the next apply converges without a stale lock", async () => {
  const { child, done } = env.stack.startApply();
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  await midApply({ done, output: () => output });
  child.kill("SIGINT");
  const interrupted = await done;
  expect(interrupted.code).not.toBe(0);
  expect((await env.stack.stateList()).length).toBeGreaterThan(0);
  // No stale lock: the re-run gets the state. What the interrupt hit mid-create needs the documented
  // recovery (docs/troubleshooting.md), and nothing else is accepted.
  const steps = await rerunUntilConverged();
  for (const step of steps) expect(step).toMatch(/^(untaint aws_s3_bucket\.state-bucket_|import aws_(iam_policy|iam_role|s3_bucket)\.)/);
  expect(await notCreated(env.stack)).toEqual([]);
  expect(unexplained(await env.stack.plan())).toEqual([]);
});

/** Kills the emulator (its in-memory resources are lost) and starts an empty one on the same port. */
async function restartEmpty(): Promise<void> {
  await env.emulator.kill();
  env = { ...env, emulator: await startMoto({ port: env.emulator.port }) };
}

test("the emulator killed mid-apply: the apply fails, and after a restart a plain re-run converges", async () => {
  // From an empty emulator, so the apply has everything to create and is killed while creating.
  await restartEmpty();
  const { child, done } = env.stack.startApply();
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  await midApply({ done, output: () => output });
  await env.emulator.kill();
  // Calls to the dead API fail within seconds (max_retries = 3), but a waiter of the provider can keep
  // polling it until its own timeout: after 60 s the job is cancelled, as a CI timeout would.
  const cancel = setTimeout(() => child.kill("SIGINT"), 60_000);
  const failed = await done;
  clearTimeout(cancel);
  expect(failed.code).not.toBe(0);
  env = { ...env, emulator: await startMoto({ port: env.emulator.port }) };
  // The same documented recovery as the interrupted apply, and nothing else.
  const steps = await rerunUntilConverged();
  for (const step of steps) expect(step).toMatch(/^(untaint aws_s3_bucket\.state-bucket_|import aws_(iam_policy|iam_role|s3_bucket)\.)/);
  expect(await notCreated(env.stack)).toEqual([]);
  expect(unexplained(await env.stack.plan())).toEqual([]);
});
