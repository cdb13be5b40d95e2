import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import { wasmThreadCount } from "../threaded-wasm.js";
import { GEMM_BINARIES } from "./gemm-binaries.generated.js";
import { GemmHelper, type GemmJob, runGemmRows } from "./parallel-gemm.js";

/**
 * Matrix products on the wasm backend with NetMARL's own kernels (gemm-wat.ts) instead of
 * tfjs-wasm's XNNPACK.
 *
 * Why: tfjs-backend-wasm 4.22's XNNPACK reaches ≈ 15 GFLOP/s on one thread here for the
 * [15360, 128]·[128, 128] products of a PIC/MADDPG update, and it has no fast path for a transposed
 * operand (linear.ts transposes explicitly, ≈ 8 ms per [15360, 128]). A plain 4 × 8 register tile
 * with 128-bit SIMD reaches ≈ 24 GFLOP/s, and 31–35 GFLOP/s (best of 30) with relaxed SIMD's fused
 * multiply-add and L1-sized row blocks (PyTorch's OpenBLAS: ≈ 28 on the same shape), and reads
 * transposed operands through strides, so xᵀ·dz and dz·Wᵀ need no transpose.
 *
 * The module imports the backend's own heap (`Memory`), so it reads and writes tensors in place:
 * no copies. Relaxed SIMD is behind `--experimental-wasm-relaxed-simd` in Node 20's V8; the flag is
 * switched on before compiling and the plain-SIMD build is used where the FMA build does not
 * validate. `NETMARL_WASM_GEMM` = `fma` | `simd` | `xnnpack` forces a choice (`xnnpack` = off).
 * The choice holds for the process unless `setWasmGemmEngine` changes it, so runs on one machine
 * stay bit-for-bit repeatable.
 */
export type WasmGemmEngine = "fma" | "simd" | "xnnpack";

/** The slice of the WebAssembly JS API used here (the compile target's lib has no DOM types). */
declare namespace WebAssembly {
  class Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}

export interface GemmExports {
  pack(src: number, kStride: number, nStride: number, dst: number, k: number, n: number): void;
  gemm(
    a: number,
    mStride: number,
    kStride: number,
    b: number,
    bk: number,
    bPanel: number,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    alpha: number,
    bias: number,
    relu: number,
    accumulate: number,
    tmp: number,
    rowBlock: number,
  ): void;
  copyRows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, bytes: number): void;
  reluGradient(dy: number, y: number, out: number, count: number): void;
}

