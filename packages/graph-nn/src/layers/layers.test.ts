import { AgentGraph, createRng, type Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GraphBatch } from "../graph/graph-batch.js";
import { RowGroups } from "../graph/row-groups.js";
import type { Module } from "../module/module.js";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { checkGradients } from "../testing/check-gradients.js";
import { DeepSet } from "./deep-set.js";
import { Dense } from "./dense.js";
import { GraphAttention } from "./graph-attention.js";
import { GroupEncoder } from "./group-encoder.js";
import { GRUCell } from "./gru-cell.js";
import { LoopyBPLayer } from "./loopy-bp-layer.js";
import { MeanFieldLayer } from "./mean-field-layer.js";
import { MLP } from "./mlp.js";

const N = 5;
const EDGES: [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 0],
  [0, 2],
  [3, 1],
];
// Undirected except for the one-way link 3 → 1 (LoopyBP must handle a missing reverse edge).
const graph = AgentGraph.fromEdges(
  N,
  {
    sources: [...EDGES.map((e) => e[0]), 1, 2, 3, 4, 0, 2],
    targets: [...EDGES.map((e) => e[1]), 0, 1, 2, 3, 4, 0],
  },
  { directed: true },
);

function permuted(permutation: number[]): AgentGraph {
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < N; i++)
    for (const j of graph.neighborsOf(i)) {
      sources.push(permutation[j]);
      targets.push(permutation[i]);
    }
  return AgentGraph.fromEdges(N, { sources, targets }, { directed: true });
}

/** A graph layer under test: output rows = nodes. */
interface GraphCase {
  name: string;
  layout?: "dense" | "sparse";
  inputSize: number;
  make: (rng: Rng) => Module;
  run: (module: Module, batch: GraphBatch, x: tf.Tensor2D) => tf.Tensor2D;
}

const GRAPH_CASES: GraphCase[] = [
  {
    name: "MeanFieldLayer",
    inputSize: 3,
    make: (rng) => new MeanFieldLayer({ stateSize: 3, hiddenSize: 4 }, rng),
    run: (m, b, x) => {
      const layer = m as MeanFieldLayer;
      const mu = layer.apply(b, x, tf.zeros([b.numNodes, 4]));
      return layer.apply(b, x, mu); // two rounds, the second with non-zero μ
    },
  },
  {
    name: "LoopyBPLayer",
    inputSize: 3,
    make: (rng) => new LoopyBPLayer({ stateSize: 3, hiddenSize: 4 }, rng),
    run: (m, b, x) => {
      const layer = m as LoopyBPLayer;
      const first = layer.apply(b, x, layer.initialMessages(b));
      return layer.apply(b, x, first.messages).intentions;
    },
  },
  {
    name: "GraphAttention (dense)",
    layout: "dense",
    inputSize: 3,
    make: (rng) => new GraphAttention({ inputSize: 3, numHeads: 2, headSize: 2, outputSize: 3 }, rng),
    run: (m, b, x) => {
      expect(b.layout).toBe("dense");
      return (m as GraphAttention).apply(b, x);
    },
  },
  {
    name: "GraphAttention (sparse)",
    layout: "sparse",
    inputSize: 3,
    make: (rng) => new GraphAttention({ inputSize: 3, numHeads: 2, headSize: 2, outputSize: 3 }, rng),
    run: (m, b, x) => {
      expect(b.layout).toBe("sparse");
      return (m as GraphAttention).apply(b, x);
    },
  },
];

let groups: RowGroups | undefined;
const GROUPS = () => {
  groups ??= new RowGroups([0, 1, 1, 0, 1, 0, 0, 1, 1, 0], 2);
  return groups;
};

