import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module/module.js";

/** Layer normalisation over the last axis, y = (x − mean)/√(var + ε)·γ + β (γ = 1, β = 0 at start). */
export class LayerNorm extends Module {
  readonly scale: tf.Variable;
  readonly offset: tf.Variable;

  constructor(
    readonly size: number,
    /** ε; PyTorch's default 1e-5. */
    readonly epsilon = 1e-5,
  ) {
    super();
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`LayerNorm: size = ${size}; expected an integer >= 1`);
    this.scale = this.addWeight("scale", [size], new Float32Array(size).fill(1));
    this.offset = this.addWeight("offset", [size], new Float32Array(size));
  }

  /** x: [rows, size] → [rows, size]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.scale), this.offset) as tf.Tensor2D;
    });
  }
}
