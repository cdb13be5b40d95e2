import * as tf from "@tensorflow/tfjs-core";
import { registerGradients } from "./register-gradients.js";
import { activateThreadedWasm } from "./threaded-wasm.js";
import { shareCopiesOnWasm } from "./wasm-shared-copies.js";

/** The TensorFlow.js backends NetMARL knows, fastest first. */
export const BACKEND_NAMES = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Where the chosen backend is reported; `false` for silence. Default: one line on stderr. */
  log?: ((message: string) => void) | false;
  /** Environment to read `NETMARL_BACKEND` and `NETMARL_WASM_THREADS` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Threads of the wasm backend's XNNPACK pool (default `NETMARL_WASM_THREADS`, else 1). With 2 or
   * more the package's multi-threaded build runs under Node (see `activateThreadedWasm`); it takes
   * effect only at the first wasm initialisation of the process. Leave it at 1 when the cores are
   * already busy with parallel seeds or worker threads.
   */
  wasmThreads?: number;
}

/** Thrown when a requested backend cannot be used; the message says why and what to do. */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

// Package names are held in variables so that bundlers and the type checker leave the imports
// alone: each backend is optional and only loaded when asked for.
const BACKEND_PACKAGES: Record<BackendName, string> = {
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: "@tensorflow/tfjs-backend-cpu",
};

/**
 * Chooses and activates a TensorFlow.js backend. With `preferred` (or `NETMARL_BACKEND`) set,
 * exactly that backend is used or a {@link BackendUnavailableError} says why not; with neither
 * (or `"auto"`) the first that loads of native `tensorflow` (`@tensorflow/tfjs-node`), `wasm`
 * (SIMD, one thread in Node) and `cpu` is used. Returns the active backend's name. It also makes
 * sure gradient functions are registered (see `registerGradients`).
 */
export async function initBackend(
  preferred?: BackendName | "auto",
  options: InitBackendOptions = {},
): Promise<BackendName> {
  const environment = options.env ?? process.env;
  const fromEnvironment = environment.NETMARL_BACKEND?.trim() || undefined;
  const requested = preferred ?? fromEnvironment ?? "auto";
  const source = preferred !== undefined ? "initBackend(preferred)" : "NETMARL_BACKEND";
  if (requested !== "auto" && !isBackendName(requested)) {
    throw new BackendUnavailableError(
      `${source} = "${requested}" is not a backend; expected one of ${BACKEND_NAMES.join(", ")} or auto`,
    );
  }
  const wasmThreads = options.wasmThreads ?? parseThreads(environment.NETMARL_WASM_THREADS);
  await registerGradients();
  const candidates: readonly BackendName[] = requested === "auto" ? BACKEND_NAMES : [requested];
  const reasons: string[] = [];
  for (const name of candidates) {
    const reason = await tryActivate(name, wasmThreads);
    if (reason === null) {
      const log =
        options.log === undefined ? (line: string) => process.stderr.write(`${line}\n`) : options.log;
      const notes = [
        requested === "auto" ? "auto" : "",
        name === "wasm" && wasmThreads > 1 ? `${wasmThreads} threads` : "",
      ].filter((note) => note !== "");
      if (log !== false)
        log(`[netmarl] TensorFlow.js backend: ${name}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`);
      return name;
    }
    reasons.push(`${name}: ${reason}`);
  }
  const hint =
    requested === "auto"
      ? "install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu"
      : `install ${BACKEND_PACKAGES[requested]}, or choose another backend (NETMARL_BACKEND=wasm|cpu)`;
  throw new BackendUnavailableError(`No usable TensorFlow.js backend (${reasons.join("; ")}): ${hint}`);
}

/** Names of the backends that can be activated here (tries each; leaves the current one active). */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const usable: BackendName[] = [];
  for (const name of BACKEND_NAMES) if ((await tryActivate(name)) === null) usable.push(name);
  if (previous) await tf.setBackend(previous);
  return usable;
}

function parseThreads(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) {
    throw new BackendUnavailableError(`NETMARL_WASM_THREADS = "${value}"; expected an integer from 1 to 8`);
  }
  return threads;
}

function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Process-wide error handlers that Emscripten's wasm loader installs (tfjs-backend-wasm's
 * `process.on("uncaughtException", ex => { throw ex })`, meant to be removed but left by a bug in
 * its cleanup). Left in place they rethrow every later uncaught error from inside the minified
 * bundle, so Node prints that bundle's 39 KB source line before the real message, and they turn an
 * unhandled rejection into a crash. Whatever a backend adds to these events is removed again.
 */
const PROCESS_ERROR_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

type ProcessErrorListener = (...args: unknown[]) => void;

async function withoutAddedProcessHandlers<T>(activate: () => Promise<T>): Promise<T> {
  if (typeof process === "undefined" || typeof process.listeners !== "function") return activate();
  const listeners = (event: (typeof PROCESS_ERROR_EVENTS)[number]) =>
    process.listeners(event as "uncaughtException") as ProcessErrorListener[];
  const before = PROCESS_ERROR_EVENTS.map((event) => new Set(listeners(event)));
  try {
    return await activate();
  } finally {
    PROCESS_ERROR_EVENTS.forEach((event, index) => {
      for (const listener of listeners(event)) {
        if (!before[index].has(listener)) process.removeListener(event, listener);
      }
    });
  }
}

/** Activates `name`; returns null on success, or why it failed. */
function tryActivate(name: BackendName, wasmThreads = 1): Promise<string | null> {
  return withoutAddedProcessHandlers(() => activate(name, wasmThreads));
}

async function activate(name: BackendName, wasmThreads: number): Promise<string | null> {
  if (tf.findBackendFactory(name) === null) {
    try {
      await import(BACKEND_PACKAGES[name]);
    } catch (error) {
      return `${BACKEND_PACKAGES[name]} could not be loaded (${firstLine(error)})`;
    }
    if (tf.findBackendFactory(name) === null) {
      return `${BACKEND_PACKAGES[name]} loaded but registered no "${name}" backend with this copy of @tensorflow/tfjs-core (two copies installed?)`;
    }
  }
  if (name === "wasm" && wasmThreads > 1) {
    try {
      await activateThreadedWasm(wasmThreads);
      shareCopiesOnWasm();
      return null;
    } catch (error) {
      return `its ${wasmThreads}-thread initialisation failed (${firstLine(error)})`;
    }
  }
  try {
    if (await tf.setBackend(name)) {
      await tf.ready();
      if (name === "wasm") shareCopiesOnWasm();
      return null;
    }
    return "its initialisation failed";
  } catch (error) {
    return `its initialisation failed (${firstLine(error)})`;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n", 1)[0];
}
