import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Categorical distributions over the last axis of `logits` ([..., numClasses]). Holds a reference to
 * the logits (not a copy): use it inside the same tf.tidy as the logits.
 */
export class Categorical {
  readonly logits: tf.Tensor;
  readonly numClasses: number;

  constructor(logits: tf.Tensor) {
    if (logits.rank < 1) throw new RangeError("Categorical: logits must have at least one axis");
    this.logits = logits;
    this.numClasses = logits.shape[logits.rank - 1];
  }

  /** log π(a) for integer actions of shape logits.shape[:-1]. */
  logProb(actions: tf.Tensor): tf.Tensor {
    if (!tf.util.arraysEqual(actions.shape, this.logits.shape.slice(0, -1))) {
      throw new RangeError(
        `Categorical.logProb: actions have shape [${actions.shape}]; expected [${this.logits.shape.slice(0, -1)}]`,
      );
    }
    return tf.tidy(() => {
      // oneHot straight to float32 returns int bit patterns on wasm 4.22; cast instead.
      const oneHot = tf.cast(tf.oneHot(tf.cast(actions, "int32"), this.numClasses), "float32");
      return tf.sum(tf.mul(tf.logSoftmax(this.logits), oneHot), -1);
    });
  }

  /** H(π) = −Σ π log π, shape logits.shape[:-1]. */
  entropy(): tf.Tensor {
    return tf.tidy(() => {
      const logProbs = tf.logSoftmax(this.logits);
      return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1));
    });
  }

  /** π as probabilities. */
  probs(): tf.Tensor {
    return tf.softmax(this.logits);
  }

  /** argmax π, int32. */
  mode(): tf.Tensor {
    return tf.argMax(this.logits, -1);
  }

  /**
   * One sample per distribution, drawn by inverse CDF with uniforms from `rng`: an int32 tensor of
   * shape logits.shape[:-1]. Reads the probabilities back to JS (sampling is not differentiable).
   */
  sample(rng: Rng): tf.Tensor {
    const probabilityTensor = tf.softmax(this.logits);
    const probabilities = probabilityTensor.dataSync();
    probabilityTensor.dispose();
    const classes = this.numClasses;
    const count = probabilities.length / classes;
    const out = new Int32Array(count);
    const uniforms = rng.fillUniform(new Float64Array(count));
    for (let row = 0; row < count; row++) {
      let target = uniforms[row];
      let chosen = classes - 1;
      for (let c = 0; c < classes; c++) {
        target -= probabilities[row * classes + c];
        if (target < 0) {
          chosen = c;
          break;
        }
      }
      // Rounding can leave a sliver past the last class: take the last class with mass.
      if (target >= 0) while (chosen > 0 && probabilities[row * classes + chosen] === 0) chosen--;
      out[row] = chosen;
    }
    return tf.tensor(out, this.logits.shape.slice(0, -1), "int32");
  }
}
