import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module/module.js";
import { Dense } from "./dense.js";
import { LayerNorm } from "./layer-norm.js";

/** Options of {@link LayerNormMLP}. */
export interface LayerNormMLPOptions {
  inputSize: number;
  /** Hidden widths; on-policy's MLPBase is [64, 64] (hidden_size 64, layer_N 1). */
  hiddenSizes: readonly number[];
  /** Normalise the raw input first (`use_feature_normalization`, default true in on-policy). */
  normaliseInput?: boolean;
  /** Orthogonal kernels with gain √2 (ReLU) as `use_orthogonal`; false: Glorot-uniform. Default true. */
  orthogonal?: boolean;
}

/**
 * on-policy MAPPO's `MLPBase` (`onpolicy/algorithms/utils/mlp.py`): LayerNorm(input) →
 * [Linear → ReLU → LayerNorm] per hidden width, orthogonal kernels (gain √2), zero biases.
 * Output: [rows, last hidden width].
 */
export class LayerNormMLP extends Module {
  readonly inputNorm: LayerNorm | undefined;
  readonly layers: Dense[] = [];
  readonly norms: LayerNorm[] = [];

  constructor(options: LayerNormMLPOptions, rng: Rng) {
    super();
    if (options.hiddenSizes.length === 0)
      throw new RangeError("LayerNormMLP: hiddenSizes is empty; expected at least one width");
    this.inputNorm =
      options.normaliseInput === false
        ? undefined
        : this.addChild("inputNorm", new LayerNorm(options.inputSize));
    const sizes = [options.inputSize, ...options.hiddenSizes];
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.layers.push(
        this.addChild(
          `layers.${l}`,
          new Dense(
            {
              inputSize: sizes[l],
              outputSize: sizes[l + 1],
              activation: "relu",
              initializer: options.orthogonal === false ? "glorot-uniform" : "orthogonal",
              gain: Math.SQRT2,
              inputGradient: l > 0 || this.inputNorm !== undefined,
            },
            rng.fork(l),
          ),
        ),
      );
      this.norms.push(this.addChild(`norms.${l}`, new LayerNorm(sizes[l + 1])));
    }
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1].outputSize;
  }

  /** x: [rows, inputSize] → [rows, outputSize]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = this.inputNorm ? this.inputNorm.apply(x) : x;
      this.layers.forEach((layer, l) => {
        h = this.norms[l].apply(layer.apply(h));
      });
      return h;
    });
  }
}
