import { createRng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { orthogonalValues } from "../module/orthogonal.js";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { checkGradients } from "../testing/check-gradients.js";
import { LayerNorm } from "./layer-norm.js";
import { LayerNormMLP } from "./layer-norm-mlp.js";

describe("orthogonalValues", () => {
  it.each([
    [6, 4],
    [4, 6],
    [5, 5],
  ])("gives orthonormal columns (or rows) times the gain for a %i × %i kernel", (rows, cols) => {
    const gain = 0.5;
    const w = orthogonalValues(createRng(1), rows, cols, gain);
    const byColumns = rows >= cols;
    const count = Math.min(rows, cols);
    const entry = (k: number, t: number) => (byColumns ? w[t * cols + k] : w[k * cols + t]);
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        let dot = 0;
        for (let t = 0; t < Math.max(rows, cols); t++) dot += entry(a, t) * entry(b, t);
        expect(dot).toBeCloseTo(a === b ? gain * gain : 0, 5);
      }
    }
  });
});

describe.each(TEST_BACKENDS)("LayerNorm and LayerNormMLP on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  it("normalises each row to mean 0 and variance 1 at initialisation", () => {
    const norm = new LayerNorm(5);
    const y = tf.tidy(() =>
      norm
        .apply(
          tf.tensor2d([
            [1, 2, 3, 4, 10],
            [-1, 0, 0, 0, 1],
          ]),
        )
        .arraySync(),
    );
    for (const row of y) {
      const mean = row.reduce((a, b) => a + b, 0) / row.length;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 2);
    }
    norm.dispose();
  });

  it("matches finite differences in its input and every weight", () => {
    const rng = createRng("layer-norm-mlp");
    const mlp = new LayerNormMLP({ inputSize: 4, hiddenSizes: [6, 5] }, rng);
    const x = tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: 12 }, () => rng.normal()),
        [3, 4],
      ),
    );
    const target = tf.tensor2d(
      Float32Array.from({ length: 15 }, () => rng.normal()),
      [3, 5],
    );
    const tensors: Record<string, tf.Variable> = { x };
    for (const [name, variable] of mlp.namedVariables()) tensors[name] = variable;
    const result = checkGradients(
      () => tf.tidy(() => tf.sum(tf.mul(mlp.apply(x), target)) as tf.Scalar),
      tensors,
      rng,
      {
        coordinates: 4,
      },
    );
    expect(result.maxRelativeError).toBeLessThan(2e-2);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 10; k++) tf.dispose(mlp.apply(x));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, target]);
    mlp.dispose();
  });
});