interface WasmModule {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

interface WasmBackendData {
  memoryOffset: number;
}

/** The wasm backend's internals these kernels use. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: tf.DataId): WasmBackendData | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** One instance of the kernels on one backend heap, with its scratch memory. */
interface GemmInstance {
  exports: GemmExports;
  module: WasmModule;
  compiled: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratch: number;
  scratchBytes: number;
  /** On a shared heap with several wasm threads: the thread that runs half of large products (null: it could not start). */
  helper?: GemmHelper | null;
}

/** Multiply-adds (m·n·k) from which a product is split over two threads (≈ 0.1 ms of work). */
const PARALLEL_MIN_PRODUCTS = 1 << 21;

/**
 * The helper thread of a shared heap when the wasm backend runs several threads (`wasmThreads`):
 * NetMARL's kernels then use the second core too, with bit-identical results (rows are split,
 * not sums).
 */
function helperFor(instance: GemmInstance): GemmHelper | undefined {
  if (!splitsRows(instance.memory)) return undefined;
  if (instance.helper === undefined) {
    const helper = new GemmHelper(instance.compiled, instance.memory, instance.module._malloc(TILE_BYTES));
    // A helper that cannot start leaves the products on one thread (same numbers, no second core).
    instance.helper = helper.ready() ? helper : null;
  }
  return instance.helper ?? undefined;
}

const KERNEL_NAME = "NetmarlGemm";
const RELU_GRADIENT = "NetmarlReluGradient";
/** Bytes of the scratch header: the partial-panel tile (128) and the padded bias (rest). */
const TILE_BYTES = 128;
/** k values per pass over a tall transposed product (xᵀ·dz): both operands' slices stay in L2. */
const K_CHUNK = 256;

/** Bytes of A per row block: the block stays in L1 while B's column panels stream past it. */
const ROW_BLOCK_BYTES = 32 * 1024;

/** Rows per block for k-long rows: a multiple of 4 (the tile height), at least 4. */
function rowsPerBlock(k: number): number {
  return Math.max(4, Math.floor(ROW_BLOCK_BYTES / (4 * k) / 4) * 4);
}

const instances = new WeakMap<WebAssembly.Memory, Map<WasmGemmEngine, GemmInstance>>();
let engine: WasmGemmEngine | undefined;
let registered = false;

/** Which engine runs the wasm backend's {@link gemm} calls in this process (decided on first use). */
export function wasmGemmEngine(): WasmGemmEngine {
  if (engine === undefined) engine = chooseEngine();
  return engine;
}

/**
 * Chooses the engine of later {@link gemm} calls (`NETMARL_WASM_GEMM` does the same for a whole
 * process). Numbers differ between engines in the last bits, so switch only between runs.
 */
export function setWasmGemmEngine(choice: WasmGemmEngine): void {
  engine = checkedEngine(choice, "wasm gemm engine");
}

function chooseEngine(): WasmGemmEngine {
  const forced = process.env.NETMARL_WASM_GEMM;
  if (forced !== undefined && forced !== "") return checkedEngine(forced, "NETMARL_WASM_GEMM");
  return fmaSupported() ? "fma" : "simd";
}

/** `choice` as an engine this runtime can run; `source` names where it came from in the error. */
function checkedEngine(choice: string, source: string): WasmGemmEngine {
  if (choice !== "fma" && choice !== "simd" && choice !== "xnnpack") {
    throw new RangeError(`${source} = "${choice}"; expected fma, simd or xnnpack`);
  }
  if (choice === "fma" && !fmaSupported()) {
    throw new Error(`${source} = fma, but this runtime cannot compile relaxed-SIMD WebAssembly`);
  }
  return choice;
}

function fmaSupported(): boolean {
  const binary = decode(GEMM_BINARIES.fma);
  // Runtimes that ship relaxed SIMD (V8 ≥ 11.4, Node ≥ 21) need no flag; Node 20 has it behind one.
  if (WebAssembly.validate(binary)) return true;
  nodeV8()?.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(binary);
}

function nodeV8(): { setFlagsFromString(flags: string): void } | undefined {
  try {
    return createRequire(import.meta.url)("node:v8") as { setFlagsFromString(flags: string): void };
  } catch {
    return undefined;
  }
}

function decode(base64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(base64, "base64"));
}

/**
 * Threads NetMARL's kernels use for large products on the current backend: 2 on the threaded
 * wasm build (`wasmThreads` ≥ 2: the calling thread and one helper), else 1.
 */
export function wasmGemmThreads(): number {
  if (!wasmGemmActive()) return 1;
  const memory = heapOf(tf.backend());
  return memory !== undefined && splitsRows(memory) ? 2 : 1;
}

/** Large products on this heap are split over a helper thread: a shared heap with ≥ 2 wasm threads. */
function splitsRows(memory: WebAssembly.Memory): boolean {
  return memory.buffer instanceof SharedArrayBuffer && wasmThreadCount() >= 2;
}

/** Whether {@link gemm} runs NetMARL's kernels on the current backend. */
export function wasmGemmActive(): boolean {
  return tf.getBackend() === "wasm" && wasmGemmEngine() !== "xnnpack" && heapOf(tf.backend()) !== undefined;
}

