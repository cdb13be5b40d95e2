import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module/module.js";
import { MLP } from "./mlp.js";

/** Options of {@link DeepSet}. */
export interface DeepSetOptions {
  inputSize: number;
  /** Hidden widths of φ; its output width is `embeddingSize`. */
  phiHiddenSizes: readonly number[];
  embeddingSize: number;
  /** Hidden widths of ρ. */
  rhoHiddenSizes: readonly number[];
  outputSize: number;
  /** Pooling over the set. Default `"sum"`. */
  pooling?: "sum" | "mean";
}

/**
 * Deep Sets (Zaheer et al. 2017): ρ(pool_{i∈set} φ(xᵢ)) — invariant to the order of the set's
 * elements (used e.g. for permutation-invariant critics, PIC). φ's output is ReLU'd.
 */
export class DeepSet extends Module {
  readonly phi: MLP;
  readonly rho: MLP;
  readonly pooling: "sum" | "mean";

  constructor(options: DeepSetOptions, rng: Rng) {
    super();
    this.pooling = options.pooling ?? "sum";
    this.phi = this.addChild(
      "phi",
      new MLP(
        {
          inputSize: options.inputSize,
          hiddenSizes: options.phiHiddenSizes,
          outputSize: options.embeddingSize,
          outputActivation: "relu",
        },
        rng.fork(1),
      ),
    );
    this.rho = this.addChild(
      "rho",
      new MLP(
        {
          inputSize: options.embeddingSize,
          hiddenSizes: options.rhoHiddenSizes,
          outputSize: options.outputSize,
        },
        rng.fork(2),
      ),
    );
  }

  /**
   * x: [batch, setSize, inputSize] → [batch, outputSize]. `mask` [batch, setSize] (1 = present)
   * supports sets of different sizes padded to one width.
   */
  apply(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
    const [batch, setSize, inputSize] = x.shape;
    return tf.tidy(() => {
      let embedded = tf.reshape(this.phi.apply(tf.reshape(x, [batch * setSize, inputSize])), [
        batch,
        setSize,
        -1,
      ]);
      if (mask !== undefined) embedded = tf.mul(embedded, tf.expandDims(mask, 2));
      let pooled = tf.sum(embedded, 1) as tf.Tensor2D;
      if (this.pooling === "mean") {
        const counts = mask === undefined ? tf.scalar(setSize) : tf.maximum(tf.sum(mask, 1, true), 1);
        pooled = tf.div(pooled, counts);
      }
      return this.rho.apply(pooled);
    });
  }
}
