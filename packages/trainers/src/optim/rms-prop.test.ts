import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { RmsProp } from "./rms-prop.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

describe("RmsProp", () => {
  it("takes torch.optim.RMSprop's steps (ε outside the root) and clips like clip_grad_norm_", () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const optimizer = new RmsProp([x], { learningRate: 0.01, alpha: 0.99, epsilon: 1e-5 });
    for (let step = 0; step < 3; step++) optimizer.minimize(() => tf.sum(tf.square(x)));
    // g = 2θ, a ← 0.99 a + 0.01 g², θ ← θ − 0.01 g / (√a + 1e-5), in float64:
    const reference = (() => {
      const theta = [1, -2];
      const average = [0, 0];
      for (let step = 0; step < 3; step++) {
        for (let i = 0; i < 2; i++) {
          const g = 2 * theta[i];
          average[i] = 0.99 * average[i] + 0.01 * g * g;
          theta[i] -= (0.01 * g) / (Math.sqrt(average[i]) + 1e-5);
        }
      }
      return theta;
    })();
    const after = Array.from(x.dataSync());
    expect(after[0]).toBeCloseTo(reference[0], 5);
    expect(after[1]).toBeCloseTo(reference[1], 5);
    optimizer.dispose();
    x.dispose();
    const y = tf.variable(tf.tensor1d([3, 4]));
    const clipped = new RmsProp([y], { learningRate: 1, alpha: 0.5, epsilon: 1e-8, maxGradNorm: 1 });
    const { gradNorm } = clipped.minimize(() => tf.sum(tf.mul(y, tf.tensor1d([30, 40]))));
    expect(gradNorm).toBeCloseTo(50, 3);
    // Clipped g = (0.6, 0.8); a = 0.5 g²; step = g / √a = √2 per coordinate.
    expect(Array.from(y.dataSync())[0]).toBeCloseTo(3 - Math.SQRT2, 4);
    clipped.dispose();
    y.dispose();
  });

  it("restores its state exactly and leaks no tensors", () => {
    const tensors = tf.memory().numTensors;
    const loss = (v: tf.Variable) => () => tf.sum(tf.pow(tf.sub(v, tf.tensor1d([1, 2, 3])), 4)) as tf.Scalar;
    const options = { learningRate: 0.05, alpha: 0.99, epsilon: 1e-5 };
    const a = tf.tidy(() => tf.variable(tf.tensor1d([0.5, 1.5, -1])));
    const first = new RmsProp([a], options);
    for (let i = 0; i < 4; i++) first.minimize(loss(a));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(a.dataSync())));
    const second = new RmsProp([b], options);
    second.setState(first.getState());
    for (let i = 0; i < 3; i++) {
      first.minimize(loss(a));
      second.minimize(loss(b));
    }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => second.setState({ squareAverages: [] })).toThrow(/1 variables|expected 1/);
    for (const disposable of [first, second, a, b]) disposable.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
