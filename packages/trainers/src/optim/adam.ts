import * as tf from "@tensorflow/tfjs-core";
import { clipGradientsByGlobalNorm } from "./clip-gradients.js";
import { type OptimizerStep, readScalars } from "./read-scalars.js";

/** Serialisable optimiser state: step count and both moment estimates of every variable. */
export interface AdamState {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/** Options of {@link Adam}. */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** ε added to √v̂ (PyTorch's placement). */
  epsilon?: number;
  /** Clip the gradients' global L2 norm to this before the step (0 = no clipping). */
  maxGradNorm?: number;
  /**
   * Clip on the optimiser's first step only. Reproduces PIC's `ddpg_vec.py`, which passes a
   * `parameters()` generator to `clip_grad_norm_`: the first call exhausts it, every later call
   * clips an empty list.
   */
  clipFirstStepOnly?: boolean;
}

/**
 * Adam (Kingma & Ba 2015) over a fixed list of variables, with global-norm gradient clipping.
 * Written here rather than using `tf.train.adam` because a checkpoint must capture the moments
 * synchronously and exactly (tfjs exposes optimiser weights only through a Promise).
 */
export class Adam {
  readonly variables: readonly tf.Variable[];
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly maxGradNorm: number;
  private readonly clipFirstStepOnly: boolean;
  private readonly first: tf.Variable[];
  private readonly second: tf.Variable[];
  private step = 0;

  constructor(variables: readonly tf.Variable[], options: AdamOptions) {
    if (!(options.learningRate > 0))
      throw new RangeError(`Adam: learningRate = ${options.learningRate}; expected > 0`);
    this.variables = variables;
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.maxGradNorm = options.maxGradNorm ?? 0;
    this.clipFirstStepOnly = options.clipFirstStepOnly ?? false;
    // tidy frees the zero tensors the variables are initialised from (variables survive tidy).
    this.first = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
    this.second = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * Minimises `loss()` (a scalar built from the variables): computes gradients, clips them, takes
   * one Adam step and returns the loss and the gradient norm before clipping.
   */
  minimize(loss: () => tf.Tensor, alsoRead?: tf.Tensor[]): OptimizerStep {
    return this.minimizeSum([loss], alsoRead);
  }

  /**
   * One Adam step on the gradient of Σ_k losses[k](), taken piece by piece: each term's gradient is
   * computed and added before the next term is built, so a minibatch too large for the backend's
   * memory (wasm's 4 GiB heap) can be split into chunks whose losses sum to the full one. Clipping
   * sees the summed gradient, exactly as for one loss. Returns the summed loss and its gradient norm.
   */
  minimizeSum(losses: ReadonlyArray<() => tf.Tensor>, alsoRead: tf.Tensor[] = []): OptimizerStep {
    if (losses.length === 0) throw new RangeError("Adam.minimizeSum: expected at least one loss");
    let ordered: tf.Tensor[] = [];
    const values: tf.Tensor[] = [];
    for (const loss of losses) {
      const { value, grads } = tf.variableGrads(loss as () => tf.Scalar, this.variables as tf.Variable[]);
      const terms = this.variables.map((v) => grads[v.name]);
      if (ordered.length === 0) ordered = terms;
      else {
        const summed = tf.tidy(() => ordered.map((g, i) => tf.add(g, terms[i])));
        tf.dispose([...ordered, ...terms]);
        ordered = summed;
      }
      values.push(value);
    }
    const norm = tf.tidy(() => {
      const clip = this.clipFirstStepOnly && this.step > 0 ? 0 : this.maxGradNorm;
      const { gradients, norm } = clipGradientsByGlobalNorm(ordered, clip);
      this.step++;
      const correction1 = 1 - this.beta1 ** this.step;
      const correction2 = 1 - this.beta2 ** this.step;
      gradients.forEach((g, i) => {
        const m = tf.add(tf.mul(this.first[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.second[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.first[i].assign(m);
        this.second[i].assign(v);
        const update = tf.div(
          tf.mul(m, this.learningRate / correction1),
          tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon),
        );
        this.variables[i].assign(tf.sub(this.variables[i], update));
      });
      return norm;
    });
    // One blocking read for every loss term, the norm and the caller's metrics.
    const read = readScalars([...values, norm, ...alsoRead]);
    let lossValue = 0;
    for (let i = 0; i < values.length; i++) lossValue += read[i] as number;
    tf.dispose([...ordered, ...values, norm, ...alsoRead]);
    return {
      loss: lossValue,
      gradNorm: read[values.length] as number,
      read: Array.from(read.subarray(values.length + 1)),
    };
  }

  getState(): AdamState {
    return {
      step: this.step,
      firstMoments: this.first.map((m) => Float32Array.from(m.dataSync())),
      secondMoments: this.second.map((v) => Float32Array.from(v.dataSync())),
    };
  }

  setState(state: AdamState): void {
    if (
      state.firstMoments.length !== this.first.length ||
      state.secondMoments.length !== this.second.length
    ) {
      throw new RangeError(
        `Adam.setState: the state holds ${state.firstMoments.length} variables; expected ${this.first.length}`,
      );
    }
    this.step = state.step;
    tf.tidy(() => {
      for (let i = 0; i < this.first.length; i++) {
        this.first[i].assign(tf.tensor(state.firstMoments[i], this.first[i].shape));
        this.second[i].assign(tf.tensor(state.secondMoments[i], this.second[i].shape));
      }
    });
  }

  dispose(): void {
    for (const m of this.first) m.dispose();
    for (const v of this.second) v.dispose();
  }
}
