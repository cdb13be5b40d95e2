import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { readStateFile, writeStateFile } from "../persistence/state-file.js";
import { Adam, type AdamState } from "./adam.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

describe("Adam", () => {
  it("matches a hand-computed first step and converges on a quadratic", () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const adam = new Adam([x], { learningRate: 0.1 });
    adam.minimize(() => tf.sum(tf.square(x)));
    // First Adam step moves every coordinate by lr · sign(g) (m̂ = g, v̂ = g²).
    const after = Array.from(x.dataSync());
    expect(after[0]).toBeCloseTo(0.9, 5);
    expect(after[1]).toBeCloseTo(-1.9, 5);
    for (let i = 0; i < 300; i++) adam.minimize(() => tf.sum(tf.square(x)));
    expect(Math.max(...Array.from(x.dataSync()).map(Math.abs))).toBeLessThan(0.05);
    adam.dispose();
    x.dispose();
  });

  it("clips the global gradient norm", () => {
    const x = tf.variable(tf.tensor1d([3, 4]));
    const clipped = new Adam([x], { learningRate: 1, maxGradNorm: 1 });
    const { gradNorm } = clipped.minimize(() => tf.sum(tf.mul(x, tf.tensor1d([30, 40]))));
    expect(gradNorm).toBeCloseTo(50, 3);
    clipped.dispose();
    x.dispose();
  });

  it("clips only its first step with clipFirstStepOnly (PIC's exhausted-generator clipping)", () => {
    const g = [30, 40]; // constant gradient, norm 50
    const clippedFirst = [0.6, 0.8]; // clipped to norm 1
    const run = (options: { maxGradNorm: number; clipFirstStepOnly?: boolean }) => {
      const x = tf.variable(tf.tensor1d([3, 4]));
      const adam = new Adam([x], { learningRate: 1, ...options });
      for (let step = 0; step < 2; step++) adam.minimize(() => tf.sum(tf.mul(x, tf.tensor1d(g))));
      const value = Array.from(x.dataSync());
      adam.dispose();
      x.dispose();
      return value;
    };
    // by hand: step 1 on the clipped gradient, step 2 on the raw one (β1 0.9, β2 0.999, ε 1e-8)
    const expected = g.map((raw, i) => {
      const m1 = 0.1 * clippedFirst[i];
      const v1 = 0.001 * clippedFirst[i] ** 2;
      const x1 = [3, 4][i] - m1 / 0.1 / (Math.sqrt(v1 / 0.001) + 1e-8);
      const m2 = 0.9 * m1 + 0.1 * raw;
      const v2 = 0.999 * v1 + 0.001 * raw ** 2;
      return x1 - m2 / (1 - 0.9 ** 2) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
    });
    const firstOnly = run({ maxGradNorm: 1, clipFirstStepOnly: true });
    for (const [i, value] of firstOnly.entries()) expect(value).toBeCloseTo(expected[i], 4);
    const every = run({ maxGradNorm: 1 });
    const never = run({ maxGradNorm: 0 });
    expect(Math.abs(every[0] - firstOnly[0])).toBeGreaterThan(1e-3);
    expect(Math.abs(never[0] - firstOnly[0])).toBeGreaterThan(1e-3);
  });

  it("restores its state exactly and leaks no tensors", () => {
    const make = () => tf.variable(tf.tensor1d([0.5, 1.5, -1]));
    const loss = (v: tf.Variable) => () => tf.sum(tf.pow(tf.sub(v, tf.tensor1d([1, 2, 3])), 4));
    const a = make();
    const adamA = new Adam([a], { learningRate: 0.05 });
    for (let i = 0; i < 5; i++) adamA.minimize(loss(a));
    const path = join(mkdtempSync(join(tmpdir(), "netmarl-adam-")), "adam.bin");
    writeStateFile(path, adamA.getState());
    const saved = readStateFile(path, "adam.bin") as AdamState;
    const b = tf.variable(a.clone());
    const adamB = new Adam([b], { learningRate: 0.05 });
    adamB.setState(saved);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      adamA.minimize(loss(a));
      adamB.minimize(loss(b));
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [adamA, adamB, a, b]) t.dispose();
  });

  it("minimizeSum takes the step of the summed loss (a minibatch split into chunks)", () => {
    const target = tf.tensor2d([
      [1, 2],
      [3, -1],
      [0.5, 0],
      [-2, 1],
    ]);
    const whole = tf.variable(tf.tensor1d([0.2, -0.4]));
    const chunked = tf.variable(whole.clone());
    const mean = (v: tf.Variable, rows: tf.Tensor2D, weight: number) => () =>
      tf.mul(tf.mean(tf.square(tf.sub(rows, v))), weight);
    const adamWhole = new Adam([whole], { learningRate: 0.1, maxGradNorm: 0.5 });
    const adamChunked = new Adam([chunked], { learningRate: 0.1, maxGradNorm: 0.5 });
    const [first, second] = tf.split(target, [1, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const a = adamWhole.minimize(mean(whole, target as tf.Tensor2D, 1));
      const b = adamChunked.minimizeSum([
        mean(chunked, first as tf.Tensor2D, 1 / 4),
        mean(chunked, second as tf.Tensor2D, 3 / 4),
      ]);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5);
    }
    expect(tf.memory().numTensors).toBe(before);
    const [x, y] = [Array.from(whole.dataSync()), Array.from(chunked.dataSync())];
    for (let k = 0; k < 2; k++) expect(y[k]).toBeCloseTo(x[k], 6);
    for (const t of [adamWhole, adamChunked, whole, chunked, target, first, second]) t.dispose();
  });
});
