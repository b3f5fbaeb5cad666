/**
 * Offline stand-in for the one Step Functions API the AWS provider calls during `terraform plan`.
 *
 * Since provider 5.67, `aws_sfn_state_machine` validates a known definition at plan time with
 * `ValidateStateMachineDefinition` (hashicorp/terraform-provider-aws#39229), so an offline plan of a
 * stack with a state machine would need AWS. The harness points the provider's `sfn` endpoint at this
 * local server, which answers that call with a structural check of the definition (the parts a
 * definition written here can get wrong: StartAt, Next targets, terminal states, Task resources,
 * unreachable states). It is not AWS's validator; a real `cdktf diff` still runs AWS's.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Problems with an Amazon States Language definition; empty when it looks valid. */
export function definitionProblems(definition: string): string[] {
  let doc: any;
  try {
    doc = JSON.parse(definition);
  } catch (error) {
    return [`definition is not JSON: ${(error as Error).message}`];
  }
  const states: Record<string, any> = doc?.States ?? {};
  const names = Object.keys(states);
  const problems: string[] = [];
  if (names.length === 0) problems.push("States is empty");
  if (typeof doc?.StartAt !== "string" || !(doc.StartAt in states)) problems.push(`StartAt ${JSON.stringify(doc?.StartAt)} is not a state`);
  for (const [name, state] of Object.entries(states)) {
    const terminal = state.End === true || state.Type === "Succeed" || state.Type === "Fail" || state.Type === "Choice";
    if (state.Next !== undefined && !(state.Next in states)) problems.push(`state ${name}: Next ${JSON.stringify(state.Next)} is not a state`);
    if (!terminal && state.Next === undefined) problems.push(`state ${name} has neither Next nor End`);
    if (state.Type === "Task" && !/^arn:[\w-]+:states:::/.test(state.Resource ?? "") && !/^arn:[\w-]+:(lambda|states):/.test(state.Resource ?? "")) {
      problems.push(`state ${name}: Task Resource ${JSON.stringify(state.Resource)} is not an integration or function ARN`);
    }
  }
  const reachable = new Set<string>();
  const visit = (name: string) => {
    if (reachable.has(name) || !(name in states)) return;
    reachable.add(name);
    const s = states[name];
    if (typeof s.Next === "string") visit(s.Next);
    for (const choice of s.Choices ?? []) visit(choice.Next);
    if (typeof s.Default === "string") visit(s.Default);
    for (const c of s.Catch ?? []) visit(c.Next);
  };
  if (typeof doc?.StartAt === "string") visit(doc.StartAt);
  for (const name of names.filter((n) => !reachable.has(n))) problems.push(`state ${name} is unreachable`);
  return problems;
}

let running: Promise<string> | undefined;

/**
 * Starts the local validator once per process (it does not keep the process alive); resolves to its
 * URL. Other Step Functions calls are refused: the offline plan makes none. (The emulator layer has
 * its own gateway, lib/emulator/gateway.ts.)
 */
export function offlineStepFunctionsEndpoint(): Promise<string> {
  if (running) return running;
  running = new Promise<string>((resolvePromise, reject) => {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const target = String(req.headers["x-amz-target"] ?? "");
        res.setHeader("Content-Type", "application/x-amz-json-1.0");
        if (!target.endsWith(".ValidateStateMachineDefinition")) {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: "UnknownOperationException", message: `offline plan: ${target} is not available without AWS` }));
          return;
        }
        const problems = definitionProblems(JSON.parse(body.toString("utf8") || "{}").definition ?? "");
        res.end(
          JSON.stringify({
            result: problems.length ? "FAIL" : "OK",
            diagnostics: problems.map((message) => ({ severity: "ERROR", code: "SCHEMA_VALIDATION_FAILED", message })),
            truncated: false,
          }),
        );
      });
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolvePromise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
  return running;
}
