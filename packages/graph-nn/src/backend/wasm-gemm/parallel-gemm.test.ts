import { describe, expect, it } from "vitest";
import { GEMM_BINARIES } from "./gemm-binaries.generated.js";
import { GemmHelper, type GemmJob, runGemmRows } from "./parallel-gemm.js";

/** Minimal typings of the WebAssembly JS API (the compile target's lib has no DOM types). */
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
interface WebAssemblyApi {
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => { buffer: SharedArrayBuffer };
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: { gemm: (...args: number[]) => void } };
}

describe("GemmHelper (the second thread of NetMARL's wasm products)", () => {
  const memory = new wasm.Memory({ initial: 16, maximum: 16, shared: true }); // 1 MiB
  const module = new wasm.Module(Uint8Array.from(Buffer.from(GEMM_BINARIES.simdShared, "base64")));
  const { gemm } = new wasm.Instance(module, { env: { memory } }).exports;
  const floats = new Float32Array(memory.buffer);
  // a [m, k] at 0, b [k, n] after it, c [m, n] after that; two 128-byte tmp areas at the end.
  const m = 64;
  const k = 16;
  const n = 24;
  const job: GemmJob = {
    a: 0,
    mStride: k * 4,
    kStride: 4,
    b: m * k * 4,
    bk: n * 4,
    bPanel: 32,
    c: (m * k + k * n) * 4,
    ldc: n * 4,
    m,
    k,
    n,
    alpha: 1,
    bias: 0,
    relu: 0,
    chunk: k,
    rowBlock: 16,
  };
  const tmpMain = memory.buffer.byteLength - 256;
  const tmpHelper = memory.buffer.byteLength - 128;
  for (let i = 0; i < m * k + k * n; i++) floats[i] = Math.sin(i * 0.7);

  it("splits rows over two threads with the same bits as one thread, and reports a helper's failure", () => {
    const helper = new GemmHelper(module, memory, tmpHelper);
    expect(helper.ready()).toBe(true);
    runGemmRows(gemm, job, 0, m, tmpMain);
    const single = Float32Array.from(floats.subarray(job.c / 4, job.c / 4 + m * n));
    floats.fill(0, job.c / 4, job.c / 4 + m * n);
    helper.run(gemm, job, tmpMain, 32);
    expect(Float32Array.from(floats.subarray(job.c / 4, job.c / 4 + m * n))).toEqual(single);
    // Rows the helper writes beyond the heap trap there; the caller gets one clear error.
    const outOfBounds = { ...job, ldc: memory.buffer.byteLength };
    expect(() => helper.run(gemm, outOfBounds, tmpMain, 1)).toThrow(
      "gemm: the helper thread failed on its half of a product (set NETMARL_WASM_THREADS=1 to run without it)",
    );
  });

  it("says a helper that cannot start is not ready (one thread is used instead)", () => {
    const helper = new GemmHelper(module, { not: "a memory" }, tmpHelper);
    expect(helper.ready()).toBe(false);
  });
});
