import type { Rng } from "@netmarl/envs";
import type * as tf from "@tensorflow/tfjs-core";
import type { GraphBatch } from "../graph/graph-batch.js";
import { glorotUniform, Module } from "../module/module.js";
import { type LinearActivation, linear } from "../ops/linear.js";

/** Options of {@link MeanFieldLayer}. */
export interface MeanFieldLayerOptions {
  /** Width of the state embedding s. */
  stateSize: number;
  /** Width of the intention embedding μ this layer outputs. */
  hiddenSize: number;
  /**
   * Width of the incoming intention μ^(m−1); default `hiddenSize`. The first round of IP reads the
   * independent policy μ⁰ = softmax(MLP(s)), as wide as the action set (appendix B.1, Figure 6).
   */
  intentionInputSize?: number;
  /** σ. Default `"relu"` (IP appendix B.1: "Relu[W1(s1 + s2) + W2(μ1 + μ2)]"). */
  activation?: LinearActivation;
}

/**
 * One round of intention propagation in the structure2vec mean-field form (IP appendix B.1):
 *
 *     μᵢ ← σ( W₁·(sᵢ + Σⱼ∈N(i) sⱼ) + W₂·(μᵢ + Σⱼ∈N(i) μⱼ) + b )
 *
 * States are passed along with intentions because "in practice the global state is not available".
 * Heterogeneous agents: encode their observations with a {@link GroupEncoder} first.
 */
export class MeanFieldLayer extends Module {
  readonly stateSize: number;
  readonly hiddenSize: number;
  readonly activation: LinearActivation;
  readonly stateKernel: tf.Variable;
  readonly intentionKernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(options: MeanFieldLayerOptions, rng: Rng) {
    super();
    const { stateSize, hiddenSize } = options;
    const inputSize = options.intentionInputSize ?? hiddenSize;
    for (const [name, value] of [
      ["stateSize", stateSize],
      ["hiddenSize", hiddenSize],
      ["intentionInputSize", inputSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`MeanFieldLayer: ${name} = ${value}; expected an integer >= 1`);
      }
    }
    this.stateSize = stateSize;
    this.hiddenSize = hiddenSize;
    this.activation = options.activation ?? "relu";
    this.stateKernel = this.addWeight(
      "stateKernel",
      [stateSize, hiddenSize],
      glorotUniform(rng.fork(1), stateSize, hiddenSize),
    );
    this.intentionKernel = this.addWeight(
      "intentionKernel",
      [inputSize, hiddenSize],
      glorotUniform(rng.fork(2), inputSize, hiddenSize),
    );
    this.bias = this.addWeight("bias", [hiddenSize], new Float32Array(hiddenSize));
  }

  /**
   * s: [nodes, stateSize], μ: [nodes, intentionInputSize] → new μ [nodes, hiddenSize]. Pass `aggregatedState` (= sᵢ + Σⱼ sⱼ,
   * {@link MeanFieldLayer.aggregateState}) to share it between stacked layers.
   */
  apply(
    graph: GraphBatch,
    state: tf.Tensor2D,
    intention: tf.Tensor2D,
    aggregatedState?: tf.Tensor2D,
  ): tf.Tensor2D {
    const stateSum = aggregatedState ?? MeanFieldLayer.aggregateState(graph, state);
    const intentionSum = graph.sumNeighbours(intention, true);
    const stateTerm = linear(stateSum, this.stateKernel as tf.Tensor2D, this.bias as tf.Tensor1D);
    // Intermediates are left to the caller's tf.tidy (as in tfjs-layers).
    return linear(intentionSum, this.intentionKernel as tf.Tensor2D, undefined, this.activation, stateTerm);
  }

  /** sᵢ + Σⱼ sⱼ over each node's neighbours. */
  static aggregateState(graph: GraphBatch, state: tf.Tensor2D): tf.Tensor2D {
    return graph.sumNeighbours(state, true);
  }
}
