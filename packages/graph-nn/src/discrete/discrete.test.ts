import { createRng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { DirectedGraph } from "graphology";
import { hasCycle } from "graphology-dag";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { Categorical } from "./categorical.js";
import { gumbelSinkhorn, sinkhorn } from "./gumbel-sinkhorn.js";
import { gumbelSoftmax } from "./gumbel-softmax.js";
import { hungarian } from "./hungarian.js";
import { dagDensity, sampleDag } from "./sample-dag.js";

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]),
  );
}

describe("hungarian", () => {
  it("matches brute force on 300 random matrices up to 6 × 6 (ties included)", () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + (trial % 6);
      const score = Array.from({ length: n * n }, () => (trial % 3 === 0 ? rng.int(4) : rng.normal()));
      const best = Math.max(...permutations(n).map((p) => p.reduce((s, c, r) => s + score[r * n + c], 0)));
      const assignment = hungarian(score, n);
      expect(new Set(assignment).size).toBe(n);
      const value = Array.from(assignment).reduce((s, c, r) => s + score[r * n + c], 0);
      expect(value).toBeCloseTo(best, 9);
    }
    expect(Array.from(hungarian([1, 5, 4, 2], 2))).toEqual([1, 0]);
  });
});

describe.each(TEST_BACKENDS)("discrete pieces on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  it("Sinkhorn rows and columns sum to 1 within 1e-4", () => {
    const logAlpha = tf.tensor3d(createRng(12).fillUniform(new Float32Array(3 * 5 * 5), -2, 2), [3, 5, 5]);
    const soft = sinkhorn(logAlpha, 20);
    for (const axis of [1, 2])
      for (const v of tf.sum(soft, axis).dataSync()) expect(Math.abs(v - 1)).toBeLessThan(1e-4);
    tf.dispose([logAlpha, soft]);
  });

  it("Sinkhorn's hand-written gradient equals the gradient of the same iterations written as tfjs ops", () => {
    const rng = createRng(14);
    const logAlpha = tf.tensor3d(rng.fillUniform(new Float32Array(3 * 4 * 4), -2, 2), [3, 4, 4]);
    const probe = tf.tensor3d(rng.fillUniform(new Float32Array(3 * 4 * 4), -1, 1), [3, 4, 4]);
    const reference = (x: tf.Tensor) => {
      let log = x;
      for (let i = 0; i < 20; i++) {
        log = tf.sub(log, tf.logSumExp(log, 2, true));
        log = tf.sub(log, tf.logSumExp(log, 1, true));
      }
      return tf.exp(log);
    };
    const [ours, theirs] = [sinkhorn, reference].map((f) =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), probe)))(logAlpha)
            .dataSync(),
        ),
      ),
    );
    ours.forEach((value, k) => {
      expect(Math.abs(value - theirs[k])).toBeLessThan(1e-4);
    });
    const values = tf.tidy(() => [
      Array.from(sinkhorn(logAlpha).dataSync()),
      Array.from(reference(logAlpha).dataSync()),
    ]);
    values[0].forEach((value, k) => {
      expect(Math.abs(value - values[1][k])).toBeLessThan(1e-5);
    });
    tf.dispose([logAlpha, probe]);
  });

  it("Gumbel-Sinkhorn returns the Hungarian permutation forward and the soft gradient backward", () => {
    const rng = createRng(13);
    const logAlpha = tf.variable(tf.tensor3d(rng.fillUniform(new Float32Array(2 * 4 * 4), -1, 1), [2, 4, 4]));
    const hard = gumbelSinkhorn(logAlpha, { rng: rng.fork(1) });
    const values = hard.arraySync() as number[][][];
    for (const m of values) {
      for (let i = 0; i < 4; i++) {
        expect(m[i].reduce((a, b) => a + b, 0)).toBe(1);
        expect(m.reduce((a, row) => a + row[i], 0)).toBe(1);
      }
    }
    const probe = tf.tensor3d(rng.fillUniform(new Float32Array(32), -1, 1), [2, 4, 4]);
    const gHard = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gumbelSinkhorn(x, { rng: createRng(5) }), probe)))(
      logAlpha,
    );
    const gSoft = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(gumbelSinkhorn(x, { rng: createRng(5), hard: false }), probe)),
    )(logAlpha);
    expect(tf.max(tf.abs(tf.sub(gHard, gSoft))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(gSoft)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([logAlpha, hard, probe, gHard, gSoft]);
  });

  it("straight-through Gumbel-softmax: one-hot forward, soft gradient backward, seeded noise", () => {
    const logits = tf.tensor2d([
      [0.5, -1, 2],
      [0, 0, 0],
    ]);
    const a = gumbelSoftmax(logits, { rng: createRng(1) });
    const b = gumbelSoftmax(logits, { rng: createRng(1) });
    expect(a.arraySync()).toEqual(b.arraySync());
    for (const row of a.arraySync() as number[][]) expect(row.slice().sort()).toEqual([0, 0, 1]);
    expect(gumbelSoftmax(logits).arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]); // no noise: argmax (first on ties)
    const probe = tf.tensor2d([
      [1, -2, 3],
      [0.5, 0.1, -1],
    ]);
    const gHard = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(gumbelSoftmax(x, { rng: createRng(2), temperature: 0.7 }), probe)),
    )(logits);
    const gSoft = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(gumbelSoftmax(x, { rng: createRng(2), temperature: 0.7, hard: false }), probe)),
    )(logits);
    expect(gHard.arraySync()).toEqual(gSoft.arraySync());
    tf.dispose([logits, a, b, probe, gHard, gSoft]);
  });

  it("1000 sampled DAGs are all acyclic (graphology-dag) and the density is 2ΣG / (B n(n−1))", () => {
    const n = 6;
    const rng = createRng(14);
    const permutationLogits = tf.tensor3d(rng.fillUniform(new Float32Array(50 * n * n), -1, 1), [50, n, n]);
    const edgeLogits = tf.tensor3d(rng.fillUniform(new Float32Array(50 * n * n), -1, 2), [50, n, n]);
    let edges = 0;
    for (let round = 0; round < 20; round++) {
      const sample = sampleDag(permutationLogits, edgeLogits, { rng: rng.fork(round) });
      const adjacency = sample.adjacency.arraySync();
      const density = dagDensity(sample.adjacency).dataSync()[0];
      let total = 0;
      for (const g of adjacency) {
        const dag = new DirectedGraph();
        for (let i = 0; i < n; i++) dag.addNode(String(i));
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < n; i++) {
            expect([0, 1]).toContain(g[j][i]);
            if (g[j][i] === 1) dag.addEdge(String(j), String(i));
            total += g[j][i];
          }
        }
        expect(hasCycle(dag)).toBe(false);
      }
      edges += total;
      expect(density).toBeCloseTo((2 * total) / (50 * n * (n - 1)), 5);
      tf.dispose([sample.adjacency, sample.edges, sample.permutation]);
    }
    expect(edges).toBeGreaterThan(1000 * 3); // not trivially empty
    // two-class edge logits (BN-DAG form) are accepted too; gradients reach both inputs
    const classes = tf.variable(tf.randomUniform([2, n, n, 2], -1, 1, "float32", 3));
    const perm = tf.variable(tf.zeros([2, n, n]));
    const { grads } = tf.variableGrads(
      () => dagDensity(sampleDag(perm, classes, { rng: createRng(4) }).adjacency),
      [classes, perm],
    );
    expect(tf.max(tf.abs(grads[classes.name])).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.max(tf.abs(grads[perm.name])).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([permutationLogits, edgeLogits, classes, perm, ...Object.values(grads)]);
  });

  it("categorical: log-prob and entropy by hand, seeded sampling with the right frequencies", () => {
    const dist = new Categorical(
      tf.tensor2d([
        [Math.log(0.2), Math.log(0.3), Math.log(0.5)],
        [0, 0, 0],
      ]),
    );
    const logProb = dist.logProb(tf.tensor1d([2, 0], "int32")).dataSync();
    expect(logProb[0]).toBeCloseTo(Math.log(0.5), 5);
    expect(logProb[1]).toBeCloseTo(Math.log(1 / 3), 5);
    const entropy = dist.entropy().dataSync();
    expect(entropy[0]).toBeCloseTo(-(0.2 * Math.log(0.2) + 0.3 * Math.log(0.3) + 0.5 * Math.log(0.5)), 5);
    expect(entropy[1]).toBeCloseTo(Math.log(3), 5);
    const many = new Categorical(
      tf.tile(tf.tensor2d([[Math.log(0.2), Math.log(0.3), Math.log(0.5)]]), [20000, 1]),
    );
    const a = many.sample(createRng(21)).dataSync();
    expect(Array.from(many.sample(createRng(21)).dataSync())).toEqual(Array.from(a));
    const counts = [0, 0, 0];
    for (const k of a) counts[k]++;
    expect(counts[0] / 20000).toBeCloseTo(0.2, 1);
    expect(counts[2] / 20000).toBeCloseTo(0.5, 1);
    expect(Array.from(dist.mode().dataSync())).toEqual([2, 0]);
  });
});
