import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import type { GraphBatch } from "../graph/graph-batch.js";
import { Module } from "../module/module.js";
import { stopGradient } from "../ops/stop-gradient.js";
import { Dense } from "./dense.js";

/** Options of {@link GraphAttention}. */
export interface GraphAttentionOptions {
  inputSize: number;
  /** Number of heads (DGN TF: 8; PyTorch port: 1). */
  numHeads: number;
  /** Width of each head's query/key/value (DGN TF: dv = 16). */
  headSize: number;
  /** Width of the output (DGN: 128). */
  outputSize: number;
}

/**
 * DGN's relation kernel (Jiang et al. 2020; spec §5.1): multi-head dot-product attention of each
 * agent over its neighbourhood *including itself*:
 *
 *     q, k, v = ReLU(Dense(h)) per head;  αᵢⱼ = softmax_{j ∈ N(i) ∪ {i}} (qᵢ·kⱼ / √d)
 *     out_i  = ReLU(Dense(concat_heads Σⱼ αᵢⱼ vⱼ))
 *
 * Aggregation uses the post-softmax weights α (the TF original multiplies by the pre-softmax
 * scores, a bug — spec §5.1). Non-neighbours are masked out exactly (weight 0). With the dense
 * layout neighbourhoods are padded [nodes, K] tables; with the sparse layout it is an edge softmax —
 * both give the same numbers.
 */
export class GraphAttention extends Module {
  readonly numHeads: number;
  readonly headSize: number;
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly output: Dense;

  constructor(options: GraphAttentionOptions, rng: Rng) {
    super();
    const { inputSize, numHeads, headSize, outputSize } = options;
    for (const [name, v] of Object.entries({ inputSize, numHeads, headSize, outputSize })) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`GraphAttention: ${name} = ${v}; expected an integer >= 1`);
    }
    this.numHeads = numHeads;
    this.headSize = headSize;
    const width = numHeads * headSize;
    this.query = this.addChild(
      "query",
      new Dense({ inputSize, outputSize: width, activation: "relu" }, rng.fork(1)),
    );
    this.key = this.addChild(
      "key",
      new Dense({ inputSize, outputSize: width, activation: "relu" }, rng.fork(2)),
    );
    this.value = this.addChild(
      "value",
      new Dense({ inputSize, outputSize: width, activation: "relu" }, rng.fork(3)),
    );
    this.output = this.addChild(
      "output",
      new Dense({ inputSize: width, outputSize, activation: "relu" }, rng.fork(4)),
    );
  }

  /** h: [numNodes, inputSize] → [numNodes, outputSize]. */
  apply(graph: GraphBatch, h: tf.Tensor2D): tf.Tensor2D {
    const { numHeads: heads, headSize: size } = this;
    const rows = graph.numNodes;
    const scale = 1 / Math.sqrt(size);
    const q = tf.reshape(this.query.apply(h), [rows, heads, size]);
    const k = this.key.apply(h);
    const v = this.value.apply(h);
    let mixed: tf.Tensor;
    if (graph.layout === "dense") {
      const width = graph.fanIn(true);
      const keys = tf.reshape(graph.neighbourhood(k, true).values, [rows, width, heads, size]);
      const { values: vals, mask } = graph.neighbourhood(v, true);
      const logits = tf.mul(tf.sum(tf.mul(tf.expandDims(q, 1), keys), 3), scale); // [rows, K, heads]
      const mask3 = tf.reshape(mask, [rows, width, 1]);
      const max = stopGradient(tf.max(tf.add(logits, tf.mul(tf.sub(1, mask3), -1e30)), 1, true));
      const weights = tf.mul(tf.exp(tf.sub(logits, max)), mask3);
      const attention = tf.div(weights, tf.sum(weights, 1, true)); // [rows, K, heads]
      mixed = tf.sum(tf.mul(tf.expandDims(attention, 3), tf.reshape(vals, [rows, width, heads, size])), 1);
    } else {
      const edges = graph.numEdges + rows;
      const qe = graph.gatherTargets(q, true);
      const ke = tf.reshape(graph.gatherSources(k, true), [edges, heads, size]);
      const attention = graph.edgeSoftmax(tf.mul(tf.sum(tf.mul(qe, ke), 2), scale), true); // [edges, heads]
      const ve = tf.reshape(graph.gatherSources(v, true), [edges, heads, size]);
      mixed = graph.scatterToTargets(tf.mul(tf.expandDims(attention, 2), ve), true);
    }
    return this.output.apply(tf.reshape(mixed, [rows, heads * size]));
  }
}
