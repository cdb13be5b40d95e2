import * as tf from "@tensorflow/tfjs-core";
import { clipGradientsByGlobalNorm } from "./clip-gradients.js";
import { type OptimizerStep, readScalars } from "./read-scalars.js";

/** Serialisable optimiser state: the running average of squared gradients of every variable. */
export interface RmsPropState {
  squareAverages: Float32Array[];
}

/** Options of {@link RmsProp}. */
export interface RmsPropOptions {
  learningRate: number;
  /** Smoothing constant α (PyTorch `alpha`, Keras `rho`). */
  alpha: number;
  /** ε added to √(square average) — outside the root, in PyTorch and Keras alike. */
  epsilon: number;
  /** Clip the gradients' global L2 norm to this before the step (0 = no clipping). */
  maxGradNorm?: number;
}

/**
 * RMSprop without momentum or centring, the update of both PyTorch's `torch.optim.RMSprop`
 * (pymarl's optimiser: α 0.99, ε 1e-5) and Keras 2.2.4's `keras.optimizers.RMSprop` (the LToS
 * traffic code: ρ 0.9, ε 1e-7 = `K.epsilon()`):
 *
 *     a ← α·a + (1 − α)·g²        θ ← θ − lr · g / (√a + ε)        (a starts at 0)
 *
 * With `maxGradNorm` the gradient is first scaled as `torch.nn.utils.clip_grad_norm_` does
 * (pymarl `q_learner.py` line 102). The state is read synchronously for exact checkpoints.
 */
export class RmsProp {
  readonly variables: readonly tf.Variable[];
  learningRate: number;
  private readonly alpha: number;
  private readonly epsilon: number;
  private readonly maxGradNorm: number;
  private readonly squareAverages: tf.Variable[];

  constructor(variables: readonly tf.Variable[], options: RmsPropOptions) {
    if (!(options.learningRate > 0))
      throw new RangeError(`RmsProp: learningRate = ${options.learningRate}; expected > 0`);
    if (!(options.alpha >= 0 && options.alpha < 1))
      throw new RangeError(`RmsProp: alpha = ${options.alpha}; expected a number in [0, 1)`);
    if (!(options.epsilon > 0)) throw new RangeError(`RmsProp: epsilon = ${options.epsilon}; expected > 0`);
    this.variables = variables;
    this.learningRate = options.learningRate;
    this.alpha = options.alpha;
    this.epsilon = options.epsilon;
    this.maxGradNorm = options.maxGradNorm ?? 0;
    this.squareAverages = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** One step on the gradient of `loss()`; returns the loss and the gradient norm before clipping. */
  minimize(loss: () => tf.Scalar, alsoRead: tf.Tensor[] = []): OptimizerStep {
    const { value, grads } = tf.variableGrads(loss, this.variables as tf.Variable[]);
    const norm = tf.tidy(() => {
      const { gradients, norm } = clipGradientsByGlobalNorm(
        this.variables.map((v) => grads[v.name]),
        this.maxGradNorm,
      );
      gradients.forEach((g, i) => {
        const average = tf.add(
          tf.mul(this.squareAverages[i], this.alpha),
          tf.mul(tf.square(g), 1 - this.alpha),
        );
        this.squareAverages[i].assign(average);
        const step = tf.div(tf.mul(g, this.learningRate), tf.add(tf.sqrt(average), this.epsilon));
        this.variables[i].assign(tf.sub(this.variables[i], step));
      });
      return norm;
    });
    const read = readScalars([value, norm, ...alsoRead]); // one blocking read
    tf.dispose([value, norm, ...alsoRead, ...Object.values(grads)]);
    return { loss: read[0] as number, gradNorm: read[1] as number, read: Array.from(read.subarray(2)) };
  }

  getState(): RmsPropState {
    return { squareAverages: this.squareAverages.map((a) => Float32Array.from(a.dataSync())) };
  }

  setState(state: RmsPropState): void {
    if (state.squareAverages?.length !== this.squareAverages.length) {
      throw new RangeError(
        `RmsProp.setState: the state holds ${state.squareAverages?.length} variables; expected ${this.squareAverages.length}`,
      );
    }
    tf.tidy(() => {
      this.squareAverages.forEach((average, i) => {
        average.assign(tf.tensor(state.squareAverages[i], average.shape));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.squareAverages);
  }
}
