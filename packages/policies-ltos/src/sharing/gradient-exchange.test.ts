import { AgentGraph, createRng } from "@netmarl/envs";
import { GraphBatch, initBackend } from "@netmarl/graph-nn";
import { DgnNetwork, NeighbourRows } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { receiverGradients } from "../ltos-learner.js";
import { SharingLayout, softmaxRowsInto } from "./sharing-layout.js";

// 5 agents with degrees 1…3: edges 0-1, 1-2, 2-3, 3-4, 1-3.
const graph = AgentGraph.fromEdges(5, [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [1, 3],
]);
const n = 5;
const maxNeighbors = 3;
const obsDim = 3;

describe.each(["cpu", "wasm"] as const)("gradient exchange on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: false });
  });

  it("g_ij from the exchange equals ∂(Σ_j V_j)/∂w_ij of the whole centralised graph", () => {
    const before = tf.memory().numTensors;
    const rng = createRng(11);
    const graphs = 2; // a minibatch of two time steps
    const rows = new Int32Array(graphs * n * maxNeighbors);
    for (let b = 0; b < graphs; b++) NeighbourRows.writeRows(graph, maxNeighbors, rows, b);
    const layout = new SharingLayout(n, maxNeighbors, graphs, 0.6).build(rows, graphs);
    const k = layout.outWidth;
    const kin = layout.inWidth;
    const nodes = graphs * n;
    const logits = Float32Array.from({ length: nodes * k }, (_, e) => layout.logitOffsets[e] + rng.normal());
    const wOut = softmaxRowsInto(logits, nodes, k, new Float32Array(nodes * k));
    const wIn = layout.reindexOutToIn(wOut, new Float32Array(nodes * kin));
    const q = new DgnNetwork(
      { obsDim: obsDim + kin, numActions: 3, encoderSizes: [8, 8], numLayers: 2, numHeads: 2, headSize: 4 },
      rng.fork("q"),
    );
    const converter = new NeighbourRows(n, maxNeighbors, graphs);
    const batch = new GraphBatch([converter.toGraph(rows, graphs)]);
    const obs = tf.tensor2d(
      Float32Array.from({ length: nodes * obsDim }, () => rng.normal()),
      [nodes, obsDim],
    );

    // Decentralised: receivers differentiate their values w.r.t. w_in, then message each g_ij back.
    const { gradientsIn } = receiverGradients(q, batch, obs, wIn, kin);
    const exchanged = layout.sendGradients(gradientsIn, new Float32Array(nodes * k));

    // Centralised: one graph from w_out to Σ V, the re-indexing as a constant 0/1 matrix.
    const selection = new Float32Array(nodes * kin * nodes * k);
    for (let t = 0; t < nodes * kin; t++) {
      const source = layout.inSources[t];
      if (source >= 0) selection[t * nodes * k + source] = 1;
    }
    const centralised = tf.tidy(() => {
      const s = tf.tensor2d(selection, [nodes * kin, nodes * k]);
      const total = (w: tf.Tensor) => {
        const w2 = tf.reshape(tf.matMul(s, tf.reshape(w, [nodes * k, 1])), [nodes, kin]);
        return tf.sum(tf.max(q.forward(batch, tf.concat([obs, w2], 1) as tf.Tensor2D).q, 1));
      };
      return tf.grad(total)(tf.tensor1d(wOut)).dataSync();
    });

    let largest = 0;
    for (let e = 0; e < nodes * k; e++) {
      largest = Math.max(largest, Math.abs(centralised[e]));
      if (layout.outMask[e] === 0) expect(exchanged[e]).toBe(0);
      else expect(exchanged[e]).toBeCloseTo(centralised[e], 5);
    }
    expect(largest).toBeGreaterThan(1e-4); // the comparison is not between zeros
    tf.dispose(obs);
    batch.dispose();
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
