import * as tf from "@tensorflow/tfjs-core";

/**
 * Reads several scalar tensors with one blocking read (one `dataSync` of their concatenation)
 * instead of one per metric: on backends where a read is a device round trip (tfjs-node, WebGL)
 * each extra read stalls the step. Does not dispose its inputs.
 */
export function readScalars(scalars: readonly tf.Tensor[]): Float32Array {
  if (scalars.length === 1) return (scalars[0] as tf.Tensor).dataSync() as Float32Array;
  return tf.tidy(() => tf.concat(scalars.map((s) => tf.reshape(s, [1]))).dataSync() as Float32Array);
}

/**
 * What an optimiser step reports: the loss, the gradient's global norm before clipping, and the
 * values of the tensors the caller passed as `alsoRead` (kept tensors its loss closure pushed —
 * metrics such as the mean Q — read in the same single read, then disposed).
 */
export interface OptimizerStep {
  loss: number;
  gradNorm: number;
  read: number[];
}
