import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Gumbel(0, 1) noise of `shape` from `rng`: g = −log(−log(U + ε) + ε), U ~ U[0, 1) drawn with
 * `rng.fillUniform` (never tf's unseeded random). ε = 1e-10 as in BN-DAG's `gumbel_softmax.py`.
 */
export function sampleGumbel(rng: Rng, shape: number[], epsilon = 1e-10): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const u = rng.fillUniform(new Float64Array(size));
  const g = new Float32Array(size);
  for (let i = 0; i < size; i++) g[i] = -Math.log(-Math.log(u[i] + epsilon) + epsilon);
  return tf.tensor(g, shape, "float32");
}