/** The backend's heap: exported by the single-threaded build, imported (`wasmMemory`) by the threaded one. */
function heapOf(backend: unknown): WebAssembly.Memory | undefined {
  const module = (backend as WasmBackend).wasm;
  return module?.asm?.memory ?? module?.wasmMemory;
}

/** The kernels' exports on `backend`'s heap (for other NetMARL wasm kernels, e.g. concatColumns). */
export function wasmKernels(backend: WasmBackend): GemmExports {
  return instanceFor(backend).exports;
}

/** Heap address of a tensor's data on the wasm backend. */
export function heapAddress(backend: WasmBackend, info: tf.TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as WasmBackendData).memoryOffset;
}

function instanceFor(backend: WasmBackend): GemmInstance {
  const memory = heapOf(backend);
  if (memory === undefined) throw new Error("gemm: the wasm backend's heap is not reachable");
  let byEngine = instances.get(memory);
  if (byEngine === undefined) {
    byEngine = new Map();
    instances.set(memory, byEngine);
  }
  const chosen = wasmGemmEngine();
  let instance = byEngine.get(chosen);
  if (instance === undefined) {
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const variant = `${chosen}${shared ? "Shared" : ""}` as keyof typeof GEMM_BINARIES;
    const compiled = new WebAssembly.Module(decode(GEMM_BINARIES[variant]));
    const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as GemmExports;
    instance = { exports, module: backend.wasm, compiled, memory, scratch: 0, scratchBytes: 0 };
    byEngine.set(chosen, instance);
  }
  return instance;
}

/** Scratch memory of at least `bytes` (grown, never shrunk; freed with the heap). */
function scratch(instance: GemmInstance, bytes: number): number {
  if (instance.scratchBytes < bytes) {
    if (instance.scratch !== 0) instance.module._free(instance.scratch);
    const size = Math.max(bytes, instance.scratchBytes * 2);
    instance.scratch = instance.module._malloc(size);
    instance.scratchBytes = size;
  }
  return instance.scratch;
}

/** Options of {@link gemm}. */
export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Multiplies the product (not the bias). */
  alpha?: number;
  bias?: tf.Tensor1D;
  activation?: "linear" | "relu";
}

/**
 * activation(alpha · op(a)·op(b) + bias) for 2-D float32 a, b, with op = transpose where asked.
 * On the wasm backend with NetMARL's kernels active it is one kernel; elsewhere it is tfjs's fused
 * matMul (same value up to float rounding). Not differentiable by itself: {@link linear} uses it
 * inside its custom gradient.
 */
export function gemm(a: tf.Tensor2D, b: tf.Tensor2D, options: GemmOptions = {}): tf.Tensor2D {
  const { transposeA = false, transposeB = false, alpha = 1, bias, activation = "linear" } = options;
  if (!wasmGemmActive()) {
    return tf.tidy(() => {
      const scaledA = alpha === 1 ? a : tf.mul(a, alpha);
      return tf.fused.matMul({ a: scaledA, b, transposeA, transposeB, bias, activation }) as tf.Tensor2D;
    });
  }
  registerKernel();
  const inputs: tf.NamedTensorMap = bias === undefined ? { a, b } : { a, b, bias };
  const attrs = { transposeA, transposeB, alpha, relu: activation === "relu" };
  return tf.engine().runKernel(KERNEL_NAME, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * ReLU's backward, dy where y > 0 and 0 elsewhere, for float32 tensors of one shape: one pass of
 * NetMARL's kernel on wasm, `dy · step(y)` elsewhere.
 */
export function reluGradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (!wasmGemmActive() || dy.dtype !== "float32" || y.dtype !== "float32" || dy.size !== y.size) {
    return tf.tidy(() => tf.mul(dy, tf.step(y)));
  }
  registerKernel();
  return tf.engine().runKernel(RELU_GRADIENT, { dy, y }) as tf.Tensor;
}

function registerKernel(): void {
  if (registered) return;
  tf.registerKernel({
    kernelName: KERNEL_NAME,
    backendName: "wasm",
    kernelFunc: gemmKernel as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: RELU_GRADIENT,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
      const out = wasm.makeOutput(dy.shape, "float32");
      const count = dy.shape.reduce((product, size) => product * size, 1);
      wasmKernels(wasm).reluGradient(
        heapAddress(wasm, dy),
        heapAddress(wasm, y),
        heapAddress(wasm, out),
        count,
      );
      return out;
    },
  });
  registered = true;
}

