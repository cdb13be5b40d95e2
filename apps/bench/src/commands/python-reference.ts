import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Folder of the PyTorch reference scripts (`apps/bench/reference/`). */
export const REFERENCE_SCRIPTS = fileURLToPath(new URL("../../reference/", import.meta.url));

/**
 * Runs one of the PyTorch reference scripts with `input` as JSON on stdin and returns its JSON
 * output. Why a child process: the reference must be measured in the same run as NetMARL's figure
 * (issue 20), on the same machine, never read from a stored constant.
 * The interpreter is `NETMARL_PYTHON`, else the first of `python3` and Debian's `/usr/bin/python3`
 * that imports PyTorch and numpy (a pyenv or venv `python3` on the PATH often lacks them).
 */
export function runPythonReference<T>(
  script: string,
  input: unknown,
  extraEnv: Record<string, string> = {},
): T {
  const python = process.env.NETMARL_PYTHON ?? findPythonWithTorch();
  const result = spawnSync(python, [REFERENCE_SCRIPTS + script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    // one thread unless asked: torch's own pool and OpenBLAS's pthreads pool are separate
    env: { ...oneThread(), ...process.env, ...extraEnv },
  });
  if (result.error !== undefined) {
    throw new Error(
      `--reference: cannot start ${python} (${result.error.message}); install Python 3 with PyTorch (Debian: apt-get install python3-torch) or set NETMARL_PYTHON`,
    );
  }
  if (result.status !== 0) {
    const stderr = result.stderr.trim();
    const lastLine = stderr.split("\n").pop() ?? "";
    if (/No module named '(torch|numpy)'/.test(stderr)) {
      throw new Error(
        `--reference: ${python} lacks PyTorch or numpy (${lastLine}); Debian: apt-get install python3-torch python3-numpy`,
      );
    }
    throw new Error(`--reference: ${script} failed with exit code ${result.status}: ${lastLine}`);
  }
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`--reference: ${script} printed no JSON result: ${result.stdout.slice(0, 200)}`);
  }
}

let foundPython: string | undefined;

function findPythonWithTorch(): string {
  if (foundPython !== undefined) return foundPython;
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", "import torch, numpy"], { encoding: "utf8" });
    if (probe.error === undefined && probe.status === 0) {
      foundPython = candidate;
      return candidate;
    }
  }
  return "python3"; // fails below with the message that says what to install
}

function oneThread(): Record<string, string> {
  const threads = process.env.NETMARL_REFERENCE_THREADS ?? "1";
  return { OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
}
