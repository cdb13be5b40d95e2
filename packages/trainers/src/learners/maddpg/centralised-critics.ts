/**
 * The two centralised critics of PIC's `maddpg/` code (spec §5.2): Q(s, a) of the whole team from
 * every agent's [observation, action] row, x = [B, N, obsDim + |A|] → Q = [B].
 *
 * - {@link MlpCritic} (`critic_type 'mlp'`, `models/mlp_net.py::MlpNet`; MADDPG and MADDPGS): an MLP on
 *   the concatenation [o_1, a_1, o_2, a_2, …] — it depends on the agents' order.
 * - {@link GraphCritic} (`'gcn_max'` / `'gcn_mean'`, `models/graph_net.py::GraphNet`; PIC):
 *     f = (ReLU(A·Lin_gc1(x)) + ReLU(Lin_1(x))) / N
 *     g = (ReLU(A·Lin_gc2(f)) + ReLU(Lin_2(f))) / N
 *     Q = Lin_V(pool_agents(g))
 *   with the fixed fully connected adjacency A = (1 − I)/N, so it is invariant to permuting agents.
 *
 * Both end in V = Linear(hidden, 1) whose initial weights are scaled by 0.1 as in PIC. Initial
 * weights are Glorot-uniform (zero biases) from the Rng, not PyTorch's Kaiming-uniform.
 */
import type { Rng } from "@netmarl/envs";
import { Dense, MLP, Module } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Per-call options of a critic. */
export interface CriticApplyOptions {
  /**
   * False when x is data (the critic's own update, where observations and stored actions need no
   * gradient): the first layer skips its input-gradient matMul. Default true (the actor update
   * back-propagates into the actions).
   */
  inputGradient?: boolean;
}

/** A centralised critic: [B, N, inputSize] rows of [o_k, a_k] → Q [B]. */
export interface CentralisedCritic extends Module {
  apply(x: tf.Tensor3D, options?: CriticApplyOptions): tf.Tensor1D;
}

/** Options of both critics. */
export interface CriticOptions {
  numAgents: number;
  /** Entries of one agent's row, obsDim + |A|. */
  inputSize: number;
  /** Hidden width (PIC: 128). */
  hiddenSize: number;
}

/** MADDPG's critic: Linear(N·d, H)-ReLU-Linear(H, H)-ReLU-Linear(H, 1) on the flattened rows. */
export class MlpCritic extends Module implements CentralisedCritic {
  readonly network: MLP;

  constructor(
    private readonly options: CriticOptions,
    rng: Rng,
  ) {
    super();
    this.network = this.addChild(
      "network",
      new MLP(
        {
          inputSize: options.numAgents * options.inputSize,
          hiddenSizes: [options.hiddenSize, options.hiddenSize],
          outputSize: 1,
        },
        rng,
      ),
    );
    scaleDense(this.network.layers[this.network.layers.length - 1], 0.1);
  }

  apply(x: tf.Tensor3D, options: CriticApplyOptions = {}): tf.Tensor1D {
    const { numAgents, inputSize } = this.options;
    return tf.tidy(() => {
      const rows = x.shape[0];
      const q = this.network.apply(tf.reshape(x, [rows, numAgents * inputSize]), options);
      return tf.reshape(q, [rows]);
    });
  }
}

/** Options of {@link GraphCritic}. */
export interface GraphCriticOptions extends CriticOptions {
  /** Pooling over agents: `'max'` (PIC's `gcn_max`, the default) or `'mean'` (`gcn_mean`). */
  pooling?: "max" | "mean";
}

/** PIC's permutation-invariant graph critic (`GraphNet`, without agent-id attributes). */
export class GraphCritic extends Module implements CentralisedCritic {
  readonly pooling: "max" | "mean";
  private readonly graphConv1: Dense;
  private readonly self1: Dense;
  private readonly graphConv2: Dense;
  private readonly self2: Dense;
  private readonly value: Dense;

  constructor(
    private readonly options: GraphCriticOptions,
    rng: Rng,
  ) {
    super();
    const { inputSize, hiddenSize } = options;
    this.pooling = options.pooling ?? "max";
    const dense = (name: string, input: number, output: number, activation: "linear" | "relu" = "linear") =>
      this.addChild(name, new Dense({ inputSize: input, outputSize: output, activation }, rng.fork(name)));
    this.graphConv1 = dense("gc1", inputSize, hiddenSize);
    // The self branches' ReLU is fused into their matMul; the graph branches' comes after the sum over agents.
    this.self1 = dense("nn_gc1", inputSize, hiddenSize, "relu");
    this.graphConv2 = dense("gc2", hiddenSize, hiddenSize);
    this.self2 = dense("nn_gc2", hiddenSize, hiddenSize, "relu");
    this.value = dense("V", hiddenSize, 1);
    scaleDense(this.value, 0.1);
  }