interface GemmKernelArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
  backend: WasmBackend;
  attrs: { transposeA: boolean; transposeB: boolean; alpha: number; relu: boolean };
}

function gemmKernel({ inputs, backend, attrs }: GemmKernelArgs): tf.TensorInfo {
  const { a, b, bias } = inputs;
  const { transposeA, transposeB, alpha, relu } = attrs;
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== "float32" || b.dtype !== "float32") {
    throw new RangeError(
      `gemm: expected 2-D float32 operands, got [${a.shape}] ${a.dtype} and [${b.shape}] ${b.dtype}`,
    );
  }
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new RangeError(`gemm: inner sizes differ (${k} vs ${kb}) for [${a.shape}] and [${b.shape}]`);
  }
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new RangeError(`gemm: bias has shape [${bias.shape}]; expected [${n}]`);
  }
  const instance = instanceFor(backend);
  const out = backend.makeOutput([m, n], "float32");
  const offset = (info: tf.TensorInfo) => heapAddress(backend, info);
  const panels = Math.ceil(n / 8);
  // B can be read in place when it is untransposed with whole panels; otherwise it is packed.
  const packB = transposeB || n % 8 !== 0;
  const biasBytes = panels * 32;
  const packedBytes = packB ? panels * 32 * k : 0;
  const base = scratch(instance, TILE_BYTES + biasBytes + packedBytes);
  const tile = base;
  const paddedBias = base + TILE_BYTES;
  const packed = paddedBias + biasBytes;
  const { exports } = instance;
  if (bias !== undefined) exports.pack(offset(bias), 0, 4, paddedBias, 1, n);
  let bAddress = offset(b);
  let bk = n * 4;
  let bPanel = 32;
  if (packB) {
    // B(k, n) of a transposed b [n, k] sits at n·k·4 + k·4.
    if (transposeB) exports.pack(bAddress, 4, k * 4, packed, k, n);
    else exports.pack(bAddress, n * 4, 4, packed, k, n);
    bAddress = packed;
    bk = 32;
    bPanel = 32 * k;
  }
  // A(m, k) of a transposed a [k, m] sits at k·m·4 + m·4.
  const mStride = transposeA ? 4 : k * 4;
  const kStride = transposeA ? m * 4 : 4;
  // A transposed tall product (a reduction over many rows) is done in passes of K_CHUNK rows that
  // accumulate into C, so each pass's slices of both operands stay in cache.
  const chunk = transposeA && k > 2 * K_CHUNK && bias === undefined && !relu ? K_CHUNK : Math.max(k, 1);
  const job: GemmJob = {
    a: offset(a),
    mStride,
    kStride,
    b: bAddress,
    bk,
    bPanel,
    c: offset(out),
    ldc: n * 4,
    m,
    k,
    n,
    alpha,
    bias: bias === undefined ? 0 : paddedBias,
    relu: relu ? 1 : 0,
    chunk,
    rowBlock: rowsPerBlock(Math.min(chunk, Math.max(k, 1))),
  };
  const helper = m >= 8 && m * n * Math.max(k, 1) >= PARALLEL_MIN_PRODUCTS ? helperFor(instance) : undefined;
  if (helper === undefined) runGemmRows(exports.gemm, job, 0, m, tile);
  else helper.run(exports.gemm, job, tile, Math.round(m / 8) * 4);
  return out;
}
