import type { Rng } from "@netmarl/envs";
import type * as tf from "@tensorflow/tfjs-core";
import { glorotUniform, Module } from "../module/module.js";
import { orthogonalValues } from "../module/orthogonal.js";
import { type LinearActivation, type LinearScales, linear } from "../ops/linear.js";

/** Options of {@link Dense}. */
export interface DenseOptions {
  inputSize: number;
  outputSize: number;
  /** Fused activation. Default `"linear"`. */
  activation?: LinearActivation;
  /** Add a bias (zeros at start). Default true. */
  useBias?: boolean;
  /**
   * Whether gradients flow back into the input. Set false for a first layer fed with raw
   * observations: the backward pass then skips one matMul (the input gets a zero gradient).
   */
  inputGradient?: boolean;
  /** Kernel initialiser: Glorot-uniform (default) or orthogonal × `gain` (on-policy's `use_orthogonal`). */
  initializer?: "glorot-uniform" | "orthogonal";
  /** Gain of the orthogonal initialiser (√2 for ReLU layers, 0.01 for policy heads in MAPPO). Default 1. */
  gain?: number;
}

/** y = activation(x · kernel + bias); kernel Glorot-uniform (or orthogonal) from the Rng, bias zeros. */
export class Dense extends Module {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: LinearActivation;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly inputGradient: boolean;

  constructor(options: DenseOptions, rng: Rng) {
    super();
    const { inputSize, outputSize } = options;
    for (const [name, value] of [
      ["inputSize", inputSize],
      ["outputSize", outputSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Dense: ${name} = ${value}; expected an integer >= 1`);
      }
    }
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.activation = options.activation ?? "linear";
    this.inputGradient = options.inputGradient ?? true;
    this.kernel = this.addWeight(
      "kernel",
      [inputSize, outputSize],
      options.initializer === "orthogonal"
        ? orthogonalValues(rng, inputSize, outputSize, options.gain ?? 1)
        : glorotUniform(rng, inputSize, outputSize),
    );
    this.bias =
      options.useBias === false
        ? undefined
        : this.addWeight("bias", [outputSize], new Float32Array(outputSize));
  }

  /**
   * x: [rows, inputSize] → [rows, outputSize]; `scales` multiply kernel and bias on the fly (see
   * `linear`); `inputGradient` overrides the layer's own for this call (false when x is data).
   */
  apply(x: tf.Tensor2D, scales?: LinearScales, inputGradient = this.inputGradient): tf.Tensor2D {
    const bias = this.bias as tf.Tensor1D | undefined;
    return linear(x, this.kernel as tf.Tensor2D, bias, this.activation, undefined, inputGradient, scales);
  }
}
