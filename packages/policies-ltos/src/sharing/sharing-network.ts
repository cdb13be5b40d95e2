import type { Rng } from "@netmarl/envs";
import { applyRowMap, Dense, GraphAttention, type GraphBatch, MLP, Module, RowMap } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import type { SharingLayout } from "./sharing-layout.js";

/** Options of {@link SharingNetwork}. */
export interface SharingNetworkOptions {
  obsDim: number;
  /** Encoder widths; the last is the feature width. */
  encoderSizes: readonly number[];
  numHeads: number;
  headSize: number;
}

/**
 * The high-level policy φ (shared parameters, one copy per agent in a decentralised run): an
 * encoder MLP and one relation kernel over the neighbourhood (DGN's trunk, as the original's w
 * network reuses CoLight's trunk: `Swarm_CoLight_agent.py::build_w_network`, lines 437–541), then a
 * score per out slot (i, j) = Dense([h_i, h_j]). Scoring pairs keeps the output in the neighbour
 * order of the input for any degree — the paper's "unordered output" fix (appendix C) — where the
 * original's Dense(num_neighbors) ties each output slot to a position.
 *
 * The score layer's kernel starts at zero, so the logits start at exactly the selfishness offsets
 * of the {@link SharingLayout} and w starts at exactly the configured self share (the original
 * uses Keras `random_normal`, std 0.05, so its start is only close to it).
 */
export class SharingNetwork extends Module {
  readonly encoder: MLP;
  readonly kernel: GraphAttention;
  readonly score: Dense;

  constructor(options: SharingNetworkOptions, rng: Rng) {
    super();
    const { obsDim, encoderSizes, numHeads, headSize } = options;
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
    this.kernel = this.addChild(
      "kernel",
      new GraphAttention({ inputSize: width, numHeads, headSize, outputSize: width }, rng.fork("kernel")),
    );
    this.score = this.addChild(
      "score",
      new Dense({ inputSize: 2 * width, outputSize: 1 }, rng.fork("score")),
    );
    tf.tidy(() => this.score.kernel.assign(tf.zerosLike(this.score.kernel)));
  }

  /**
   * Logits [rows, outWidth] of every agent's out slots, selfishness offsets and padding mask added.
   * `pairs` comes from {@link SharingNetwork.pairMap} for the same layout. Call inside `tf.tidy`.
   */
  logits(graph: GraphBatch, obs: tf.Tensor2D, pairs: RowMap, offsets: tf.Tensor2D): tf.Tensor2D {
    const h = this.kernel.apply(graph, this.encoder.apply(obs));
    const rows = graph.numNodes;
    const width = offsets.shape[1];
    const own = tf.reshape(tf.tile(tf.expandDims(h, 1), [1, width, 1]), [rows * width, -1]);
    const other = applyRowMap(h, pairs);
    const scores = tf.reshape(this.score.apply(tf.concat([own, other], 1) as tf.Tensor2D), [rows, width]);
    return tf.add(scores, offsets);
  }

  /** Row map: out slot (node, s) ← the receiving node's row (padding reads the node itself). */
  static pairMap(layout: SharingLayout): RowMap {
    const { numAgents: n, outWidth: k } = layout;
    const rows = layout.graphs * n;
    const indices = new Int32Array(rows * k);
    for (let node = 0; node < rows; node++) {
      const graphBase = node - (node % n);
      for (let s = 0; s < k; s++) {
        const j = layout.outAgents[node * k + s];
        indices[node * k + s] = j >= 0 ? graphBase + j : node;
      }
    }
    return RowMap.gather(rows, indices);
  }
}
