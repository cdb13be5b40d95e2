import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { straightThrough } from "../ops/stop-gradient.js";
import { sampleGumbel } from "./gumbel.js";

/** Options of {@link gumbelSoftmax}. */
export interface GumbelSoftmaxOptions {
  /** τ. Default 1 (BN-DAG). */
  temperature?: number;
  /** Straight-through: forward one-hot(argmax), backward the soft sample's gradient. Default true. */
  hard?: boolean;
  /** Noise source; omit for the deterministic (test-mode, g = 0) sample. */
  rng?: Rng;
}

/**
 * Gumbel-softmax over the last axis (spec §0.2): y_soft = softmax((logits + g)/τ); with `hard`,
 * y = one_hot(argmax y_soft) in the forward pass and ∂y/∂logits = ∂y_soft/∂logits (straight-through
 * via `tf.customGrad`, as TF.js has no stopGradient).
 */
export function gumbelSoftmax<T extends tf.Tensor>(logits: T, options: GumbelSoftmaxOptions = {}): T {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) throw new RangeError(`gumbelSoftmax: temperature = ${temperature}; expected > 0`);
  return tf.tidy(() => {
    const noisy =
      options.rng === undefined ? logits : tf.add(logits, sampleGumbel(options.rng, logits.shape));
    const soft = tf.softmax(tf.div(noisy, temperature)) as T;
    if (options.hard === false) return soft;
    const classes = logits.shape[logits.shape.length - 1];
    // oneHot straight to float32 returns int bit patterns on wasm 4.22; cast instead.
    const hard = tf.cast(tf.oneHot(tf.argMax(soft, -1), classes), "float32");
    return straightThrough(soft, hard);
  });
}
