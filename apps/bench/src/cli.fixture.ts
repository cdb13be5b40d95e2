/** Test helper: runs `netmarl-bench …` from sources in a child process, as `pnpm bench …` does. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");
const cliArgs = ["--conditions=@netmarl/source", "--import", "tsx", "apps/bench/src/cli.ts"];
const childEnv = () => ({ ...process.env, NETMARL_BACKEND: "" });

/** Runs the CLI to completion with piped output. */
export function bench(...args: string[]) {
  const result = spawnSync(process.execPath, [...cliArgs, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: childEnv(),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Starts the CLI with stdout and stderr redirected to files (so neither is a TTY, as under nohup,
 * a log file or CI); `exited` resolves with the exit code, or the signal that ended it.
 */
export function benchToFiles(
  outputPrefix: string,
  ...args: string[]
): { child: ChildProcess; exited: Promise<number | string> } {
  const stdout = openSync(`${outputPrefix}.stdout`, "w");
  const stderr = openSync(`${outputPrefix}.stderr`, "w");
  const child = spawn(process.execPath, [...cliArgs, ...args], {
    cwd: repoRoot,
    env: childEnv(),
    stdio: ["ignore", stdout, stderr],
  });
  closeSync(stdout);
  closeSync(stderr);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, exited };
}