/** Non-graph layers: x [rows, inputSize] → [rows, out]. */
const ROW_CASES: {
  name: string;
  inputSize: number;
  make: (rng: Rng) => Module;
  run: (m: Module, x: tf.Tensor2D) => tf.Tensor;
}[] = [
  {
    name: "Dense",
    inputSize: 3,
    make: (rng) => new Dense({ inputSize: 3, outputSize: 2, activation: "relu" }, rng),
    run: (m, x) => (m as Dense).apply(x),
  },
  {
    name: "MLP",
    inputSize: 3,
    make: (rng) => new MLP({ inputSize: 3, hiddenSizes: [4], outputSize: 2 }, rng),
    run: (m, x) => (m as MLP).apply(x),
  },
  {
    name: "GroupEncoder",
    inputSize: 3,
    make: (rng) => new GroupEncoder({ numGroups: 2, inputSize: 3, hiddenSizes: [], outputSize: 2 }, rng),
    run: (m, x) => (m as GroupEncoder).apply(x, GROUPS()),
  },
  {
    name: "DeepSet",
    inputSize: 3,
    make: (rng) =>
      new DeepSet(
        {
          inputSize: 3,
          phiHiddenSizes: [4],
          embeddingSize: 3,
          rhoHiddenSizes: [],
          outputSize: 2,
          pooling: "mean",
        },
        rng,
      ),
    run: (m, x) =>
      (m as DeepSet).apply(
        tf.reshape(x, [2, 5, 3]),
        tf.tensor2d([
          [1, 1, 1, 0, 1],
          [1, 0, 1, 1, 1],
        ]),
      ),
  },
  {
    name: "GRUCell",
    inputSize: 3,
    make: (rng) => new GRUCell({ inputSize: 3, hiddenSize: 2 }, rng),
    run: (m, x) => {
      const cell = m as GRUCell;
      const xs = tf.reshape(x, [5, 2, 3]) as tf.Tensor3D;
      return cell.unroll(
        xs,
        tf.fill([2, 2], 0.3),
        tf.tensor2d([
          [0, 0],
          [0, 1],
          [0, 0],
          [1, 0],
          [0, 0],
        ]),
      ).outputs;
    },
  },
];

function probeLoss(out: tf.Tensor, probe: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(out, tf.reshape(probe, out.shape))) as tf.Scalar;
}

function gradientErrors(
  module: Module,
  inputVariable: tf.Variable,
  loss: () => tf.Scalar,
  rng: Rng,
): Record<string, number> {
  const tensors: Record<string, tf.Variable> = { input: inputVariable };
  for (const [name, v] of module.namedVariables()) tensors[name] = v;
  return checkGradients(loss, tensors, rng, { coordinates: 6 }).errors;
}

