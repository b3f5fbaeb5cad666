/** Progress lines with durations, and the clock the waits use (injected so tests run instantly). */

export interface Clock {
  /** Milliseconds since some fixed point. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How often and how long a wait polls. */
export interface PollOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export type Log = (line: string) => void;

/** `4.2s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** Indentation of the detail lines under a `[n/N]` step line. */
export const DETAIL = "      ";

/**
 * Runs one numbered step: prints `[n/N] title...`, runs it, then `done in 4.2s` or
 * `failed after 4.2s` (the error itself propagates to the caller, which prints it once).
 */
export async function step<T>(log: Log, clock: Clock, position: { index: number; total: number }, title: string, body: () => Promise<T>): Promise<T> {
  const started = clock.now();
  log(`[${position.index}/${position.total}] ${title}...`);
  try {
    const result = await body();
    log(`${DETAIL}done in ${formatDuration(clock.now() - started)}`);
    return result;
  } catch (error) {
    log(`${DETAIL}failed after ${formatDuration(clock.now() - started)}`);
    throw error;
  }
}
