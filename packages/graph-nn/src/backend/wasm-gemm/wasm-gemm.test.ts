import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderGemmBinariesModule } from "../../../scripts/assemble-gemm.js";
import { linear } from "../../ops/linear.js";
import { initBackend } from "../init-backend.js";
import { gemm, reluGradient, setWasmGemmEngine, type WasmGemmEngine, wasmGemmEngine } from "./wasm-gemm.js";

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) % 1);
}

/** alpha · op(a)·op(b) + bias, ReLU'd, in float64 on the host. */
function reference(
  a: Float32Array,
  b: Float32Array,
  [m, k, n]: number[],
  {
    transposeA = false,
    transposeB = false,
    alpha = 1,
    bias = undefined as Float32Array | undefined,
    relu = false,
  },
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += a[transposeA ? p * m + i : i * k + p] * b[transposeB ? j * k + p : p * n + j];
      }
      let value = alpha * sum + (bias === undefined ? 0 : bias[j]);
      if (relu) value = Math.max(value, 0);
      out[i * n + j] = value;
    }
  }
  return out;
}

const ENGINES: WasmGemmEngine[] = ["fma", "simd"];

describe("NetMARL's wasm gemm kernels", () => {
  let initial: WasmGemmEngine;
  beforeAll(async () => {
    await initBackend("wasm", { log: false, env: {} });
    initial = wasmGemmEngine();
  });
  afterAll(async () => {
    setWasmGemmEngine(initial);
    await tf.setBackend("cpu");
  });

  it("chooses relaxed-SIMD FMA where this Node compiles it", () => {
    expect(initial).toBe("fma");
  });

  for (const engine of ENGINES) {
    it(`${engine}: equals the float64 product for every transpose, remainder rows and columns, alpha, bias and ReLU`, () => {
      setWasmGemmEngine(engine);
      const before = tf.memory().numTensors;
      // M % 4 and N % 8 remainders, K = 1, K = 0, and a K above the chunked pass (transposed a).
      const shapes = [
        [7, 5, 13],
        [16, 26, 128],
        [3, 1, 5],
        [9, 0, 8],
        [130, 33, 17],
        [13, 1300, 24],
      ];
      for (const [m, k, n] of shapes) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            for (const epilogue of [{}, { alpha: 0.5, bias: true, relu: true }, { alpha: -2 }]) {
              const aData = values(m * k, 1);
              const bData = values(k * n, 2);
              const biasData = values(n, 3);
              const a = tf.tensor2d(aData, transposeA ? [k, m] : [m, k]);
              const b = tf.tensor2d(bData, transposeB ? [n, k] : [k, n]);
              const bias = "bias" in epilogue ? tf.tensor1d(biasData) : undefined;
              const relu = "relu" in epilogue;
              const alpha = epilogue.alpha ?? 1;
              const c = gemm(a, b, {
                transposeA,
                transposeB,
                alpha,
                bias,
                activation: relu ? "relu" : "linear",
              });
              expect(c.shape).toEqual([m, n]);
              const expected = reference(aData, bData, [m, k, n], {
                transposeA,
                transposeB,
                alpha,
                bias: bias === undefined ? undefined : biasData,
                relu,
              });
              const got = c.dataSync();
              let worst = 0;
              for (let i = 0; i < expected.length; i++)
                worst = Math.max(worst, Math.abs(got[i] - expected[i]));
              expect(
                worst,
                `[${m},${k},${n}] ${transposeA} ${transposeB} ${JSON.stringify(epilogue)}`,
              ).toBeLessThan(1e-5 * Math.max(1, k));
              tf.dispose([a, b, c, ...(bias === undefined ? [] : [bias])]);
            }
          }
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("refuses mismatched shapes and unknown engines with one-line errors", () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([5, 2]) as tf.Tensor2D;
    expect(() => gemm(a, b)).toThrow("gemm: inner sizes differ (4 vs 5) for [3,4] and [5,2]");
    expect(() => setWasmGemmEngine("avx" as WasmGemmEngine)).toThrow(
      'wasm gemm engine = "avx"; expected fma, simd or xnnpack',
    );
    tf.dispose([a, b]);
  });

  it("gives linear the same value and gradients as XNNPACK (float tolerance)", () => {
    const run = (engine: WasmGemmEngine) => {
      setWasmGemmEngine(engine);
      return tf.tidy(() => {
        const x = tf.tensor2d(values(1030 * 20, 4), [1030, 20]);
        const kernel = tf.tensor2d(values(20 * 12, 5), [20, 12]);
        const bias = tf.tensor1d(values(12, 6));
        const f = (xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.square(
              linear(xs as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, "relu", undefined, true, {
                kernel: 0.5,
                bias: 2,
              }),
            ),
          );
        const { value, grads } = tf.valueAndGrads(f)([x, kernel, bias]);
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    };
    const xnnpack = run("xnnpack");
    for (const engine of ENGINES) {
      const ours = run(engine);
      ours.forEach((values, i) => {
        let worst = 0;
        values.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - xnnpack[i][j]) / Math.max(1, Math.abs(v)));
        });
        expect(worst, `${engine}, output ${i}`).toBeLessThan(1e-4);
      });
    }
  });

  it("ships the binaries that gemm-wat.ts assembles to (pnpm --filter @netmarl/graph-nn generate:gemm)", async () => {
    const { readFileSync } = await import("node:fs");
    const committed = readFileSync(new URL("./gemm-binaries.generated.ts", import.meta.url), "utf8");
    expect(committed).toBe(await renderGemmBinariesModule());
  });
});

describe("reluGradient", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("equals dy · step(y) bit for bit, NaN, ±Inf and signed zeros included, in the vector and the tail part", async () => {
    const special = [1, 0, -0, -2, Number.NaN, 3, 0.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    // 81 pairs, an odd count: the last one goes through the scalar tail.
    const y = special.flatMap((value) => special.map(() => value));
    const dy = special.flatMap(() => special.map((value) => value * 7));
    const bits = (backend: "wasm" | "cpu") =>
      tf.tidy(() => {
        const yt = tf.tensor1d(y);
        const dyt = tf.tensor1d(dy);
        const out = backend === "wasm" ? reluGradient(dyt, yt) : tf.mul(dyt, tf.step(yt));
        // Bit patterns (signed zeros count); any NaN as "NaN" (its sign and payload are the CPU's choice).
        const values = Float32Array.from(out.dataSync());
        const words = new Uint32Array(values.buffer);
        return Array.from(values, (value, i) => (Number.isNaN(value) ? "NaN" : words[i]));
      });
    await initBackend("cpu", { log: false, env: {} });
    const expected = bits("cpu");
    await initBackend("wasm", { log: false, env: {} });
    const before = tf.memory().numTensors;
    expect(bits("wasm")).toEqual(expected);
    expect(tf.memory().numTensors).toBe(before);
  });
});
