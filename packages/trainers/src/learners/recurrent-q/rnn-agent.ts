import type { Rng } from "@netmarl/envs";
import { Dense, GRUCell, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link RnnAgent}. */
export interface RnnAgentOptions {
  inputSize: number;
  /** Width of the first layer and of the GRU state (pymarl `rnn_hidden_dim`: 64). */
  hiddenSize: number;
  numActions: number;
}

/**
 * pymarl's recurrent agent (`src/modules/agents/rnn_agent.py` lines 10–23): x = ReLU(fc1(input)),
 * h' = GRUCell(x, h), Q = fc2(h'). The hidden state is carried over an episode and starts at zero.
 */
export class RnnAgent extends Module {
  readonly hiddenSize: number;
  readonly input: Dense;
  readonly gru: GRUCell;
  readonly output: Dense;

  constructor(options: RnnAgentOptions, rng: Rng) {
    super();
    const { inputSize, hiddenSize, numActions } = options;
    this.hiddenSize = hiddenSize;
    this.input = this.addChild(
      "input",
      new Dense({ inputSize, outputSize: hiddenSize, activation: "relu" }, rng.fork("input")),
    );
    this.gru = this.addChild("gru", new GRUCell({ inputSize: hiddenSize, hiddenSize }, rng.fork("gru")));
    this.output = this.addChild(
      "output",
      new Dense({ inputSize: hiddenSize, outputSize: numActions }, rng.fork("output")),
    );
  }

  /** One step: inputs [rows, in], hidden [rows, h] → Q-values [rows, |A|] and the next hidden state. */
  step(inputs: tf.Tensor2D, hidden: tf.Tensor2D): { q: tf.Tensor2D; hidden: tf.Tensor2D } {
    return tf.tidy(() => {
      const next = this.gru.step(this.input.apply(inputs) as tf.Tensor2D, hidden);
      return { q: this.output.apply(next) as tf.Tensor2D, hidden: next };
    });
  }

  /** Unrolls whole episodes from a zero state: inputs [time, rows, in] → Q-values [time, rows, |A|]. */
  unroll(inputs: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [time, rows, size] = inputs.shape;
      const features = tf.reshape(this.input.apply(tf.reshape(inputs, [time * rows, size])), [
        time,
        rows,
        this.hiddenSize,
      ]) as tf.Tensor3D;
      const { outputs } = this.gru.unroll(features, tf.zeros([rows, this.hiddenSize]));
      const q = this.output.apply(tf.reshape(outputs, [time * rows, this.hiddenSize]));
      return tf.reshape(q, [time, rows, -1]) as tf.Tensor3D;
    });
  }
}