describe.each(TEST_BACKENDS)("layers on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(GRAPH_CASES)("$name", (layerCase) => {
    it("matches finite differences (inputs and every weight)", () => {
      const rng = createRng(`${layerCase.name}-grad`);
      const module = layerCase.make(rng.fork("init"));
      const batch = GraphBatch.repeat(graph, 2, { layout: layerCase.layout ?? "auto" });
      const x = tf.tidy(() =>
        tf.variable(
          tf.tensor2d(rng.fillUniform(new Float32Array(2 * N * layerCase.inputSize), -1, 1), [
            2 * N,
            layerCase.inputSize,
          ]),
        ),
      );
      const outSize = tf.tidy(() => layerCase.run(module, batch, x).shape[1]);
      const probe = tf.tensor1d(rng.fillUniform(new Float32Array(2 * N * outSize), -1, 1));
      const errors = gradientErrors(
        module,
        x,
        () => tf.tidy(() => probeLoss(layerCase.run(module, batch, x), probe)),
        rng,
      );
      for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(2e-2);
      tf.dispose([x, probe]);
      batch.dispose();
      module.dispose();
    });

    it("is permutation-equivariant", () => {
      const rng = createRng(`${layerCase.name}-perm`);
      const module = layerCase.make(rng.fork("init"));
      const permutation = [3, 0, 4, 1, 2];
      const options = { layout: layerCase.layout ?? ("auto" as const) };
      const batch = new GraphBatch([graph], options);
      const other = new GraphBatch([permuted(permutation)], options);
      const data = rng.fillUniform(new Float32Array(N * layerCase.inputSize), -1, 1);
      const moved = new Float32Array(data.length);
      for (let i = 0; i < N; i++)
        moved.set(
          data.subarray(i * layerCase.inputSize, (i + 1) * layerCase.inputSize),
          permutation[i] * layerCase.inputSize,
        );
      const y = tf.tidy(() =>
        layerCase.run(module, batch, tf.tensor2d(data, [N, layerCase.inputSize])).arraySync(),
      );
      const z = tf.tidy(() =>
        layerCase.run(module, other, tf.tensor2d(moved, [N, layerCase.inputSize])).arraySync(),
      );
      for (let i = 0; i < N; i++)
        for (let c = 0; c < y[i].length; c++) expect(z[permutation[i]][c]).toBeCloseTo(y[i][c], 5);
      expect(y.flat().some((v) => v !== 0)).toBe(true);
      batch.dispose();
      other.dispose();
      module.dispose();
    });

    it("leaks no tensor over 100 forward + backward passes", () => {
      const module = layerCase.make(createRng(5));
      const batch = GraphBatch.repeat(graph, 2, { layout: layerCase.layout ?? "auto" });
      const x = tf.ones([2 * N, layerCase.inputSize]) as tf.Tensor2D;
      const pass = () => {
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => tf.sum(layerCase.run(module, batch, x)) as tf.Scalar),
          module.trainableVariables(),
        );
        tf.dispose([value, ...Object.values(grads)]);
      };
      pass(); // builds the batch's index tensors once
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) pass();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      batch.dispose();
      module.dispose();
    });
  });

  describe.each(ROW_CASES)("$name", (layerCase) => {
    it("matches finite differences and leaks nothing over 100 passes", () => {
      const rng = createRng(`${layerCase.name}-grad`);
      const module = layerCase.make(rng.fork("init"));
      const x = tf.tidy(() =>
        tf.variable(
          tf.tensor2d(rng.fillUniform(new Float32Array(10 * layerCase.inputSize), -1, 1), [
            10,
            layerCase.inputSize,
          ]),
        ),
      );
      const size = tf.tidy(() => layerCase.run(module, x).size);
      const probe = tf.tensor1d(rng.fillUniform(new Float32Array(size), -1, 1));
      const loss = () => tf.tidy(() => probeLoss(layerCase.run(module, x), probe));
      const errors = gradientErrors(module, x, loss, rng);
      for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(2e-2);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        const { value, grads } = tf.variableGrads(loss, [x, ...module.trainableVariables()]);
        tf.dispose([value, ...Object.values(grads)]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, probe]);
      module.dispose();
    });
  });

  it("GRUCell resets the hidden state where the mask says so, mid-sequence", () => {
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 3 }, createRng(7));
    const xs = tf.tensor3d(createRng(8).fillUniform(new Float32Array(4 * 2 * 2), -1, 1), [4, 2, 2]);
    const h0 = tf.fill([2, 3], 0.5) as tf.Tensor2D;
    const resets = tf.tensor2d([
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 0],
    ]);
    const { outputs } = cell.unroll(xs, h0, resets);
    // Sequence 0 restarted at t = 2: its outputs from t = 2 on equal a fresh unroll of xs[2:] from zeros.
    const fresh = cell.unroll(
      tf.slice(xs, [2, 0, 0], [2, 2, 2]) as tf.Tensor3D,
      cell.initialState(2),
    ).outputs;
    const a = outputs.arraySync() as number[][][];
    const b = fresh.arraySync() as number[][][];
    for (let t = 0; t < 2; t++) for (let c = 0; c < 3; c++) expect(a[t + 2][0][c]).toBeCloseTo(b[t][0][c], 6);
    // Sequence 1 was not reset, so it differs from the fresh run.
    expect(Math.abs(a[2][1][0] - b[0][1][0])).toBeGreaterThan(1e-4);
    // Hand-checked step: with zero weights h' = (1 − σ(0))·tanh(0) + σ(0)·h = h / 2.
    cell.setWeights(cell.getWeights().map((w) => ({ ...w, values: new Float32Array(w.values.length) })));
    expect(cell.step(tf.ones([1, 2]), tf.tensor2d([[2, -4, 6]])).arraySync()).toEqual([[1, -2, 3]]);
    tf.dispose([xs, h0, resets, outputs, fresh]);
    cell.dispose();
  });

  it("MeanFieldLayer computes σ(W₁(sᵢ + Σsⱼ) + W₂(μᵢ + Σμⱼ) + b) by hand", () => {
    const layer = new MeanFieldLayer({ stateSize: 1, hiddenSize: 1 }, createRng(9));
    layer.setWeights([
      { name: "stateKernel", shape: [1, 1], values: Float32Array.of(2) },
      { name: "intentionKernel", shape: [1, 1], values: Float32Array.of(-1) },
      { name: "bias", shape: [1], values: Float32Array.of(0.5) },
    ]);
    const line = AgentGraph.fromEdges(3, [
      [0, 1],
      [1, 2],
    ]); // 0 – 1 – 2
    const batch = new GraphBatch([line]);
    const out = layer.apply(batch, tf.tensor2d([[1], [2], [3]]), tf.tensor2d([[1], [0], [4]]));
    // node 0: 2·(1+2) − (1+0) + .5 = 5.5; node 1: 2·6 − 5 + .5 = 7.5; node 2: 2·5 − 4 + .5 = 6.5
    expect(out.arraySync()).toEqual([[5.5], [7.5], [6.5]]);
    out.dispose();
    batch.dispose();
    layer.dispose();
  });
});
