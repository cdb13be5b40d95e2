import type { Rng } from "@netmarl/envs";
import { Dense, MLP, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link QmixMixer}. */
export interface QmixMixerOptions {
  numAgents: number;
  stateDim: number;
  /** Width of the mixing layer (pymarl `mixing_embed_dim`: 32). */
  embedSize: number;
  /** Hidden width of the two-layer hypernetworks (pymarl `hypernet_embed`: 64). */
  hypernetSize: number;
}

/**
 * QMIX's monotonic mixing network (Rashid et al. 2018; pymarl `modules/mixers/qmix.py` with
 * `hypernet_layers: 2`; spec §5.4). Its weights are produced from the global state s by
 * hypernetworks and made non-negative, so ∂Q_tot/∂Q_i ≥ 0 for every agent:
 *
 *     w1 = |HyperW1(s)| ∈ ℝ^{N×E}  (Linear(S, 64)–ReLU–Linear(64, N·E))      b1 = Linear(S, E)
 *     hidden = ELU(Q · w1 + b1)                                                (Q ∈ ℝ^N)
 *     w_final = |HyperW2(s)| ∈ ℝ^E (Linear(S, 64)–ReLU–Linear(64, E))         V(s) = Linear(S, E)–ReLU–Linear(E, 1)
 *     Q_tot = hidden · w_final + V(s)
 */
export class QmixMixer extends Module {
  readonly numAgents: number;
  readonly embedSize: number;
  readonly hyperW1: MLP;
  readonly hyperB1: Dense;
  readonly hyperWFinal: MLP;
  readonly value: MLP;

  constructor(options: QmixMixerOptions, rng: Rng) {
    super();
    const { numAgents, stateDim, embedSize, hypernetSize } = options;
    this.numAgents = numAgents;
    this.embedSize = embedSize;
    this.hyperW1 = this.addChild(
      "hyperW1",
      new MLP(
        { inputSize: stateDim, hiddenSizes: [hypernetSize], outputSize: numAgents * embedSize },
        rng.fork("hyperW1"),
      ),
    );
    this.hyperB1 = this.addChild(
      "hyperB1",
      new Dense({ inputSize: stateDim, outputSize: embedSize }, rng.fork("hyperB1")),
    );
    this.hyperWFinal = this.addChild(
      "hyperWFinal",
      new MLP(
        { inputSize: stateDim, hiddenSizes: [hypernetSize], outputSize: embedSize },
        rng.fork("hyperWFinal"),
      ),
    );
    this.value = this.addChild(
      "value",
      new MLP({ inputSize: stateDim, hiddenSizes: [embedSize], outputSize: 1 }, rng.fork("value")),
    );
  }

  /** agentQs [B, N] (each agent's chosen Q), state [B, S] → Q_tot [B]. */
  apply(agentQs: tf.Tensor2D, state: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const rows = agentQs.shape[0];
      const w1 = tf.reshape(tf.abs(this.hyperW1.apply(state)), [rows, this.numAgents, this.embedSize]);
      const mixed = tf.sum(tf.mul(tf.reshape(agentQs, [rows, this.numAgents, 1]), w1), 1); // [B, E]
      const hidden = tf.elu(tf.add(mixed, this.hyperB1.apply(state)));
      const wFinal = tf.abs(this.hyperWFinal.apply(state));
      return tf.add(
        tf.sum(tf.mul(hidden, wFinal), 1),
        tf.reshape(this.value.apply(state), [rows]),
      ) as tf.Tensor1D;
    });
  }
}
