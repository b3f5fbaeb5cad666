/**
 * A local AWS API emulator for the emulator test layer (README "How it is verified"): moto in
 * server mode (`moto_server`), started on a free loopback port for one run and stopped after.
 *
 * moto keeps everything in memory: stopping the process forgets every resource. `reset()` does the
 * same without a restart (POST /moto-api/reset).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { forgetGatewayState } from "./gateway";

/** The one line printed when the emulator is not installed. */
export const MOTO_MISSING = 'moto_server was not found on PATH: install the AWS API emulator with `pip install "moto[server]"` (moto 5.x); the emulator tests never skip.';

/**
 * moto settings for the run: ACM certificates are issued at once (moto waits 60 s by default before it
 * reports DNS validation as done), ECS services report one running task (staging's desired count; the deploy's rollout wait needs running = desired).
 */
export const EMULATOR_SETTINGS: Readonly<Record<string, string>> = {
  MOTO_ACM_VALIDATION_WAIT: "0",
  MOTO_ECS_SERVICE_RUNNING: "1",
};

export class EmulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorError";
  }
}

/** Fails with {@link MOTO_MISSING} when `moto_server` is not installed. */
export function checkMoto(bin = "moto_server"): void {
  try {
    execFileSync(bin, ["--help"], { stdio: "ignore", timeout: 30_000 });
  } catch {
    throw new EmulatorError(MOTO_MISSING);
  }
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: every AWS service answers here. */
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (fault tests): its in-memory state is lost. */
  kill(): Promise<void>;
  /** GET a path of the control API (`/moto-api/...`) as JSON. */
  api<T = unknown>(path: string, init?: RequestInit): Promise<T>;
}

async function waitReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new EmulatorError(`moto_server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new EmulatorError(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms (${lastError})`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

/** Starts `moto_server -H 127.0.0.1 -p <port>` and resolves once its control API answers. */
export async function startMoto(options: { readonly bin?: string; readonly port?: number; readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {}): Promise<Emulator> {
  const bin = options.bin ?? process.env.MOTO_SERVER_BIN ?? "moto_server";
  checkMoto(bin);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...EMULATOR_SETTINGS, ...options.env } });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitReady(endpoint, child, options.timeoutMs ?? 30_000);
  } catch (e) {
    child.kill("SIGKILL");
    throw new EmulatorError(`${(e as Error).message}\n${stderr}`);
  }
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${endpoint}${path}`, init);
    if (!response.ok) throw new EmulatorError(`${init?.method ?? "GET"} ${path}: HTTP ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    endpoint,
    port,
    api,
    reset: async () => {
      await api("/moto-api/reset", { method: "POST" });
      await forgetGatewayState(endpoint);
    },
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited(child);
      clearTimeout(timer);
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited(child);
      await forgetGatewayState(endpoint);
    },
  };
}
