import type { Rng } from "@netmarl/envs";
import { Dense, GraphAttention, type GraphBatch, MLP, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link DgnNetwork}. */
export interface DgnNetworkOptions {
  obsDim: number;
  numActions: number;
  /** Encoder widths; the last one is the feature width h of every level. */
  encoderSizes: readonly number[];
  /** Relation kernels (convolutional layers). */
  numLayers: number;
  numHeads: number;
  headSize: number;
}

/** What {@link DgnNetwork.forward} returns. */
export interface DgnForward {
  /** Q-values [rows, numActions]. */
  q: tf.Tensor2D;
  /** The features of every level: h1 (encoder) … h_{L+1}; levels[l] is the input of kernel l. */
  levels: tf.Tensor2D[];
}

/**
 * DGN's Q-network, shared by all agents (Jiang et al. 2020; spec §5.1): an encoder MLP with ReLU
 * on every layer, `numLayers` relation kernels (`GraphAttention`: multi-head dot-product attention
 * over the neighbourhood with self, post-softmax aggregation, then Dense+ReLU back to width h), and
 * a linear Q head on the concatenation of all levels [h1, h2, …, h_{L+1}] — the TF original's
 * choice (the PyTorch port reads only the last level). The concatenation keeps the agent's own
 * encoding next to the mixed ones, so a kernel can never wash out what the agent itself sees.
 */
export class DgnNetwork extends Module {
  readonly encoder: MLP;
  readonly kernels: GraphAttention[];
  readonly head: Dense;

  constructor(options: DgnNetworkOptions, rng: Rng) {
    super();
    const { obsDim, numActions, encoderSizes, numLayers, numHeads, headSize } = options;
    if (encoderSizes.length === 0) throw new RangeError("dgn: encoderSizes must hold at least one width");
    const width = encoderSizes[encoderSizes.length - 1];
    this.encoder = this.addChild(
      "encoder",
      new MLP(
        {
          inputSize: obsDim,
          hiddenSizes: encoderSizes.slice(0, -1),
          outputSize: width,
          outputActivation: "relu",
        },
        rng.fork("encoder"),
      ),
    );
    this.kernels = [];
    for (let l = 0; l < numLayers; l++) {
      this.kernels.push(
        this.addChild(
          `kernels.${l}`,
          new GraphAttention(
            { inputSize: width, numHeads, headSize, outputSize: width },
            rng.fork(`kernel-${l}`),
          ),
        ),
      );
    }
    this.head = this.addChild(
      "head",
      new Dense({ inputSize: width * (numLayers + 1), outputSize: numActions }, rng.fork("head")),
    );
  }

  /** obs [rows, obsDim] on the graph batch (rows = graph.numNodes). Call inside `tf.tidy`. */
  forward(graph: GraphBatch, obs: tf.Tensor2D): DgnForward {
    const levels: tf.Tensor2D[] = [this.encoder.apply(obs)];
    for (const kernel of this.kernels) levels.push(kernel.apply(graph, levels[levels.length - 1]));
    const q = this.head.apply(levels.length === 1 ? levels[0] : (tf.concat(levels, 1) as tf.Tensor2D));
    return { q, levels };
  }
}
