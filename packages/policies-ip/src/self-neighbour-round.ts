/**
 * One intention-propagation round with the agent's own state and intention weighted apart from its
 * neighbours' sums:
 *
 *     μ_i ← ReLU(A·x_i + B·Σ_{j∈N_i} x_j + C·μ_i + D·Σ_{j∈N_i} μ_j + b)
 *
 * The appendix's example round ReLU[W1(s_i + Σ s_j) + W2(μ_i + Σ μ_j)] is the special case A = B,
 * C = D ({@link MeanFieldLayer}). With shared weights an agent cannot tell itself from its
 * neighbours: wherever two agents have the same closed neighbourhood (every agent of a complete
 * graph, e.g. MPE with N ≤ k + 1) they get the same policy — measured on cooperative navigation
 * N = 3, where all three agents then move alike. Structure2vec's own mean-field form (Dai et al.
 * 2016, spec §1.2: σ(W1 x_i + W2 Σ_{j∈N_i} μ_j)) also keeps the node's features apart.
 */
import type { Rng } from "@netmarl/envs";
import { type GraphBatch, glorotUniform, linear, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

export class SelfNeighbourRound extends Module {
  private readonly kernels: Record<
    "stateSelf" | "stateNeighbours" | "intentionSelf" | "intentionNeighbours",
    tf.Variable
  >;
  private readonly bias: tf.Variable;

  constructor(stateSize: number, intentionSize: number, hiddenSize: number, rng: Rng) {
    super();
    const kernel = (name: string, fanIn: number, stream: number) =>
      this.addWeight(name, [fanIn, hiddenSize], glorotUniform(rng.fork(stream), fanIn, hiddenSize));
    this.kernels = {
      stateSelf: kernel("stateSelfKernel", stateSize, 1),
      stateNeighbours: kernel("stateNeighbourKernel", stateSize, 2),
      intentionSelf: kernel("intentionSelfKernel", intentionSize, 3),
      intentionNeighbours: kernel("intentionNeighbourKernel", intentionSize, 4),
    };
    this.bias = this.addWeight("bias", [hiddenSize], new Float32Array(hiddenSize));
  }

  /** x [nodes, stateSize], Σ_{N_i} x (shared by the rounds), μ [nodes, intentionSize] → new μ. */
  apply(
    graph: GraphBatch,
    x: tf.Tensor2D,
    neighbourStates: tf.Tensor2D,
    intention: tf.Tensor2D,
  ): tf.Tensor2D {
    const k = this.kernels;
    const fromStates = tf.add(
      linear(x, k.stateSelf as tf.Tensor2D, this.bias as tf.Tensor1D),
      linear(neighbourStates, k.stateNeighbours as tf.Tensor2D),
    ) as tf.Tensor2D;
    const fromSelf = linear(intention, k.intentionSelf as tf.Tensor2D, undefined, "linear", fromStates);
    return linear(
      graph.sumNeighbours(intention),
      k.intentionNeighbours as tf.Tensor2D,
      undefined,
      "relu",
      fromSelf,
    );
  }
}
