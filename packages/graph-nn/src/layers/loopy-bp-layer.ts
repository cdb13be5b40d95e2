import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import type { GraphBatch } from "../graph/graph-batch.js";
import { glorotUniform, Module } from "../module/module.js";
import { type LinearActivation, linear } from "../ops/linear.js";

/** Options of {@link LoopyBPLayer}. */
export interface LoopyBPLayerOptions {
  stateSize: number;
  /** Width of the edge messages ṽᵢⱼ and of the node embedding μ̃ᵢ. */
  hiddenSize: number;
  /** σ. Default `"relu"`. */
  activation?: LinearActivation;
}

/** Messages and node embeddings after one {@link LoopyBPLayer} step. */
export interface LoopyBPState {
  /** ṽ per edge of the graph batch (edge order of `GraphBatch`): [numEdges, hiddenSize]. */
  messages: tf.Tensor2D;
  /** μ̃ per node: [numNodes, hiddenSize]. */
  intentions: tf.Tensor2D;
}

/**
 * The loopy-belief-propagation form of intention propagation (IP appendix B.2), one round:
 *
 *     ṽᵢⱼ = σ(W₁ sᵢ + W₂ Σ_{k∈N(i)∖j} ṽₖᵢ)      for every edge i → j (i's message to j)
 *     μ̃ᵢ  = σ(W₃ sᵢ + W₄ Σ_{k∈N(i)} ṽₖᵢ)
 *
 * The appendix writes "W₁ s" without an index; the sender's own state sᵢ is used (the message is
 * a functional of s and of what i heard, B.2). μ̃ is computed from the messages *after* this
 * round's update, so T rounds give μ̃ from the T-th messages. Start with zero messages
 * ({@link LoopyBPLayer.initialMessages}). The sum excluding j subtracts ṽⱼᵢ when the edge j → i
 * exists (one-way links subtract nothing).
 */
export class LoopyBPLayer extends Module {
  readonly stateSize: number;
  readonly hiddenSize: number;
  readonly activation: LinearActivation;

  constructor(options: LoopyBPLayerOptions, rng: Rng) {
    super();
    const { stateSize, hiddenSize } = options;
    if (!Number.isInteger(stateSize) || stateSize < 1 || !Number.isInteger(hiddenSize) || hiddenSize < 1) {
      throw new RangeError(
        `LoopyBPLayer: stateSize = ${stateSize}, hiddenSize = ${hiddenSize}; expected integers >= 1`,
      );
    }
    this.stateSize = stateSize;
    this.hiddenSize = hiddenSize;
    this.activation = options.activation ?? "relu";
    this.addWeight(
      "messageStateKernel",
      [stateSize, hiddenSize],
      glorotUniform(rng.fork(1), stateSize, hiddenSize),
    );
    this.addWeight(
      "messageKernel",
      [hiddenSize, hiddenSize],
      glorotUniform(rng.fork(2), hiddenSize, hiddenSize),
    );
    this.addWeight("messageBias", [hiddenSize], new Float32Array(hiddenSize));
    this.addWeight(
      "nodeStateKernel",
      [stateSize, hiddenSize],
      glorotUniform(rng.fork(3), stateSize, hiddenSize),
    );
    this.addWeight(
      "nodeMessageKernel",
      [hiddenSize, hiddenSize],
      glorotUniform(rng.fork(4), hiddenSize, hiddenSize),
    );
    this.addWeight("nodeBias", [hiddenSize], new Float32Array(hiddenSize));
  }

  /** Zero messages for `graph`: [numEdges, hiddenSize]. */
  initialMessages(graph: GraphBatch): tf.Tensor2D {
    return tf.zeros([graph.numEdges, this.hiddenSize]);
  }

  /** One round: state [numNodes, stateSize], messages [numEdges, hiddenSize] → new messages and μ̃. */
  apply(graph: GraphBatch, state: tf.Tensor2D, messages: tf.Tensor2D): LoopyBPState {
    const weights = new Map(this.namedVariables());
    const w = (name: string) => weights.get(name) as unknown as tf.Tensor2D;
    const heard = graph.scatterToTargets(messages); // Σ_k ṽ_ki, per node i
    const reverse = graph.gatherReverseEdges(messages); // ṽ_ji for edge i → j (0 if none)
    const excluding = tf.sub(graph.gatherSources(heard), reverse) as tf.Tensor2D;
    const stateTerm = graph.gatherSources(
      linear(state, w("messageStateKernel"), w("messageBias") as unknown as tf.Tensor1D),
    );
    const newMessages = linear(excluding, w("messageKernel"), undefined, this.activation, stateTerm);
    const nodeState = linear(state, w("nodeStateKernel"), w("nodeBias") as unknown as tf.Tensor1D);
    const intentions = linear(
      graph.scatterToTargets(newMessages),
      w("nodeMessageKernel"),
      undefined,
      this.activation,
      nodeState,
    );
    return { messages: newMessages, intentions };
  }
}
