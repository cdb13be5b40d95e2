import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Runs tfjs-backend-wasm's multi-threaded build (XNNPACK on a pthreadpool) under Node, which the
 * package itself refuses ("Enable node support once … tfjs#3830 is resolved"). Three things stand
 * in the way, each bridged here for the duration of the backend's initialisation only:
 *
 * 1. Emscripten starts its pthread workers from `blob:` URLs, which Node's `worker_threads` cannot
 *    load: while the backend initialises, `Blob` + `URL.createObjectURL` write the worker script to
 *    a temporary `.cjs` file instead (its own Node branch then runs as written), and inside each
 *    worker the posted main-script blob resolves to the package's own unbundled glue
 *    `wasm-out/tfjs-backend-wasm-threaded-simd.js` (the bundled copy refers to rollup's
 *    `require$$N` names, which do not exist in a worker).
 * 2. backend.cc caps the pool at `emscripten_num_logical_cores() / 2` ("2 threads per core"), i.e.
 *    one thread on a 2-core machine: `os.cpus()` reports every core twice while the module starts,
 *    so the cap becomes the real core count.
 * 3. The pthread workers would keep the process alive forever: they are `unref()`ed.
 *
 * Matrix products are split over output tiles, each computed whole by one thread, so results do
 * not depend on the thread count (checked bit for bit in threaded-wasm.test.ts).
 */
let activeThreads = 1;

/** Threads of the wasm backend's pool in this process (1 unless {@link activateThreadedWasm} ran). */
export function wasmThreadCount(): number {
  return activeThreads;
}

export async function activateThreadedWasm(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 2 || threads > 8) {
    throw new RangeError(
      `wasm threads = ${threads}; expected an integer from 2 to 8 (8 is the build's pool)`,
    );
  }
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const folder = mkdtempSync(join(os.tmpdir(), "netmarl-wasm-threads-"));
  process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
  const glue = threadedGlueFile();
  const restore = installFileBlobs(folder, glue);
  const realCpus = os.cpus;
  os.cpus = () => {
    const cores = realCpus();
    return [...cores, ...cores];
  };
  try {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend("wasm"))) throw new Error("the threaded wasm backend did not initialise");
    await tf.ready();
  } finally {
    os.cpus = realCpus;
    restore();
  }
  const module = (tf.backend() as unknown as { wasm: { PThread?: PThreads } }).wasm;
  const pool = module.PThread;
  if (pool === undefined || wasm.getThreadsCount() < 2) {
    throw new Error(
      `the wasm backend started with ${wasm.getThreadsCount()} thread(s), not ${threads}: was it initialised earlier in this process?`,
    );
  }
  for (const worker of [...pool.unusedWorkers, ...pool.runningWorkers]) worker.unref();
  activeThreads = wasm.getThreadsCount();
}

interface PThreads {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

/** The package's unbundled threaded glue (`wasm-out/tfjs-backend-wasm-threaded-simd.js`). */
function threadedGlueFile(): string {
  const require = createRequire(import.meta.url);
  let root = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  while (!root.endsWith("tfjs-backend-wasm") && dirname(root) !== root) root = dirname(root);
  return join(root, "wasm-out", "tfjs-backend-wasm-threaded-simd.js");
}

/** Blobs whose parts are kept, so a posted copy still carries them (structured clone). */
class FileBackedBlob {
  readonly parts: string[];
  constructor(parts: unknown[] = []) {
    this.parts = parts.map(String);
  }
}

/** Replaces `Blob` and `URL.createObjectURL` with file-writing versions; returns the undo. */
function installFileBlobs(folder: string, glue: string): () => void {
  const nativeBlob = globalThis.Blob;
  const nativeCreate = URL.createObjectURL;
  // Prepended to the worker script: the main-script "blob" the worker receives is the glue file.
  const workerPrelude = `const __nativeCreate = URL.createObjectURL; URL.createObjectURL = (b) => (b && Array.isArray(b.parts) ? ${JSON.stringify(glue)} : __nativeCreate(b)); URL.revokeObjectURL = () => {};\n`;
  let files = 0;
  (globalThis as { Blob: unknown }).Blob = FileBackedBlob;
  URL.createObjectURL = (blob: unknown) => {
    if (!(blob instanceof FileBackedBlob)) return nativeCreate(blob as Blob);
    const file = join(folder, `pthread-worker-${files++}.cjs`);
    writeFileSync(file, workerPrelude + blob.parts.join(""));
    return file;
  };
  return () => {
    (globalThis as { Blob: unknown }).Blob = nativeBlob;
    URL.createObjectURL = nativeCreate;
  };
}
