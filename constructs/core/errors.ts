/**
 * A construct was given props it cannot build from. The message names the construct, the prop,
 * the value and what is allowed; `main.ts` and the scripts print it without a stack trace.
 */
export class PropsError extends Error {
  override readonly name: string = "PropsError";
}
