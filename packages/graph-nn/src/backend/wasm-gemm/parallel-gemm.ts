import { Worker } from "node:worker_threads";

/**
 * The row range of one gemm call, run by the calling thread and by a helper thread on a shared
 * heap (the threaded wasm build's). Rows are independent outputs, each computed by exactly the
 * same instructions whichever thread runs it, so results are bit-identical for any split.
 */
export interface GemmJob {
  a: number;
  mStride: number;
  kStride: number;
  b: number;
  bk: number;
  bPanel: number;
  c: number;
  ldc: number;
  m: number;
  k: number;
  n: number;
  alpha: number;
  bias: number;
  relu: number;
  /** k values per accumulating pass. */
  chunk: number;
  rowBlock: number;
}

type GemmFunction = (...args: number[]) => void;

/**
 * Rows [begin, end) of `job`, in passes of `job.chunk` k values (self-contained: its source is
 * also the helper thread's).
 */
export function runGemmRows(gemm: GemmFunction, job: GemmJob, begin: number, end: number, tmp: number): void {
  const k = Math.max(job.k, 1);
  for (let k0 = 0; k0 < k; k0 += job.chunk) {
    const size = Math.min(job.chunk, job.k - k0);
    gemm(
      job.a + begin * job.mStride + k0 * job.kStride,
      job.mStride,
      job.kStride,
      job.b + k0 * job.bk,
      job.bk,
      job.bPanel,
      job.c + begin * job.ldc,
      job.ldc,
      end - begin,
      Math.max(size, 0),
      job.n,
      job.alpha,
      job.bias,
      job.relu,
      k0 > 0 ? 1 : 0,
      tmp,
      job.rowBlock,
    );
  }
}

const FIELDS = [
  "a",
  "mStride",
  "kStride",
  "b",
  "bk",
  "bPanel",
  "c",
  "ldc",
  "m",
  "k",
  "n",
  "alpha",
  "bias",
  "relu",
  "chunk",
  "rowBlock",
] as const;
/** Control words: state, row begin, row end, the helper's tmp, ready flag, then the job's fields. */
const STATE = 0;
const BEGIN = 1;
const END = 2;
const TMP = 3;
const READY = 4;
const HEADER = 5;
const IDLE = 0;
const SUBMITTED = 1;
const DONE = 2;
const FAILED = 3;
/** How long a new helper may take to instantiate the kernels before one thread is used instead. */
const START_TIMEOUT_MS = 10_000;

// Any exception in the helper is reported through the control words (the main thread waits
// synchronously and sees no events): READY = -1 if it could not start, STATE = FAILED after a job.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, fields } = workerData;
const ints = new Int32Array(control);
const floats = new Float32Array(control);
let gemm;
try {
  gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  Atomics.store(ints, ${READY}, 1);
} catch (error) {
  Atomics.store(ints, ${READY}, -1);
}
Atomics.notify(ints, ${READY});
const runGemmRows = ${runGemmRows.toString()};
while (gemm !== undefined) {
  let state = Atomics.load(ints, ${STATE});
  while (state !== ${SUBMITTED}) {
    Atomics.wait(ints, ${STATE}, state);
    state = Atomics.load(ints, ${STATE});
  }
  const job = {};
  fields.forEach((name, i) => { job[name] = name === "alpha" ? floats[${HEADER} + i] : ints[${HEADER} + i]; });
  let outcome = ${DONE};
  try {
    runGemmRows(gemm, job, ints[${BEGIN}], ints[${END}], ints[${TMP}]);
  } catch (error) {
    outcome = ${FAILED};
  }
  Atomics.store(ints, ${STATE}, outcome);
  Atomics.notify(ints, ${STATE});
  if (outcome === ${FAILED}) break;
}
`;

/** A helper thread running half of each large gemm call on the shared heap. */
export class GemmHelper {
  private readonly ints: Int32Array;
  private readonly floats: Float32Array;
  private readonly worker: Worker;

  /** `tmp`: 128 bytes of the heap for the helper's partial panels. */
  constructor(
    module: unknown,
    memory: unknown,
    private readonly tmp: number,
  ) {
    const control = new SharedArrayBuffer(4 * (HEADER + FIELDS.length));
    this.ints = new Int32Array(control);
    this.floats = new Float32Array(control);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, memory, control, fields: FIELDS },
    });
    // An idle helper must not keep the process alive.
    this.worker.unref();
  }

  /** Waits for the helper to instantiate the kernels; false if it failed or took too long. */
  ready(): boolean {
    if (Atomics.load(this.ints, READY) === 0) Atomics.wait(this.ints, READY, 0, START_TIMEOUT_MS);
    const ready = Atomics.load(this.ints, READY) === 1;
    if (!ready) void this.worker.terminate();
    return ready;
  }

  /**
   * Runs rows [0, split) here and [split, m) on the helper; returns when both are done. The helper's
   * half is awaited even when this thread's half throws, so the next job never meets a running one.
   */
  run(gemm: GemmFunction, job: GemmJob, tmp: number, split: number): void {
    FIELDS.forEach((name, i) => {
      if (name === "alpha") this.floats[HEADER + i] = job.alpha;
      else this.ints[HEADER + i] = job[name];
    });
    this.ints[BEGIN] = split;
    this.ints[END] = job.m;
    this.ints[TMP] = this.tmp;
    Atomics.store(this.ints, STATE, SUBMITTED);
    Atomics.notify(this.ints, STATE);
    try {
      runGemmRows(gemm, job, 0, split, tmp);
    } finally {
      while (Atomics.load(this.ints, STATE) === SUBMITTED) Atomics.wait(this.ints, STATE, SUBMITTED);
    }
    const outcome = Atomics.load(this.ints, STATE);
    Atomics.store(this.ints, STATE, IDLE);
    if (outcome === FAILED) {
      throw new Error(
        "gemm: the helper thread failed on its half of a product (set NETMARL_WASM_THREADS=1 to run without it)",
      );
    }
  }
}
