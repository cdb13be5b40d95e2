import * as tf from "@tensorflow/tfjs-core";

/**
 * Scales `gradients` so their global L2 norm is at most `maxNorm` (0 = no clipping), as
 * `torch.nn.utils.clip_grad_norm_`: factor min(1, maxNorm / (norm + 1e-6)). Returns the scaled
 * gradients and the norm before clipping; call inside `tf.tidy`.
 */
export function clipGradientsByGlobalNorm(
  gradients: readonly tf.Tensor[],
  maxNorm: number,
): { gradients: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  if (!(maxNorm > 0)) return { gradients: [...gradients], norm };
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return { gradients: gradients.map((g) => tf.mul(g, scale)), norm };
}
