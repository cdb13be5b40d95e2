import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { straightThrough } from "../ops/stop-gradient.js";
import { sampleGumbel } from "./gumbel.js";
import { hungarian } from "./hungarian.js";

/** Options of {@link gumbelSinkhorn}. */
export interface GumbelSinkhornOptions {
  /** τ. Default 1. Low temperatures need more iterations. */
  temperature?: number;
  /** Scale of the Gumbel noise; 0 (or no rng) = deterministic. Default 1. */
  noiseFactor?: number;
  /** Sinkhorn iterations. Default 20. */
  iterations?: number;
  /** Straight-through hard permutation from the Hungarian algorithm on the noisy logits. Default true. */
  hard?: boolean;
  rng?: Rng;
}

/**
 * Sinkhorn normalisation in log space (spec §0.1): alternately subtract the row and the column
 * logsumexp, `iterations` times, then exponentiate. logAlpha: [batch, n, n] or [n, n].
 */
export function sinkhorn<T extends tf.Tensor>(logAlpha: T, iterations = 20): T {
  const rank = logAlpha.rank;
  return tf.tidy(() => {
    let log = logAlpha as tf.Tensor;
    for (let i = 0; i < iterations; i++) {
      log = tf.sub(log, tf.logSumExp(log, rank - 1, true));
      log = tf.sub(log, tf.logSumExp(log, rank - 2, true));
    }
    return tf.exp(log) as T;
  });
}

/**
 * Gumbel-Sinkhorn permutation sample (Mena et al. 2018; `google/gumbel_sinkhorn`, spec §0.1):
 * z = (logAlpha + noiseFactor·g)/τ, soft = sinkhorn(z); with `hard` the forward value is the
 * permutation matrix P[b, i, σ(i)] = 1 of the maximum-weight assignment of z (Hungarian, in JS) and
 * the gradient is soft's (straight-through).
 */
export function gumbelSinkhorn<T extends tf.Tensor>(logAlpha: T, options: GumbelSinkhornOptions = {}): T {
  const temperature = options.temperature ?? 1;
  const noiseFactor = options.noiseFactor ?? 1;
  const shape = logAlpha.shape;
  const n = shape[shape.length - 1];
  if ((logAlpha.rank !== 2 && logAlpha.rank !== 3) || shape[shape.length - 2] !== n) {
    throw new RangeError(`gumbelSinkhorn: logAlpha has shape [${shape}]; expected [n, n] or [batch, n, n]`);
  }
  if (!(temperature > 0)) throw new RangeError(`gumbelSinkhorn: temperature = ${temperature}; expected > 0`);
  return tf.tidy(() => {
    const noisy =
      options.rng === undefined || noiseFactor === 0
        ? logAlpha
        : tf.add(logAlpha, tf.mul(sampleGumbel(options.rng, shape), noiseFactor));
    const z = tf.div(noisy, temperature);
    const soft = sinkhorn(z, options.iterations ?? 20) as T;
    if (options.hard === false) return soft;
    return straightThrough(soft, tf.tensor(hardPermutations(z.dataSync(), n), shape, "float32"));
  });
}

/** One-hot permutation matrices (flattened) of the maximum-weight assignment of each n × n block. */
export function hardPermutations(scores: ArrayLike<number>, n: number): Float32Array {
  const blocks = n === 0 ? 0 : scores.length / (n * n);
  const out = new Float32Array(scores.length);
  const block = new Float64Array(n * n);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < n * n; i++) block[i] = scores[b * n * n + i];
    const columnOfRow = hungarian(block, n);
    for (let i = 0; i < n; i++) out[b * n * n + i * n + columnOfRow[i]] = 1;
  }
  return out;
}
