/**
 * Child process of threaded-wasm.test.ts: starts the wasm backend with `argv[2]` threads, trains a
 * small dense network for a few Adam steps on fixed data and prints a fingerprint of every bit of
 * the result. The process must also exit by itself (the pthread workers are unref'ed).
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "./init-backend.js";
import { gemm, wasmGemmThreads } from "./wasm-gemm/wasm-gemm.js";

const threads = Number(process.argv[2]);
const lines: string[] = [];
await initBackend("wasm", { wasmThreads: threads, log: (line) => lines.push(line) });
const rows = 2048;
const x = tf.tensor2d(
  Float32Array.from({ length: rows * 64 }, (_, i) => Math.sin(i * 0.37)),
  [rows, 64],
);
const y = tf.tensor2d(
  Float32Array.from({ length: rows * 8 }, (_, i) => Math.cos(i * 0.11)),
  [rows, 8],
);
const w1 = tf.variable(
  tf.tensor2d(
    Float32Array.from({ length: 64 * 128 }, (_, i) => Math.sin(i) * 0.1),
    [64, 128],
  ),
);
const w2 = tf.variable(
  tf.tensor2d(
    Float32Array.from({ length: 128 * 8 }, (_, i) => Math.cos(i) * 0.1),
    [128, 8],
  ),
);
const optimizer = tf.train.adam(1e-2);
for (let step = 0; step < 5; step++) {
  optimizer.minimize(
    () => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)) as tf.Scalar,
  );
}
// NetMARL's own kernels on the (shared, with threads) heap: plain (with bias and ReLU), transposed-a
// (small, and large enough to be split over the helper thread, in accumulating passes) and transposed-b.
const bias = tf.tensor1d(Float32Array.from({ length: 128 }, (_, i) => Math.cos(i * 0.3)));
const products = [
  gemm(x, w1, { bias, activation: "relu", alpha: 0.5 }),
  gemm(x, y, { transposeA: true }),
  gemm(x, x, { transposeA: true }),
  gemm(y, w2, { transposeB: true }),
];
const bits = new Uint32Array(
  new Float32Array([...w1.dataSync(), ...w2.dataSync(), ...products.flatMap((p) => [...p.dataSync()])])
    .buffer,
);
let fingerprint = 0;
for (const word of bits) fingerprint = (Math.imul(fingerprint, 31) + word) >>> 0;
console.log(
  JSON.stringify({
    log: lines.join(" "),
    fingerprint,
    sample: w2.dataSync()[3],
    gemmThreads: wasmGemmThreads(),
  }),
);
