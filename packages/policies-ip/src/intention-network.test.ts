import { AgentGraph, createRng } from "@netmarl/envs";
import { type BackendName, GraphBatch, initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { INTENTION_VARIANTS, IntentionNetwork } from "./intention-network.js";

// Agents 0–1–2–3 on a path plus the chord 0–2: degrees 2, 2, 3, 1.
const EDGES: Array<[number, number]> = [
  [0, 1],
  [1, 2],
  [2, 3],
  [0, 2],
];
const X = [
  [0.5, -1.0],
  [1.5, 0.25],
  [-0.75, 2.0],
  [0.1, 0.3],
];

function weight(network: IntentionNetwork, name: string): number[][] | number[] {
  const variable = new Map(network.namedVariables()).get(name);
  if (variable === undefined) throw new Error(`no weight ${name}`);
  return variable.arraySync() as number[][] | number[];
}

const affine = (rows: number[][], kernel: number[][], bias?: number[]) =>
  rows.map((row) => kernel[0].map((_, o) => row.reduce((s, v, i) => s + v * kernel[i][o], bias?.[o] ?? 0)));
const relu = (rows: number[][]) => rows.map((row) => row.map((v) => Math.max(0, v)));
const softmax = (rows: number[][]) =>
  rows.map((row) => {
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });

describe.each(["cpu", "wasm"] as BackendName[])("IntentionNetwork (%s)", (backend) => {
  it.each(["shared", "separate"] as const)(
    "one mean-field round (%s self weights) equals the formula computed by hand on 4 agents",
    async (selfWeights) => {
      await initBackend(backend, { log: false });
      const network = new IntentionNetwork(
        { inputSize: 2, numActions: 3, hiddenSize: 4, rounds: 1, variant: "mean-field", selfWeights },
        createRng(5),
      );
      const graph = AgentGraph.fromEdges(4, EDGES);
      const batch = new GraphBatch([graph]);
      const logits = tf.tidy(() => network.logits(batch, tf.tensor2d(X)).arraySync());
      // μ⁰ = softmax(MLP(x)); μ¹_i = ReLU(W1 Σ_{N_i ∪ i} x + W2 Σ_{N_i ∪ i} μ⁰ + b); logits = W3 μ¹ + b3.
      const hidden0 = relu(
        affine(
          X,
          weight(network, "initialPolicy/layers.0/kernel") as number[][],
          weight(network, "initialPolicy/layers.0/bias") as number[],
        ),
      );
      const mu0 = softmax(
        affine(
          hidden0,
          weight(network, "initialPolicy/layers.1/kernel") as number[][],
          weight(network, "initialPolicy/layers.1/bias") as number[],
        ),
      );
      // shared (the appendix): ReLU(W1 Σ_{N_i ∪ i} x + W2 Σ_{N_i ∪ i} μ⁰ + b);
      // separate: ReLU(A x_i + B Σ_{N_i} x + C μ⁰_i + D Σ_{N_i} μ⁰ + b).
      const closed = selfWeights === "shared";
      const neighbourhood = (i: number) =>
        closed ? [i, ...graph.neighborsOf(i)] : [...graph.neighborsOf(i)];
      const sumOver = (rows: number[][], i: number) =>
        neighbourhood(i).reduce(
          (acc, j) => acc.map((v, c) => v + rows[j][c]),
          new Array(rows[0].length).fill(0),
        );
      const stateSums = X.map((_, i) => sumOver(X, i));
      const intentionSums = mu0.map((_, i) => sumOver(mu0, i));
      const w = (name: string) => weight(network, `rounds.0/${name}`) as number[][];
      const bias = weight(network, "rounds.0/bias") as number[];
      const terms = closed
        ? [affine(stateSums, w("stateKernel"), bias), affine(intentionSums, w("intentionKernel"))]
        : [
            affine(X, w("stateSelfKernel"), bias),
            affine(stateSums, w("stateNeighbourKernel")),
            affine(mu0, w("intentionSelfKernel")),
            affine(intentionSums, w("intentionNeighbourKernel")),
          ];
      const mu1 = relu(
        terms[0].map((row, i) => row.map((_, c) => terms.reduce((sum, t) => sum + t[i][c], 0))),
      );
      const expected = affine(
        mu1,
        weight(network, "top/kernel") as number[][],
        weight(network, "top/bias") as number[],
      );
      for (let i = 0; i < 4; i++)
        for (let a = 0; a < 3; a++) expect(logits[i][a]).toBeCloseTo(expected[i][a], 5);
      batch.dispose();
      network.dispose();
    },
  );

  it.each(INTENTION_VARIANTS)(
    "%s is permutation equivariant: relabelling the agents permutes the logits",
    async (variant) => {
      await initBackend(backend, { log: false });
      const network = new IntentionNetwork(
        { inputSize: 2, numActions: 3, hiddenSize: 8, rounds: 2, variant },
        createRng(9),
      );
      const permutation = [2, 0, 3, 1]; // new label of agent i
      const inverse = [1, 3, 0, 2];
      const permutedEdges = EDGES.map(([i, j]) => [permutation[i], permutation[j]] as [number, number]);
      const permutedX = inverse.map((i) => X[i]);
      const original = new GraphBatch([AgentGraph.fromEdges(4, EDGES)]);
      const relabelled = new GraphBatch([AgentGraph.fromEdges(4, permutedEdges)]);
      const [a, b] = tf.tidy(() => [
        network.logits(original, tf.tensor2d(X)).arraySync(),
        network.logits(relabelled, tf.tensor2d(permutedX)).arraySync(),
      ]);
      for (let i = 0; i < 4; i++)
        for (let k = 0; k < 3; k++) expect(b[permutation[i]][k]).toBeCloseTo(a[i][k], 5);
      // And the graph matters (except for the independent network): dropping the chord changes agent 0.
      const path = new GraphBatch([AgentGraph.fromEdges(4, EDGES.slice(0, 3))]);
      const c = tf.tidy(() => network.logits(path, tf.tensor2d(X)).arraySync());
      if (variant === "independent") expect(c[0]).toEqual(a[0]);
      else expect(Math.max(...c[0].map((v, k) => Math.abs(v - a[0][k])))).toBeGreaterThan(1e-4);
      for (const batch of [original, relabelled, path]) batch.dispose();
      network.dispose();
    },
  );
});

describe("IntentionNetwork options", () => {
  it("encodes each agent type with its own layer (heterogeneous agents), shared network after it", async () => {
    await initBackend("cpu", { log: false });
    const base = { inputSize: 2, numActions: 3, hiddenSize: 4, rounds: 2, variant: "mean-field" as const };
    const typed = new IntentionNetwork({ ...base, groups: [0, 1, 0, 1] }, createRng(3));
    const names = typed.namedVariables().map(([name]) => name);
    expect(names).toContain("groupEncoder/groups.0/layers.0/kernel");
    expect(names).toContain("groupEncoder/groups.1/layers.0/kernel");
    const batch = new GraphBatch([AgentGraph.fromEdges(4, EDGES), AgentGraph.fromEdges(4, EDGES)]);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => typed.logits(batch, tf.tensor2d([...X, ...X])).arraySync());
    // Two copies of the same graph and inputs: the same logits in both.
    expect(logits.slice(4)).toEqual(logits.slice(0, 4));
    typed.dispose(); // frees its cached row groups too
    expect(tf.memory().numTensors).toBeLessThan(before);
    batch.dispose();
    const untyped = new IntentionNetwork({ ...base, groups: [0, 0, 0, 0] }, createRng(3));
    expect(untyped.namedVariables().some(([name]) => name.startsWith("groupEncoder"))).toBe(false);
    untyped.dispose();
  });

  it("refuses bad sizes and variants naming the field", async () => {
    await initBackend("cpu", { log: false });
    const base = { inputSize: 2, numActions: 3, hiddenSize: 4, rounds: 2, variant: "mean-field" as const };
    expect(() => new IntentionNetwork({ ...base, rounds: 0 }, createRng(1))).toThrow(
      /rounds = 0; expected an integer >= 1/,
    );
    expect(() => new IntentionNetwork({ ...base, variant: "gcn" as never }, createRng(1))).toThrow(
      /variant = gcn; expected one of mean-field, loopy-bp, independent/,
    );
  });
});
