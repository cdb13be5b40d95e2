import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import type { RowGroups } from "../graph/row-groups.js";
import { Module } from "../module/module.js";
import type { LinearActivation } from "../ops/linear.js";
import { MLP } from "./mlp.js";

/** Options of {@link GroupEncoder}. */
export interface GroupEncoderOptions {
  numGroups: number;
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Activation of every layer, the last included (the output is a latent). Default `"relu"`. */
  activation?: LinearActivation;
}

/**
 * Per-group input encoders for heterogeneous agents (IP appendix E.2: "different nonlinear functions
 * extract the features from heterogeneous observations and map them into a latent layer, then the
 * same graph network is used for all types"). Group g's rows go through their own MLP (`groups.g`).
 */
export class GroupEncoder extends Module {
  readonly encoders: MLP[];

  constructor(options: GroupEncoderOptions, rng: Rng) {
    super();
    const activation = options.activation ?? "relu";
    this.encoders = [];
    for (let g = 0; g < options.numGroups; g++) {
      const mlp = new MLP(
        {
          inputSize: options.inputSize,
          hiddenSizes: options.hiddenSizes,
          outputSize: options.outputSize,
          activation,
          outputActivation: activation,
        },
        rng.fork(g),
      );
      this.encoders.push(this.addChild(`groups.${g}`, mlp));
    }
  }

  /** x: [rows, inputSize] with `groups` saying which encoder each row uses → [rows, outputSize]. */
  apply(x: tf.Tensor2D, groups: RowGroups): tf.Tensor2D {
    if (groups.numGroups !== this.encoders.length) {
      throw new RangeError(
        `GroupEncoder: groups has ${groups.numGroups} groups; expected ${this.encoders.length}`,
      );
    }
    if (this.encoders.length === 1) return this.encoders[0].apply(x);
    return tf.tidy(() => groups.merge(groups.split(x).map((part, g) => this.encoders[g].apply(part))));
  }
}
