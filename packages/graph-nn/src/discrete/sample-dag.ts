import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { gumbelSinkhorn } from "./gumbel-sinkhorn.js";
import { gumbelSoftmax } from "./gumbel-softmax.js";

/** Options of {@link sampleDag}. */
export interface SampleDagOptions {
  rng?: Rng;
  /** τ of both the Sinkhorn and the edge Gumbel-softmax. Default 1 (BN-DAG). */
  temperature?: number;
  /** Sinkhorn iterations. Default 20. */
  iterations?: number;
  /** Straight-through hard P and U (default, as BN-DAG); false returns the relaxed (soft) sample. */
  hard?: boolean;
}

/** A sampled DAG and its parts; all [batch, n, n]. */
export interface DagSample {
  /** Hard permutation P (straight-through to the Sinkhorn matrix). */
  permutation: tf.Tensor3D;
  /** Hard edge indicators U (straight-through to the edge softmax). */
  edges: tf.Tensor3D;
  /** G = U ⊙ (Pᵀ M P), M strictly upper triangular: G[j, i] = 1 ⇔ edge j → i (j is a parent of i). */
  adjacency: tf.Tensor3D;
}

/**
 * Differentiable DAG sampling (DP-DAG, Charpentier et al. 2022; spec §0.3):
 * P = gumbelSinkhorn(permutationLogits) (hard, straight-through), U = straight-through Gumbel-softmax
 * edges, G = U ⊙ (Pᵀ M P) with M the strict upper-triangular mask — a DAG for every sample, since
 * Pᵀ M P is a strict order relabelled by the permutation.
 *
 * The issue text writes Πᵀ (U ⊙ M) Π; the original code (`probabilistic_dag.py::sample`, in DP-DAG
 * and BN-DAG) masks *after* permuting — `U * (P_inv @ mask @ P)` — which is followed here (both are
 * acyclic; they differ in whether U is indexed before or after the relabelling).
 *
 * permutationLogits: [n, n] or [batch, n, n] (log α). edgeLogits: [batch?, n, n, 2] two-class logits
 * (class 0 = "edge present", BN-DAG), or [batch?, n, n] single logits e with p(edge) = sigmoid(e)
 * (DP-DAG's logsigmoid(stack(e, −e))).
 */
export function sampleDag(
  permutationLogits: tf.Tensor,
  edgeLogits: tf.Tensor,
  options: SampleDagOptions = {},
): DagSample {
  const n = permutationLogits.shape[permutationLogits.rank - 1];
  const perm3 = permutationLogits.rank === 2 ? tf.expandDims(permutationLogits, 0) : permutationLogits;
  if (perm3.rank !== 3 || perm3.shape[1] !== n) {
    throw new RangeError(
      `sampleDag: permutationLogits has shape [${permutationLogits.shape}]; expected [batch?, n, n]`,
    );
  }
  const batch = perm3.shape[0];
  const twoClass =
    edgeLogits.shape[edgeLogits.rank - 1] === 2 && edgeLogits.rank === permutationLogits.rank + 1;
  const expected = twoClass ? [batch, n, n, 2] : [batch, n, n];
  return tf.tidy(() => {
    let classes = twoClass ? edgeLogits : tf.logSigmoid(tf.stack([edgeLogits, tf.neg(edgeLogits)], -1));
    if (classes.rank === 3) classes = tf.expandDims(classes, 0);
    if (!tf.util.arraysEqual(classes.shape.slice(0, 3), expected.slice(0, 3))) {
      throw new RangeError(
        `sampleDag: edgeLogits has shape [${edgeLogits.shape}]; expected [batch?, ${n}, ${n}(, 2)] matching the ${batch} permutation logits`,
      );
    }
    const permutation = gumbelSinkhorn(perm3, {
      rng: options.rng?.fork("permutation"),
      temperature: options.temperature,
      iterations: options.iterations,
      hard: options.hard,
    }) as tf.Tensor3D;
    const edgeSample = gumbelSoftmax(classes, {
      rng: options.rng?.fork("edges"),
      temperature: options.temperature,
      hard: options.hard,
    });
    const edges = tf.squeeze(tf.slice(edgeSample, [0, 0, 0, 0], [batch, n, n, 1]), [3]) as tf.Tensor3D;
    const mask = tf.tile(tf.expandDims(strictUpperMask(n), 0), [batch, 1, 1]);
    const order = tf.matMul(tf.matMul(permutation, mask, true, false), permutation); // Pᵀ M P
    const adjacency = tf.mul(edges, order) as tf.Tensor3D;
    return { permutation, edges, adjacency };
  });
}

/** M[i, j] = 1 for j > i. */
export function strictUpperMask(n: number): tf.Tensor2D {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) values[i * n + j] = 1;
  return tf.tensor2d(values, [n, n]);
}

/**
 * DAG density ρ(G) = 2·ΣG / (B·n(n−1)) (BN-MAPPO's `open_ratio`, spec §3.5): the fraction of the
 * n(n−1)/2 possible edges present, averaged over the batch. Differentiable in G.
 */
export function dagDensity(adjacency: tf.Tensor): tf.Scalar {
  const n = adjacency.shape[adjacency.rank - 1];
  const batch = adjacency.rank === 3 ? adjacency.shape[0] : 1;
  if (n < 2) return tf.scalar(0);
  return tf.tidy(() => tf.div(tf.mul(tf.sum(adjacency), 2), batch * n * (n - 1)) as tf.Scalar);
}
