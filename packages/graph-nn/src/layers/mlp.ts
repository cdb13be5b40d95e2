import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module/module.js";
import type { LinearActivation } from "../ops/linear.js";
import { Dense } from "./dense.js";

/** Options of {@link MLP}. */
export interface MLPOptions {
  inputSize: number;
  /** Hidden layer widths, e.g. [128, 128]. May be empty (a single Dense). */
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Activation of hidden layers. Default `"relu"`. */
  activation?: LinearActivation;
  /** Activation of the last layer. Default `"linear"`. */
  outputActivation?: LinearActivation;
  /**
   * Whether gradients flow back into the input (default true). False for a network fed only raw
   * data (observations): its first layer then skips the input-gradient matMul (see `Dense`).
   */
  inputGradient?: boolean;
}

/** A stack of {@link Dense} layers; weights `layers.0/kernel`, `layers.0/bias`, …. */
export class MLP extends Module {
  readonly layers: Dense[];

  constructor(options: MLPOptions, rng: Rng) {
    super();
    const sizes = [options.inputSize, ...options.hiddenSizes, options.outputSize];
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const last = l + 2 === sizes.length;
      const activation = last ? (options.outputActivation ?? "linear") : (options.activation ?? "relu");
      this.layers.push(
        this.addChild(
          `layers.${l}`,
          new Dense(
            {
              inputSize: sizes[l],
              outputSize: sizes[l + 1],
              activation,
              inputGradient: l === 0 ? options.inputGradient : undefined,
            },
            rng.fork(l),
          ),
        ),
      );
    }
  }

  get inputSize(): number {
    return this.layers[0].inputSize;
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1].outputSize;
  }

  /**
   * x: [rows, inputSize] → [rows, outputSize]. `inputGradient: false` for a call whose x is data
   * skips the first layer's input-gradient matMul (see `Dense`).
   */
  apply(x: tf.Tensor2D, options: { inputGradient?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() =>
      this.layers.reduce(
        (h, layer, l) => (l === 0 ? layer.apply(h, undefined, options.inputGradient) : layer.apply(h)),
        x,
      ),
    );
  }
}
