/**
 * # Approximate influence predictor (AIP)
 *
 * Predicts the distribution of an agent's influence sources u_t from its d-set history (spec §4.3;
 * `INFLUENCEorg/DIALS` d08e915 `influence/influence_network.py` `Network`, lines 31–68):
 *
 *     x = (x − 0.5) / 0.5                                  (line 55: bits → ±1)
 *     FNN: h = ReLU(Linear(in, hidden)(x))                 (line 61; seq_len 1, the traffic setting)
 *     GRU: h_t = GRU(in, hidden)(x_t, h_{t−1})             (line 57; the warehouse setting)
 *     logits = Linear(hidden, sources × outputs)(h)        (line 49, 63)
 *
 * Binary sources (`numValues = 2`) have one output each: a Bernoulli logit (sigmoid, BCE with
 * logits, lines 43–46, 98–99). Categorical sources have `numValues` outputs (softmax, cross-entropy).
 * The GRU is {@link GRUCell} (PyTorch's gate order); weights are initialised Glorot-uniform from
 * the Rng where PyTorch uses U(±1/√fan_in) (the original's xavier init is commented out, line 96).
 *
 * Simulation-time use ({@link InfluencePredictor.predict}) carries the GRU's hidden state from step
 * to step and {@link InfluencePredictor.resetState} zeroes it at episode start (`predict`/`reset`,
 * lines 131–142). The FNN with seq_len 1 needs no state.
 */
import type { Rng } from "@netmarl/envs";
import { Dense, GRUCell, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link InfluencePredictor}. */
export interface InfluencePredictorOptions {
  /** Size of the d-set vector (36 traffic, 37 warehouse). */
  inputSize: number;
  /** Influence sources per agent (4 in both domains). */
  numSources: number;
  /** Values each source takes (2 traffic → one Bernoulli logit; 4 warehouse → 4 classes). */
  numValues: number;
  /** Hidden units (`hidden_memory_size`: 128 traffic, 64 warehouse). */
  hiddenSize: number;
  /** GRU (warehouse) or one ReLU layer (traffic). */
  recurrent: boolean;
}

export class InfluencePredictor extends Module {
  readonly options: InfluencePredictorOptions;
  /** Logits per source: 1 for binary sources, `numValues` otherwise. */
  readonly outputsPerSource: number;
  private readonly dense: Dense | undefined;
  private readonly gru: GRUCell | undefined;
  private readonly head: Dense;
  private hidden: tf.Tensor2D | undefined;

  constructor(options: InfluencePredictorOptions, rng: Rng) {
    super();
    for (const key of ["inputSize", "numSources", "hiddenSize"] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`InfluencePredictor: ${key} = ${options[key]}; expected an integer >= 1`);
      }
    }
    if (!Number.isInteger(options.numValues) || options.numValues < 2) {
      throw new RangeError(`InfluencePredictor: numValues = ${options.numValues}; expected an integer >= 2`);
    }
    this.options = { ...options };
    this.outputsPerSource = options.numValues === 2 ? 1 : options.numValues;
    if (options.recurrent) {
      this.gru = this.addChild(
        "gru",
        new GRUCell({ inputSize: options.inputSize, hiddenSize: options.hiddenSize }, rng.fork("gru")),
      );
    } else {
      this.dense = this.addChild(
        "dense",
        new Dense(
          { inputSize: options.inputSize, outputSize: options.hiddenSize, activation: "relu" },
          rng.fork("dense"),
        ),
      );
    }
    this.head = this.addChild(
      "head",
      new Dense(
        { inputSize: options.hiddenSize, outputSize: options.numSources * this.outputsPerSource },
        rng.fork("head"),
      ),
    );
  }

  /**
   * Logits for a batch. FNN: `inputs` [rows, in] (bits) → [rows, sources × outputs]. GRU: `inputs`
   * [time, batch, in] from a zero state (a whole episode per sequence) → [time × batch, sources ×
   * outputs], time-major.
   */
  logits(inputs: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const scaled = tf.sub(tf.mul(inputs, 2), 1);
      if (this.gru === undefined) return this.head.apply(this.dense!.apply(scaled as tf.Tensor2D));
      const [time, batch] = scaled.shape;
      const { outputs } = this.gru.unroll(scaled as tf.Tensor3D, this.gru.initialState(batch));
      return this.head.apply(tf.reshape(outputs, [time * batch, this.options.hiddenSize]));
    });
  }

  /** Zeroes the simulation-time hidden state (call at every episode start). */
  resetState(): void {
    this.hidden?.dispose();
    this.hidden = undefined;
  }

  /**
   * One simulation step: the d-set `input` now → the probability of every value of every source,
   * written into `out` ([source × numValues]); the GRU's hidden state advances.
   */
  predict(input: Float32Array, out: Float32Array): Float32Array {
    const { inputSize, numSources, numValues } = this.options;
    if (input.length !== inputSize) {
      throw new RangeError(
        `InfluencePredictor.predict: input has ${input.length} values; expected ${inputSize}`,
      );
    }
    const logits = tf.tidy(() => {
      const x = tf.sub(tf.mul(tf.tensor2d(input, [1, inputSize]), 2), 1) as tf.Tensor2D;
      let features: tf.Tensor2D;
      if (this.gru === undefined) features = this.dense!.apply(x);
      else {
        const previous = this.hidden ?? this.gru.initialState(1);
        const next = this.gru.step(x, previous);
        this.hidden?.dispose();
        this.hidden = tf.keep(next);
        features = next;
      }
      return this.head.apply(features);
    });
    const values = logits.dataSync();
    logits.dispose();
    probabilitiesFromLogits(values, numSources, numValues, out);
    return out;
  }

  override dispose(): void {
    this.resetState();
    super.dispose();
  }
}

/** Logits [source × outputs] → probabilities [source × numValues] (sigmoid or softmax per source). */
export function probabilitiesFromLogits(
  logits: ArrayLike<number>,
  numSources: number,
  numValues: number,
  out: Float32Array,
): Float32Array {
  for (let s = 0; s < numSources; s++) {
    if (numValues === 2) {
      const p = 1 / (1 + Math.exp(-logits[s]));
      out[2 * s] = 1 - p;
      out[2 * s + 1] = p;
      continue;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < numValues; v++) max = Math.max(max, logits[s * numValues + v]);
    let sum = 0;
    for (let v = 0; v < numValues; v++) {
      const e = Math.exp(logits[s * numValues + v] - max);
      out[s * numValues + v] = e;
      sum += e;
    }
    for (let v = 0; v < numValues; v++) out[s * numValues + v] /= sum;
  }
  return out;
}

/** Samples one value per source from `probabilities` [source × numValues] into `out`. */
export function sampleInfluence(
  probabilities: Float32Array,
  numValues: number,
  rng: Rng,
  out: Int32Array,
): Int32Array {
  for (let s = 0; s < out.length; s++) {
    let target = rng.uniform();
    let chosen = numValues - 1;
    for (let v = 0; v < numValues; v++) {
      target -= probabilities[s * numValues + v];
      if (target < 0) {
        chosen = v;
        break;
      }
    }
    out[s] = chosen;
  }
  return out;
}