  apply(x: tf.Tensor3D, options: CriticApplyOptions = {}): tf.Tensor1D {
    const n = this.options.numAgents;
    return tf.tidy(() => {
      const rows = x.shape[0];
      // Agent-major rows [N, B, d]: reductions over agents and their gradients' broadcasts then act
      // on the leading axis of [N, B·H] matrices, which wasm runs ~10× faster than over the middle
      // axis of [B, N, H] (measured on a shared CPU: critic forward + backward 34 → 12–22 ms for B = 256, N = 3).
      const agentMajor = tf.reshape(tf.transpose(x, [1, 0, 2]), [n * rows, x.shape[2]]) as tf.Tensor2D;
      // Each layer's "/ N" is folded into the next layer's kernel (kernel-sized work instead of a
      // division of [N·B, H]): layerTimesN returns N × the layer's output, see `layerTimesN`.
      const inputGradient = options.inputGradient ?? true;
      const f = this.layerTimesN(agentMajor, this.graphConv1, this.self1, rows, 1, inputGradient);
      const g = this.layerTimesN(f, this.graphConv2, this.self2, rows, 1 / n, true);
      const perAgent = tf.reshape(g, [n, rows * this.options.hiddenSize]) as tf.Tensor2D;
      const pooled = this.pooling === "max" ? maxOverAgents(perAgent) : tf.mean(perAgent, 0);
      const q = this.value.apply(tf.reshape(pooled, [rows, this.options.hiddenSize]), { kernel: 1 / n });
      return tf.reshape(q, [rows]);
    });
  }

  /**
   * N × (ReLU(A·graphConv(h)) + ReLU(self(h))) / N for agent-major [N·B, d] inputs h = `inputScale`⁻¹ × the
   * layer's true input. Both scalings ride on the kernels: graphConv's output is taken / N so that
   * the leave-one-out sum Σ_k m_k − m_i is A·m for A = (1 − I)/N (O(N·B·H), no dense A, no gather),
   * and ReLU(c·z) = c·ReLU(z) for c > 0 carries the layer's own / N to the next layer.
   */
  private layerTimesN(
    h: tf.Tensor2D,
    graphConv: Dense,
    self: Dense,
    rows: number,
    inputScale: number,
    inputGradient: boolean,
  ): tf.Tensor2D {
    const n = this.options.numAgents;
    const hidden = this.options.hiddenSize;
    const messages = graphConv.apply(h, { kernel: inputScale / n, bias: 1 / n }, inputGradient);
    const aggregated = leaveOneOutSum(tf.reshape(messages, [n, rows * hidden]) as tf.Tensor2D);
    const selfTerm = self.apply(h, { kernel: inputScale }, inputGradient);
    return tf.add(tf.relu(tf.reshape(aggregated, [n * rows, hidden])), selfTerm) as tf.Tensor2D;
  }
}

/**
 * Σ_k m_k − m_i over the leading (agent) axis of [N, C], i.e. (1 − I)·m. The operator is
 * symmetric, so its gradient is the same operation on dy. wasm's Sum transposes the reduced axis
 * innermost first; viewed as [N, C/128, 128] that transpose is ≈ 2× faster than for [N, C]
 * (3–5 vs 7 ms for [15, 131072]; a [1, N]·[N, C] matMul is slower still, ≈ 11–17 ms, because XNNPACK
 * packs the fresh [N, C] operand as weights on every call).
 */
export function leaveOneOutSum(m: tf.Tensor2D): tf.Tensor2D {
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor2D;
    return { value: othersSum(input), gradFunc: (dy: tf.Tensor) => othersSum(dy as tf.Tensor2D) };
  });
  return run(m) as tf.Tensor2D;
}

const SUM_BLOCK = 128;

function othersSum(m: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, columns] = m.shape;
    const blocked = columns % SUM_BLOCK === 0 ? tf.reshape(m, [n, columns / SUM_BLOCK, SUM_BLOCK]) : m;
    return tf.sub(tf.reshape(tf.sum(blocked, 0), [1, columns]), m);
  });
}

/**
 * Max over the leading (agent) axis of [N, C] → [C]. The gradient goes to every entry equal to its
 * column's maximum, as tf.max's own gradient does, but with a float mask 1 − step(max − x): wasm's
 * broadcasting Equal (tf.max's gradient) took a third of the critic's backward pass.
 */
export function maxOverAgents(m: tf.Tensor2D): tf.Tensor1D {
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const value = tf.max(input, 0, true);
    save([tf.sub(1, tf.step(tf.sub(value, input)))]);
    return {
      value: tf.reshape(value, [input.shape[1]]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], tf.reshape(dy, [1, dy.size])),
    };
  });
  return run(m) as tf.Tensor1D;
}

/** Multiplies a layer's kernel and bias by `factor` (PIC's `weight.data.mul_(0.1)` on output heads). */
export function scaleDense(layer: Dense, factor: number): void {
  tf.tidy(() => {
    layer.kernel.assign(tf.mul(layer.kernel, factor));
    if (layer.bias) layer.bias.assign(tf.mul(layer.bias, factor));
  });
}
