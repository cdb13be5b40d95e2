/**
 * The per-agent soft critics of IP (appendix I.2, eq. 17), parameters shared by all agents:
 * - {@link StateValue} V_i(s): an MLP of agent i's observation x_i → 1;
 * - {@link NeighbourQ} Q_i(s, a_i, a_{N_i}): the neighbours' [x_j, one-hot a_j] embedded and summed
 *   (permutation invariant, any degree), joined with x_i, an MLP → one value per own action a_i.
 *
 * What "s" is: the appendix writes V_i(s), Q_i(s, …) on the global state but also says it "is not
 * available" in practice and passes states along the graph; here V_i reads x_i and Q_i reads x_i and
 * its neighbours' x_j (MPE observations already hold the nearest agents' and landmarks' relative
 * positions). V needing no graph lets V̄(s') be evaluated without storing the next step's graph.
 * Q's head over a_i lets the V and π losses take the exact expectation over the agent's own action.
 * Two hidden layers of `hiddenSize` (E.2: 128, ReLU).
 */
import type { Rng } from "@netmarl/envs";
import { Dense, type GraphBatch, MLP, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Sizes shared by the critics. */
export interface CriticSizes {
  inputSize: number;
  numActions: number;
  hiddenSize: number;
}

/** V_i(x_i). */
export class StateValue extends Module {
  private readonly mlp: MLP;

  constructor(sizes: CriticSizes, rng: Rng) {
    super();
    const { inputSize, hiddenSize } = sizes;
    this.mlp = this.addChild(
      "mlp",
      new MLP({ inputSize, hiddenSizes: [hiddenSize, hiddenSize], outputSize: 1 }, rng.fork("mlp")),
    );
  }

  /** x: [nodes, inputSize] → V [nodes]. */
  apply(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.mlp.apply(x), [x.shape[0]]));
  }
}

/** Q_i(x_i, x_{N_i}, ·, a_{N_i}) over the own action. */
export class NeighbourQ extends Module {
  private readonly neighbourEmbedding: Dense;
  private readonly mlp: MLP;

  constructor(sizes: CriticSizes, rng: Rng) {
    super();
    const { inputSize, numActions, hiddenSize } = sizes;
    this.neighbourEmbedding = this.addChild(
      "neighbourEmbedding",
      new Dense(
        { inputSize: inputSize + numActions, outputSize: hiddenSize, activation: "relu" },
        rng.fork("embed"),
      ),
    );
    this.mlp = this.addChild(
      "mlp",
      new MLP(
        { inputSize: inputSize + hiddenSize, hiddenSizes: [hiddenSize, hiddenSize], outputSize: numActions },
        rng.fork("mlp"),
      ),
    );
  }

  /**
   * x: [nodes, inputSize], actions: [nodes, numActions] (one-hot or relaxed; each node's row is read
   * by its neighbours only) → Q [nodes, numActions], column a = Q_i(s, a_i = a, a_{N_i}).
   * `graph` must hold no self-loops.
   */
  apply(graph: GraphBatch, x: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const messages = this.neighbourEmbedding.apply(tf.concat([x, actions], 1));
      const heard = graph.sumNeighbours(messages);
      return this.mlp.apply(tf.concat([x, heard], 1));
    });
  }
}
