/**
 * Child processes: the interfaces the steps use (injected, so tests never spawn) and their real
 * implementations, which the scripts pass in.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, join } from "node:path";
import { DeployError } from "./errors";

/** Runs a command to completion with inherited stdio; rejects with a DeployError if it fails. */
export type CommandRunner = (command: string, args: readonly string[], options: { readonly cwd: string }) => Promise<void>;

/** Runs a command to completion and resolves with its standard output (stderr is inherited). */
export type CommandCapture = (command: string, args: readonly string[], options: { readonly cwd: string }) => Promise<string>;

/** Runs an interactive command with inherited stdio; resolves with its exit code. */
export type InteractiveSpawner = (command: string, args: readonly string[]) => Promise<number>;

/** A command line as a person would type it (for messages and dry output). */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/**
 * Spawns with inherited stdio. While the child runs, Ctrl-C goes to the child only (it is in the
 * same process group and receives the signal itself): Terraform then stops gracefully and releases
 * its state lock, and an ECS Exec shell gets the key press, instead of this process dying first.
 */
function spawnInherited(command: string, args: readonly string[], cwd?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const ignore = (): void => undefined;
    process.on("SIGINT", ignore);
    const child = spawn(command, [...args], { cwd, stdio: "inherit" });
    child.on("error", (error) => {
      process.off("SIGINT", ignore);
      reject(error);
    });
    child.on("close", (code, signal) => {
      process.off("SIGINT", ignore);
      resolvePromise({ code, signal });
    });
  });
}

/** The real CommandRunner. */
export const runCommand: CommandRunner = async (command, args, options) => {
  let result: { code: number | null; signal: NodeJS.Signals | null };
  try {
    result = await spawnInherited(command, args, options.cwd);
  } catch (error) {
    throw new DeployError(`Could not start '${command}': ${(error as Error).message}. Is it installed and on PATH?`);
  }
  if (result.code !== 0) {
    const how = result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.code}`;
    throw new DeployError(`'${commandLine(command, args)}' ${how} (in ${options.cwd}); its output is above.`);
  }
};

/** The real CommandCapture. */
export const captureCommand: CommandCapture = (command, args, options) =>
  new Promise((resolvePromise, reject) => {
    execFile(command, [...args], { cwd: options.cwd, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new DeployError(`'${commandLine(command, args)}' failed (in ${options.cwd}):\n${stderr || error.message}`));
      else resolvePromise(stdout);
    });
  });

/** The real InteractiveSpawner. */
export const spawnInteractive: InteractiveSpawner = async (command, args) => {
  const { code, signal } = await spawnInherited(command, args);
  // A shell convention: a child killed by a signal "exits" with 128 + the signal's number.
  return code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
};

/**
 * Whether `name` is an executable file in one of the `PATH` directories (no process is started).
 * On Windows the `PATHEXT` extensions are tried too.
 */
export function isOnPath(name: string, pathVariable: string, windowsExtensions?: string): boolean {
  const extensions = windowsExtensions ? ["", ...windowsExtensions.split(";").filter(Boolean)] : [""];
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}
