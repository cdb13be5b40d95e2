import * as tf from "@tensorflow/tfjs-core";

/**
 * The AIP's loss, averaged over rows and sources (PyTorch's `reduction="mean"`,
 * `influence_network.py` lines 97–99, 200–205): binary sources (`logits` [rows, sources]) →
 * BCE with logits, max(l, 0) − l·y + log(1 + e^−|l|); categorical sources (`logits` [rows,
 * sources × values]) → cross-entropy. `targets` is float: y [rows, sources] for binary sources,
 * one-hot [rows, sources × values] otherwise (built in JS: `tf.oneHot` to float is wrong on wasm).
 */
export function influenceLoss(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  numSources: number,
  numValues: number,
): tf.Scalar {
  return tf.tidy(() => {
    if (numValues === 2) {
      const terms = tf.add(
        tf.sub(tf.relu(logits), tf.mul(logits, targets)),
        tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
      );
      return tf.mean(terms) as tf.Scalar;
    }
    const rows = logits.shape[0];
    const perSource = tf.reshape(logits, [rows * numSources, numValues]);
    const oneHot = tf.reshape(targets, [rows * numSources, numValues]);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(perSource), oneHot), 1))) as tf.Scalar;
  });
}

/**
 * Targets as the loss wants them: the source values of `rows` rows (starting at `rowIndices[r]`)
 * → y [rows, sources] (binary) or one-hot [rows, sources × values].
 */
export function encodeTargets(
  targets: Int32Array,
  rowIndices: ArrayLike<number>,
  numSources: number,
  numValues: number,
): Float32Array {
  const width = numValues === 2 ? numSources : numSources * numValues;
  const out = new Float32Array(rowIndices.length * width);
  for (let r = 0; r < rowIndices.length; r++) {
    const base = rowIndices[r] * numSources;
    for (let s = 0; s < numSources; s++) {
      const value = targets[base + s];
      if (numValues === 2) out[r * width + s] = value;
      else out[r * width + s * numValues + value] = 1;
    }
  }
  return out;
}

/**
 * Test loss of the best constant predictor: each source's value frequencies on the training rows
 * (the base rate for Bernoulli sources, the marginal for categorical ones), floored at 1e-6.
 */
export function constantPredictorLoss(
  targets: Int32Array,
  trainRows: ArrayLike<number>,
  testRows: ArrayLike<number>,
  numSources: number,
  numValues: number,
): number {
  const counts = new Float64Array(numSources * numValues);
  for (let r = 0; r < trainRows.length; r++) {
    for (let s = 0; s < numSources; s++) counts[s * numValues + targets[trainRows[r] * numSources + s]]++;
  }
  let loss = 0;
  for (let r = 0; r < testRows.length; r++) {
    for (let s = 0; s < numSources; s++) {
      const p = counts[s * numValues + targets[testRows[r] * numSources + s]] / trainRows.length;
      loss -= Math.log(Math.max(p, 1e-6));
    }
  }
  return loss / (testRows.length * numSources);
}
