/**
 * IP's three losses as pure functions of the networks and a minibatch (appendix I.2; the learner's
 * header explains the choices). Each returns a scalar tensor built under the caller's tape.
 */
import type { GraphBatch } from "@netmarl/graph-nn";
import { straightThrough } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import type { IntentionNetwork } from "./intention-network.js";
import type { NeighbourQ, StateValue } from "./soft-critics.js";

/** One minibatch of B graphs flattened to B·N rows. */
export interface IpMinibatch {
  graph: GraphBatch;
  /** Observations [rows, obsDim]. */
  x: tf.Tensor2D;
  /** One-hot stored actions [rows, |A|]. */
  taken: tf.Tensor2D;
  /** Gumbel noise [rows, |A|]: the one joint sample per state shared by the V and π losses. */
  noise: tf.Tensor2D;
}

/** J_Q = mean ½ (Q_i(s, a_i, a_{N_i}) − target)², target = r + γ (1 − d) V̄(s') (no gradient). */
export function qLoss(qNetwork: NeighbourQ, batch: IpMinibatch, target: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const chosen = tf.sum(tf.mul(qNetwork.apply(batch.graph, batch.x, batch.taken), batch.taken), 1);
    return tf.mul(tf.mean(tf.square(tf.sub(chosen, target))), 0.5) as tf.Scalar;
  });
}

/**
 * The V target Σ_{a_i} q_i(a_i|s) [Q_i(s, a_i, ã_{N_i}) − α log q_i(a_i|s)] with ã the joint sample
 * of `batch.noise`, and the policy's mean entropy; both constants (computed outside any tape).
 */
export function softValueTarget(
  policy: IntentionNetwork,
  qNetwork: NeighbourQ,
  batch: IpMinibatch,
  temperature: number,
): { target: tf.Tensor1D; entropy: tf.Scalar } {
  return tf.tidy(() => {
    const logits = policy.logits(batch.graph, batch.x);
    const logProbabilities = tf.logSoftmax(logits);
    const probabilities = tf.exp(logProbabilities);
    const sampled = oneHotArgmax(tf.add(logits, batch.noise) as tf.Tensor2D);
    const soft = tf.sub(qNetwork.apply(batch.graph, batch.x, sampled), tf.mul(logProbabilities, temperature));
    const entropy = tf.neg(tf.mean(tf.sum(tf.mul(probabilities, logProbabilities), 1))) as tf.Scalar;
    return { target: tf.sum(tf.mul(probabilities, soft), 1) as tf.Tensor1D, entropy };
  });
}

/** J_V = mean ½ (V_i(s) − target)². */
export function valueLoss(value: StateValue, x: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.square(tf.sub(value.apply(x), target))), 0.5) as tf.Scalar);
}

/**
 * J_π = mean over rows of Σ_{a_i} q_i(a_i|s) (α log q_i(a_i|s) − Q_i(s, a_i, ã_{N_i})). The
 * neighbours' sample ã is one-hot forward; with `neighbourGradient` (the learner's choice) its
 * gradient is the softmax's (straight-through), else none — the exact gradient of the forward value,
 * which is what finite differences can check. `logitRegularization` adds c·mean(logits²) (PIC's actor
 * term; not in the IP appendix, off by default).
 */
export function policyLoss(
  policy: IntentionNetwork,
  qNetwork: NeighbourQ,
  batch: IpMinibatch,
  temperature: number,
  neighbourGradient = true,
  logitRegularization = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = policy.logits(batch.graph, batch.x);
    const logProbabilities = tf.logSoftmax(logits);
    const probabilities = tf.exp(logProbabilities);
    const noisy = tf.add(logits, batch.noise) as tf.Tensor2D;
    const hard = oneHotArgmax(noisy);
    const sampled = neighbourGradient ? straightThrough(tf.softmax(noisy) as tf.Tensor2D, hard) : hard;
    const qValues = qNetwork.apply(batch.graph, batch.x, sampled);
    const regularised = tf.sub(tf.mul(logProbabilities, temperature), qValues);
    const loss = tf.mean(tf.sum(tf.mul(probabilities, regularised), 1));
    if (logitRegularization === 0) return loss as tf.Scalar;
    return tf.add(loss, tf.mul(tf.mean(tf.square(logits)), logitRegularization)) as tf.Scalar;
  });
}

/** One-hot of the row-wise argmax, float32 (oneHot straight to float32 is wrong on wasm). */
function oneHotArgmax(scores: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(scores, 1), scores.shape[1]), "float32") as tf.Tensor2D);
}
