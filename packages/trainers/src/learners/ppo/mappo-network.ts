import type { Rng } from "@netmarl/envs";
import { Dense, GRUCell, LayerNorm, LayerNormMLP, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link MappoNetwork}. */
export interface MappoNetworkOptions {
  inputSize: number;
  /** Trunk widths; the last one is also the GRU's width (on-policy: hidden_size 64, layer_N 1). */
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Orthogonal gain of the output layer (0.01 for the policy head, 1 for the value head). */
  headGain: number;
  /** LayerNorm on the input and after every hidden layer (on-policy's `MLPBase`); false: plain ReLU layers. */
  layerNorm: boolean;
  /** Orthogonal kernels and zero biases (`use_orthogonal`); false: Glorot-uniform. */
  orthogonal: boolean;
  /** A GRU (+ LayerNorm on its output) between trunk and head (on-policy's `RNNLayer`, recurrent_N 1). */
  recurrent: boolean;
}

/**
 * on-policy MAPPO's `R_Actor` / `R_Critic` body (`onpolicy/algorithms/r_mappo/algorithm/
 * r_actor_critic.py`): `MLPBase` → [GRU → LayerNorm] → linear head. The head's kernel is orthogonal
 * with gain 0.01 for the policy (`distributions.py` `Categorical`, `--gain` 0.01) and 1 for the value.
 */
export class MappoNetwork extends Module {
  readonly trunk: LayerNormMLP | ReluStack;
  readonly gru: GRUCell | undefined;
  readonly gruNorm: LayerNorm | undefined;
  readonly head: Dense;

  constructor(options: MappoNetworkOptions, rng: Rng) {
    super();
    const { inputSize, hiddenSizes, orthogonal } = options;
    this.trunk = this.addChild(
      "trunk",
      options.layerNorm
        ? new LayerNormMLP({ inputSize, hiddenSizes, orthogonal }, rng.fork("trunk"))
        : new ReluStack(inputSize, hiddenSizes, orthogonal, rng.fork("trunk")),
    );
    const width = this.trunk.outputSize;
    if (options.recurrent) {
      this.gru = this.addChild(
        "gru",
        new GRUCell(
          { inputSize: width, hiddenSize: width, initializer: orthogonal ? "orthogonal" : "default" },
          rng.fork("gru"),
        ),
      );
      this.gruNorm = this.addChild("gruNorm", new LayerNorm(width));
    }
    this.head = this.addChild(
      "head",
      new Dense(
        {
          inputSize: width,
          outputSize: options.outputSize,
          initializer: orthogonal ? "orthogonal" : "glorot-uniform",
          gain: options.headGain,
        },
        rng.fork("head"),
      ),
    );
  }

  /** Width of the recurrent state (0 for a feed-forward network). */
  get hiddenSize(): number {
    return this.gru ? this.gru.hiddenSize : 0;
  }

  /** Feed-forward: x [rows, inputSize] → [rows, outputSize]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (this.gru) throw new Error("MappoNetwork.apply: the network is recurrent; use step() or sequence()");
    return tf.tidy(() => this.head.apply(this.trunk.apply(x)));
  }

  /**
   * One recurrent step for `rows` rows: x [rows, inputSize], h [rows, hidden] (already reset where an
   * episode starts) → the output and the next hidden state side by side, [rows, outputSize + hidden],
   * so that a caller reads both with one `dataSync`.
   */
  stepJoined(x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    const gru = this.requireGru("stepJoined");
    return tf.tidy(() => {
      const next = gru.step(this.trunk.apply(x), h);
      return tf.concat([this.head.apply(this.gruNorm!.apply(next)), next], 1);
    });
  }

  /**
   * Time-major sequences: x [length × batch, inputSize] (row k·batch + b = step k of sequence b),
   * h0 [batch, hidden], `resets` [length, batch] (1 = zero the state before that step, the done mask).
   * Returns the outputs [length × batch, outputSize] and every step's new hidden state
   * [length × batch, hidden].
   */
  sequence(
    x: tf.Tensor2D,
    h0: tf.Tensor2D,
    resets: tf.Tensor2D,
  ): { outputs: tf.Tensor2D; hiddens: tf.Tensor2D } {
    const gru = this.requireGru("sequence");
    const [length, batch] = resets.shape;
    return tf.tidy(() => {
      const features = tf.reshape(this.trunk.apply(x), [length, batch, gru.hiddenSize]) as tf.Tensor3D;
      const hiddens = tf.reshape(gru.unroll(features, h0, resets).outputs, [
        length * batch,
        gru.hiddenSize,
      ]) as tf.Tensor2D;
      return { outputs: this.head.apply(this.gruNorm!.apply(hiddens)), hiddens };
    });
  }

  private requireGru(where: string): GRUCell {
    if (!this.gru) throw new Error(`MappoNetwork.${where}: the network is feed-forward; use apply()`);
    return this.gru;
  }
}

/** Linear → ReLU per hidden width, without LayerNorm (`layerNorm: false`). */
class ReluStack extends Module {
  readonly layers: Dense[];

  constructor(inputSize: number, hiddenSizes: readonly number[], orthogonal: boolean, rng: Rng) {
    super();
    const sizes = [inputSize, ...hiddenSizes];
    this.layers = hiddenSizes.map((width, l) =>
      this.addChild(
        `layers.${l}`,
        new Dense(
          {
            inputSize: sizes[l],
            outputSize: width,
            activation: "relu",
            initializer: orthogonal ? "orthogonal" : "glorot-uniform",
            gain: Math.SQRT2,
            inputGradient: l > 0,
          },
          rng.fork(l),
        ),
      ),
    );
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1].outputSize;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.layers.reduce((h, layer) => layer.apply(h), x));
  }
}
