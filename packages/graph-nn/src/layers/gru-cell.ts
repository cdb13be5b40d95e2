import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { glorotUniform, Module, uniformValues } from "../module/module.js";
import { orthogonalValues } from "../module/orthogonal.js";
import { linear } from "../ops/linear.js";

/** Options of {@link GRUCell}. */
export interface GRUCellOptions {
  inputSize: number;
  hiddenSize: number;
  /**
   * `"default"`: Glorot-uniform kernels, biases U(±1/√h); `"orthogonal"`: orthogonal kernels (gain 1)
   * and zero biases, as on-policy MAPPO's `RNNLayer` (`onpolicy/algorithms/utils/rnn.py` lines 14–21).
   */
  initializer?: "default" | "orthogonal";
}

/**
 * A GRU cell written out by hand (PyTorch's equations and gate order r, z, n, so weights can be
 * ported) so that hidden states can be *reset mid-sequence* by a done mask — Keras-style masking
 * only skips steps (spec §6):
 *
 *     r = σ(x W_ir + b_ir + h W_hr + b_hr)     z = σ(x W_iz + b_iz + h W_hz + b_hz)
 *     n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
 *
 * Weights: `inputKernel` [in, 3h] and `recurrentKernel` [h, 3h] with columns [r | z | n], biases
 * [3h]; initialised U(±1/√h) like PyTorch (kernels Glorot-uniform here, drawn from the Rng).
 */
export class GRUCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly inputKernel: tf.Variable;
  readonly recurrentKernel: tf.Variable;
  readonly inputBias: tf.Variable;
  readonly recurrentBias: tf.Variable;

  constructor(options: GRUCellOptions, rng: Rng) {
    super();
    const { inputSize, hiddenSize } = options;
    if (!Number.isInteger(inputSize) || inputSize < 1 || !Number.isInteger(hiddenSize) || hiddenSize < 1) {
      throw new RangeError(
        `GRUCell: inputSize = ${inputSize}, hiddenSize = ${hiddenSize}; expected integers >= 1`,
      );
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    const orthogonal = options.initializer === "orthogonal";
    const kernel = (stream: number, rows: number) =>
      orthogonal
        ? orthogonalValues(rng.fork(stream), rows, 3 * hiddenSize)
        : glorotUniform(rng.fork(stream), rows, 3 * hiddenSize);
    const bias = (stream: number) =>
      orthogonal
        ? new Float32Array(3 * hiddenSize)
        : uniformValues(rng.fork(stream), 3 * hiddenSize, -bound, bound);
    this.inputKernel = this.addWeight("inputKernel", [inputSize, 3 * hiddenSize], kernel(1, inputSize));
    this.recurrentKernel = this.addWeight(
      "recurrentKernel",
      [hiddenSize, 3 * hiddenSize],
      kernel(2, hiddenSize),
    );
    this.inputBias = this.addWeight("inputBias", [3 * hiddenSize], bias(3));
    this.recurrentBias = this.addWeight("recurrentBias", [3 * hiddenSize], bias(4));
  }

  /** Zero hidden state [batch, hiddenSize]. */
  initialState(batch: number): tf.Tensor2D {
    return tf.zeros([batch, this.hiddenSize]);
  }

  /**
   * One step: x [batch, in], h [batch, hidden] → h'. With `reset` [batch] (1 = the episode ended
   * before this step), h is multiplied by (1 − reset) first.
   */
  step(x: tf.Tensor2D, h: tf.Tensor2D, reset?: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = reset === undefined ? h : tf.mul(h, tf.expandDims(tf.sub(1, reset), 1));
      const gatesX = linear(x, this.inputKernel as tf.Tensor2D, this.inputBias as tf.Tensor1D);
      const gatesH = linear(
        hidden as tf.Tensor2D,
        this.recurrentKernel as tf.Tensor2D,
        this.recurrentBias as tf.Tensor1D,
      );
      const [xr, xz, xn] = tf.split(gatesX, 3, 1);
      const [hr, hz, hn] = tf.split(gatesH, 3, 1);
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, hidden)) as tf.Tensor2D;
    });
  }

  /**
   * Unrolls over xs [time, batch, in] from h0; `resets` [time, batch] resets the state before step t
   * where it is 1 (store the hidden state at every step and train on chunks from it, spec §6).
   * Returns every hidden state [time, batch, hidden] and the last one.
   */
  unroll(
    xs: tf.Tensor3D,
    h0: tf.Tensor2D,
    resets?: tf.Tensor2D,
  ): { outputs: tf.Tensor3D; final: tf.Tensor2D } {
    const steps = xs.shape[0];
    if (resets !== undefined && (resets.shape[0] !== steps || resets.shape[1] !== xs.shape[1])) {
      throw new RangeError(
        `GRUCell.unroll: resets has shape [${resets.shape}]; expected [${steps}, ${xs.shape[1]}]`,
      );
    }
    return tf.tidy(() => {
      const inputs = tf.unstack(xs) as tf.Tensor2D[];
      const masks = resets === undefined ? undefined : (tf.unstack(resets) as tf.Tensor1D[]);
      const outputs: tf.Tensor2D[] = [];
      let h = h0;
      for (let t = 0; t < steps; t++) {
        h = this.step(inputs[t], h, masks?.[t]);
        outputs.push(h);
      }
      return { outputs: tf.stack(outputs) as tf.Tensor3D, final: h };
    });
  }
}
