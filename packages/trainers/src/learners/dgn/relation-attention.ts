import { type GraphAttention, type GraphBatch, stopGradient } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Masked attention of one relation kernel over each node's neighbourhood (self first). */
export interface RelationAttention {
  /** log αᵢⱼ, [rows, K, heads]; padding slots hold a large negative finite number. */
  logWeights: tf.Tensor3D;
  /** 1 for real neighbourhood slots, 0 for padding: [rows, K, 1]. */
  mask: tf.Tensor3D;
}

/**
 * The attention distribution αᵢ. = softmax_{j ∈ N(i) ∪ {i}}(qᵢ·kⱼ/√d) of a `GraphAttention` layer,
 * in log form, for DGN's temporal relation regulariser. `GraphAttention.apply` does not return its
 * weights, so they are recomputed here from the layer's own `query`/`key` sublayers with the same
 * formula and the same dense neighbourhood order (self first); the duplicate query/key matMuls are
 * the price. Differentiable on cpu and wasm (built on `GraphBatch.neighbourhood`).
 */
export function relationAttention(
  layer: GraphAttention,
  graph: GraphBatch,
  h: tf.Tensor2D,
): RelationAttention {
  return tf.tidy(() => {
    const { numHeads: heads, headSize: size } = layer;
    const rows = graph.numNodes;
    const width = graph.fanIn(true);
    const q = tf.reshape(layer.query.apply(h), [rows, 1, heads, size]);
    const keys = tf.reshape(graph.neighbourhood(layer.key.apply(h), true).values, [rows, width, heads, size]);
    const logits = tf.mul(tf.sum(tf.mul(q, keys), 3), 1 / Math.sqrt(size)); // [rows, K, heads]
    const mask = tf.reshape(graph.denseMask(true), [rows, width, 1]) as tf.Tensor3D;
    // Padding gets −1e9 (finite, so 0 · log α stays 0 in the KL); the max carries no gradient.
    const masked = tf.add(logits, tf.mul(tf.sub(mask, 1), 1e9));
    const max = stopGradient(tf.max(masked, 1, true));
    const shifted = tf.sub(masked, max);
    const logWeights = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))) as tf.Tensor3D;
    return { logWeights, mask: tf.clone(mask) };
  });
}

/**
 * Mean over nodes and heads of KL(p ‖ q) = Σⱼ pⱼ (log pⱼ − log qⱼ) between two attention
 * distributions over the same neighbourhood slots (padding contributes 0).
 */
export function attentionKl(target: RelationAttention, current: RelationAttention): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.mul(tf.exp(target.logWeights), target.mask);
    const perDistribution = tf.sum(tf.mul(p, tf.sub(target.logWeights, current.logWeights)), 1);
    return tf.mean(perDistribution) as tf.Scalar;
  });
}
