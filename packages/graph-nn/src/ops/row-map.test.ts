import { createRng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { checkGradients } from "../testing/check-gradients.js";
import { linear, transposeTall, withFrozenWeights } from "./linear.js";
import { applyRowMap, RowMap } from "./row-map.js";

describe.each(TEST_BACKENDS)("RowMap and linear on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  it("gathers, scatters and sums rows, with zero rows where nothing lands", () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const map = new RowMap(3, 4, [2, 0, 2, 1], [1, 0, 0, 1]); // out0 = x0 + x2, out1 = x2 + x1, out2..3 = 0
    expect(applyRowMap(x, map).arraySync()).toEqual([
      [6, 8],
      [8, 10],
      [0, 0],
      [0, 0],
    ]);
    const gather = RowMap.gather(3, [2, 2, 0]);
    expect(applyRowMap(x, gather).arraySync()).toEqual([
      [5, 6],
      [5, 6],
      [1, 2],
    ]);
    const scatter = RowMap.scatter(2, [1, 1, 0]);
    expect(applyRowMap(x, scatter).arraySync()).toEqual([
      [5, 6],
      [4, 6],
    ]);
    tf.dispose(x);
    for (const m of [map, gather, scatter]) m.dispose();
  });

  it("has the transpose as its gradient (finite differences) and leaks nothing", () => {
    const rng = createRng(1);
    const map = new RowMap(5, 4, [0, 4, 4, 2, 1, 3], [3, 3, 0, 1, 1, 2]);
    const x = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(15), -1, 1), [5, 3]));
    const w = tf.tensor2d(rng.fillUniform(new Float32Array(12), -1, 1), [4, 3]);
    const loss = () => tf.sum(tf.mul(tf.square(applyRowMap(x, map)), w)) as tf.Scalar;
    expect(checkGradients(loss, { x }, rng, { coordinates: 15 }).maxRelativeError).toBeLessThan(2e-2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) tf.dispose(tf.grads((v: tf.Tensor) => tf.sum(applyRowMap(v, map)))([x]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    map.dispose();
  });

  it("linear matches x·W + b with relu, and its fast gradient matches finite differences", () => {
    const rng = createRng(2);
    const x = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(2048 * 3), -1, 1), [2048, 3]));
    const w = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(6), -1, 1), [3, 2]));
    const b = tf.variable(tf.tensor1d([0.1, -0.2]));
    const y = linear(x, w, b, "relu");
    const reference = tf.relu(tf.add(tf.matMul(x, w), b));
    expect(tf.max(tf.abs(tf.sub(y, reference))).dataSync()[0]).toBeLessThan(1e-6);
    // 2048 rows exercise the wasm transpose path; without ReLU so that no kink is crossed.
    const probe = tf.tensor2d(rng.fillUniform(new Float32Array(4096), -1, 1), [2048, 2]);
    const loss = () => tf.sum(tf.mul(linear(x, w, b), probe)) as tf.Scalar;
    expect(checkGradients(loss, { x, w, b }, rng).maxRelativeError).toBeLessThan(5e-3);
    // with ReLU on a few rows and ε = 1e-3 (kinks are rarely within ε of a preactivation)
    const small = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(24), -1, 1), [8, 3]));
    const probeSmall = tf.slice(probe, [0, 0], [8, 2]);
    const reluLoss = () => tf.sum(tf.mul(linear(small, w, b, "relu"), probeSmall)) as tf.Scalar;
    expect(checkGradients(reluLoss, { small, w, b }, rng).maxRelativeError).toBeLessThan(2e-2);
    tf.dispose([small, probeSmall]);
    expect(transposeTall(x).arraySync()).toEqual(tf.transpose(x).arraySync());
    tf.dispose([x, w, b, y, reference, probe]);
  });

  it("withFrozenWeights keeps the input gradient exact and skips only the frozen weights' gradients", () => {
    const rng = createRng(3);
    const x = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(64 * 4), -1, 1), [64, 4]));
    const w = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(12), -1, 1), [4, 3]));
    const b = tf.variable(tf.tensor1d([0.1, -0.2, 0.3]));
    const probe = tf.tensor2d(rng.fillUniform(new Float32Array(192), -1, 1), [64, 3]);
    const loss = () => tf.sum(tf.mul(linear(x, w, b, "relu"), probe)) as tf.Scalar;
    const free = tf.variableGrads(loss, [x, w, b]);
    const frozenModule = { variables: () => [w, b] };
    const frozen = withFrozenWeights([frozenModule], () => tf.variableGrads(loss, [x, w, b]));
    expect(frozen.grads[x.name].arraySync()).toEqual(free.grads[x.name].arraySync());
    expect(tf.sum(tf.abs(frozen.grads[w.name])).dataSync()[0]).toBe(0);
    expect(tf.sum(tf.abs(free.grads[w.name])).dataSync()[0]).toBeGreaterThan(0);
    // The scope ends with fn: afterwards the weights get their gradients again.
    const after = tf.variableGrads(loss, [w]);
    expect(after.grads[w.name].arraySync()).toEqual(free.grads[w.name].arraySync());
    tf.dispose([x, w, b, probe, free.value, frozen.value, after.value]);
    tf.dispose([...Object.values(free.grads), ...Object.values(frozen.grads), ...Object.values(after.grads)]);
  });

  it("scaled linear equals linear on scaled weights, and its gradient matches finite differences", () => {
    const rng = createRng(4);
    const x = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(2048 * 3), -1, 1), [2048, 3]));
    const w = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(6), -1, 1), [3, 2]));
    const b = tf.variable(tf.tensor1d([0.1, -0.2]));
    const scales = { kernel: 1 / 15, bias: 0.25 };
    const y = linear(x, w, b, "relu", undefined, true, scales);
    const reference = tf.relu(tf.add(tf.matMul(x, tf.mul(w, 1 / 15)), tf.mul(b, 0.25)));
    expect(tf.max(tf.abs(tf.sub(y, reference))).dataSync()[0]).toBeLessThan(1e-6);
    const probe = tf.tensor2d(rng.fillUniform(new Float32Array(4096), -1, 1), [2048, 2]);
    const loss = () => tf.sum(tf.mul(linear(x, w, b, "linear", undefined, true, scales), probe)) as tf.Scalar;
    expect(checkGradients(loss, { x, w, b }, rng).maxRelativeError).toBeLessThan(5e-3);
    tf.dispose([x, w, b, y, reference, probe]);
  });
});
