import { AgentGraph, createRng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { GraphBatch } from "./graph-batch.js";

// 0 hears 1 and 2; 1 hears 0; 2 hears nobody; 3 hears 0, 1, 2 (directed).
const graph = AgentGraph.fromEdges(
  4,
  [
    [1, 0],
    [2, 0],
    [0, 1],
    [0, 3],
    [1, 3],
    [2, 3],
  ],
  { directed: true },
);

describe.each(TEST_BACKENDS)("GraphBatch on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  it("sums, averages and maxes over incoming edges of each graph in the batch", () => {
    const batch = GraphBatch.repeat(graph, 2);
    expect(batch.numNodes).toBe(8);
    expect(batch.numEdges).toBe(12);
    const x = tf.tensor2d([[1], [2], [4], [8], [10], [20], [40], [80]]);
    expect(batch.aggregate(x, "sum").arraySync()).toEqual([[6], [1], [0], [7], [60], [10], [0], [70]]);
    expect(batch.aggregate(x, "sum", true).arraySync()).toEqual([
      [7],
      [3],
      [4],
      [15],
      [70],
      [30],
      [40],
      [150],
    ]);
    const mean = batch.aggregate(x, "mean").dataSync();
    for (const [i, v] of [3, 1, 0, 7 / 3, 30, 10, 0, 70 / 3].entries()) expect(mean[i]).toBeCloseTo(v, 5);
    expect(Array.from(batch.aggregate(x, "max").dataSync(), (v) => v + 0)).toEqual([
      4, 1, 0, 4, 40, 10, 0, 40,
    ]);
    tf.dispose(x);
    batch.dispose();
  });

  it("gives the same numbers in the dense and sparse layouts, values and gradients", () => {
    const rng = createRng(3);
    const sparse = new GraphBatch([graph, AgentGraph.complete(3)], { layout: "sparse" });
    const dense = sparse.withLayout("dense");
    expect(dense.layout).toBe("dense");
    expect(new GraphBatch([graph]).layout).toBe("dense"); // auto: fan-in 4 ≤ 9
    const x = tf.variable(tf.tensor2d(rng.fillUniform(new Float32Array(7 * 3), -1, 1), [7, 3]));
    for (const how of ["sum", "mean", "max"] as const) {
      for (const self of [false, true]) {
        const f = (b: GraphBatch) =>
          tf.variableGrads(() => tf.sum(tf.square(b.aggregate(x, how, self))) as tf.Scalar, [x]);
        const a = f(sparse);
        const c = f(dense);
        expect(a.value.dataSync()[0]).toBeCloseTo(c.value.dataSync()[0], 5);
        const diff = tf.max(tf.abs(tf.sub(a.grads[x.name], c.grads[x.name]))).dataSync()[0];
        expect(diff).toBeLessThan(1e-5);
        tf.dispose([a.value, c.value, a.grads[x.name], c.grads[x.name]]);
      }
    }
    tf.dispose(x);
    sparse.dispose();
    dense.dispose();
  });

  it("edge softmax sums to one over each node's incoming edges and matches the dense softmax", () => {
    const rng = createRng(4);
    const batch = GraphBatch.repeat(graph, 3);
    const edges = batch.numEdges + batch.numNodes;
    const logits = tf.tensor2d(rng.fillUniform(new Float32Array(edges * 2), -3, 3), [edges, 2]);
    const softmax = batch.edgeSoftmax(logits, true);
    const totals = batch.scatterToTargets(softmax, true).arraySync() as number[][];
    for (const row of totals) for (const v of row) expect(v).toBeCloseTo(1, 5);
    // the first target (node 0) has edges [self, 1, 2]: compare with a plain softmax
    const data = logits.arraySync() as number[][];
    const z = [data[0][0], data[1][0], data[2][0]];
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const got = softmax.arraySync() as number[][];
    for (let k = 0; k < 3; k++) expect(got[k][0]).toBeCloseTo(e[k] / s, 5);
    tf.dispose([logits, softmax]);
    batch.dispose();
  });

  it("frees its index tensors and leaks nothing over 100 forward + backward passes", () => {
    const before = tf.memory().numTensors;
    const batch = GraphBatch.repeat(graph, 2, { layout: "dense" });
    const x = tf.tidy(() => tf.variable(tf.ones([8, 2])));
    const start = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.tidy(() => {
            const e = batch.edgeSoftmax(batch.gatherSources(x, true), true);
            return tf.sum(
              tf.add(batch.aggregate(x, "max", true), batch.scatterToTargets(e, true)),
            ) as tf.Scalar;
          }),
        [x],
      );
      tf.dispose([value, grads[x.name]]);
      if (i === 0) expect(tf.memory().numTensors).toBeGreaterThan(start); // index tensors built lazily
    }
    const afterFirst = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(batch.aggregate(x, "max", true)) as tf.Scalar,
      [x],
    );
    tf.dispose([value, grads[x.name]]);
    expect(tf.memory().numTensors).toBe(afterFirst);
    batch.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
