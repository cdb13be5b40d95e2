import * as tf from "@tensorflow/tfjs-core";
import "./register-gradients.js";

/**
 * Identity forward, zero gradient. TF.js has no `stopGradient` op (tensorflow/tfjs#967, #7438), so
 * it is a `tf.customGrad` whose gradient is zeros.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return run(x) as T;
}

/**
 * Straight-through estimator: the value of `hard`, the gradient of `soft` (dL/dsoft = dL/dout).
 * `hard` must not need a gradient (it is typically built from `soft` with argmax/Hungarian).
 */
export function straightThrough<T extends tf.Tensor>(soft: T, hard: tf.Tensor): T {
  if (!tf.util.arraysEqual(soft.shape, hard.shape)) {
    throw new RangeError(`straightThrough: soft ${soft.shape} and hard ${hard.shape} differ in shape`);
  }
  // The input (soft) is only there to connect the tape; the value is hard's.
  const run = tf.customGrad((..._inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(hard),
    gradFunc: (dy: tf.Tensor) => dy,
  }));
  return run(soft) as T;
}
