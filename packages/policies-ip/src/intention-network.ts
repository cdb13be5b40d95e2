/**
 * The intention-propagation network Λθ (IP appendix B.1, B.2, E.2): per-agent action logits of the
 * mean-field joint policy q(a|s) = Π_i q_i(a_i|s), computed by message passing on the agent graph.
 *
 * `mean-field` (default, B.1 / Figure 6):
 *     μ⁰_i = softmax(MLP(x_i))                                        (the independent policy)
 *     μ^m_i = ReLU(A^m x_i + B^m Σ_{j∈N_i} x_j + C^m μ^{m−1}_i + D^m Σ_{j∈N_i} μ^{m−1}_j + b^m)
 *     logits_i = W3 · μ^M_i + b3                                      ("1 fully-connected layer at the top")
 * With `selfWeights: "shared"` (A = B, C = D) a round is the appendix's literal example
 * ReLU[W1(s_i + Σ s_j) + W2(μ_i + Σ μ_j)]; the default `"separate"` lets an agent tell itself from
 * its neighbours (self-neighbour-round.ts says why: shared weights give every agent of a complete
 * graph the same policy).
 * `loopy-bp` (B.2): M rounds of one {@link LoopyBPLayer} from zero messages — B.2's W1…W4 carry no
 * round index (structure2vec iterates one operator), and only the last round's node embeddings μ̃_i
 * are read, so separate per-round node weights would get no gradient — then the same top layer.
 * `independent` (F.1's baseline, "replace the intention propagation network by an independent
 * policy network"): logits_i = MLP(x_i) with the same depth (M + 1 hidden layers) and width.
 *
 * Where this follows the appendix rather than spec §1.2: the spec starts from μ⁰ = 0 and feeds only
 * x_i; the appendix's Figure 6 starts from the independent policy's probabilities and sums states as
 * well as intentions over N_i ∪ {i} ("we also do message passing on state, since in practice the
 * global state is not available"), which is what is built here. Each round has its own weights (a
 * GNN layer per hop, E.2: "M = 2 layers … each layer contains 128 hidden units"). The MLP of μ⁰ has
 * one hidden layer of the same width (the appendix does not give its depth). Parameters are shared
 * by all agents. The top layer starts at 0.1 × its Glorot draw (PIC's actor convention): sums over
 * neighbourhoods grow the embeddings with the degree, and an unscaled top layer starts the policy
 * nearly deterministic (measured: 0.97 on one action at N = 3), which SAC never recovers from.
 */
import type { Rng } from "@netmarl/envs";
import {
  Dense,
  type GraphBatch,
  GroupEncoder,
  LoopyBPLayer,
  MeanFieldLayer,
  MLP,
  Module,
  RowGroups,
} from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { SelfNeighbourRound } from "./self-neighbour-round.js";

/** The forms of Λθ. */
export const INTENTION_VARIANTS = ["mean-field", "loopy-bp", "independent"] as const;
export type IntentionVariant = (typeof INTENTION_VARIANTS)[number];

/** Options of {@link IntentionNetwork}. */
export interface IntentionNetworkOptions {
  /** Width of an agent's input x_i (its observation). */
  inputSize: number;
  numActions: number;
  /** Width of every hidden layer and embedding (appendix: 128). */
  hiddenSize: number;
  /** Propagation rounds M (appendix: 2). */
  rounds: number;
  variant: IntentionVariant;
  /** Mean-field rounds: own state/intention weighted apart from the neighbours' (default) or not. */
  selfWeights?: "separate" | "shared";
  /**
   * Agent types (EnvSpec.groups, e.g. heterogeneous navigation): with two or more, each type's
   * observations pass through their own encoder into a shared latent of `hiddenSize` first (E.2).
   */
  groups?: ArrayLike<number>;
}

export class IntentionNetwork extends Module {
  readonly options: IntentionNetworkOptions;
  private readonly initialPolicy: MLP | null = null;
  private readonly meanField: MeanFieldLayer[] = [];
  private readonly separateRounds: SelfNeighbourRound[] = [];
  private readonly loopyBP: LoopyBPLayer | null = null;
  private readonly independent: MLP | null = null;
  private readonly top: Dense | null = null;
  private readonly encoder: GroupEncoder | null = null;
  private readonly groupOfAgent: Int32Array | null = null;
  /** Row groups per row count (acting: N rows; training: chunk sizes), built once each. */
  private readonly rowGroups = new Map<number, RowGroups>();

  constructor(options: IntentionNetworkOptions, rng: Rng) {
    super();
    const { inputSize, numActions, hiddenSize, rounds, variant } = options;
    for (const [name, value] of [
      ["inputSize", inputSize],
      ["numActions", numActions],
      ["hiddenSize", hiddenSize],
      ["rounds", rounds],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`IntentionNetwork: ${name} = ${value}; expected an integer >= 1`);
      }
    }
    this.options = { ...options };
    const numGroups = options.groups ? Math.max(...Array.from(options.groups)) + 1 : 1;
    let featureSize = inputSize;
    if (numGroups > 1) {
      this.groupOfAgent = Int32Array.from(options.groups as ArrayLike<number>);
      this.encoder = this.addChild(
        "groupEncoder",
        new GroupEncoder(
          { numGroups, inputSize, hiddenSizes: [], outputSize: hiddenSize },
          rng.fork("groups"),
        ),
      );
      featureSize = hiddenSize;
    }
    if (variant === "independent") {
      const hiddenSizes = new Array<number>(rounds + 1).fill(hiddenSize);
      const mlp = new MLP(
        { inputSize: featureSize, hiddenSizes, outputSize: numActions },
        rng.fork("independent"),
      );
      scaleKernel(mlp.layers[mlp.layers.length - 1], 0.1);
      this.independent = this.addChild("independent", mlp);
      return;
    }
    if (variant === "mean-field") {
      this.initialPolicy = this.addChild(
        "initialPolicy",
        new MLP(
          { inputSize: featureSize, hiddenSizes: [hiddenSize], outputSize: numActions },
          rng.fork("initial"),
        ),
      );
      for (let m = 0; m < rounds; m++) {
        const intentionSize = m === 0 ? numActions : hiddenSize;
        if ((options.selfWeights ?? "separate") === "separate") {
          const layer = new SelfNeighbourRound(
            featureSize,
            intentionSize,
            hiddenSize,
            rng.fork(`round-${m}`),
          );
          this.separateRounds.push(this.addChild(`rounds.${m}`, layer));
        } else {
          const layer = new MeanFieldLayer(
            { stateSize: featureSize, hiddenSize, intentionInputSize: intentionSize },
            rng.fork(`round-${m}`),
          );
          this.meanField.push(this.addChild(`rounds.${m}`, layer));
        }
      }
    } else if (variant === "loopy-bp") {
      this.loopyBP = this.addChild(
        "loopyBP",
        new LoopyBPLayer({ stateSize: featureSize, hiddenSize }, rng.fork("loopy-bp")),
      );
    } else {
      throw new RangeError(
        `IntentionNetwork: variant = ${String(variant)}; expected one of ${INTENTION_VARIANTS.join(", ")}`,
      );
    }
    const top = new Dense(
      { inputSize: hiddenSize, outputSize: numActions, activation: "linear" },
      rng.fork("top"),
    );
    scaleKernel(top, 0.1);
    this.top = this.addChild("top", top);
  }

  /** x: [graph.numNodes, inputSize] → action logits [numNodes, numActions]. */
  logits(graph: GraphBatch, x: tf.Tensor2D): tf.Tensor2D {
    if (x.shape[1] !== this.options.inputSize || x.shape[0] !== graph.numNodes) {
      throw new RangeError(
        `IntentionNetwork.logits: x is [${x.shape}]; expected [${graph.numNodes}, ${this.options.inputSize}]`,
      );
    }
    return tf.tidy(() => {
      x = this.encoder === null ? x : this.encoder.apply(x, this.rowGroupsFor(graph.numNodes));
      if (this.independent !== null) return this.independent.apply(x);
      const top = this.top as Dense;
      if (this.initialPolicy !== null) {
        let intention: tf.Tensor2D = tf.softmax(this.initialPolicy.apply(x));
        if (this.separateRounds.length > 0) {
          const neighbourStates = graph.sumNeighbours(x);
          for (const layer of this.separateRounds)
            intention = layer.apply(graph, x, neighbourStates, intention);
        } else {
          const stateSum = MeanFieldLayer.aggregateState(graph, x);
          for (const layer of this.meanField) intention = layer.apply(graph, x, intention, stateSum);
        }
        return top.apply(intention);
      }
      const layer = this.loopyBP as LoopyBPLayer;
      let messages = layer.initialMessages(graph);
      let intentions = x;
      for (let m = 0; m < this.options.rounds; m++)
        ({ messages, intentions } = layer.apply(graph, x, messages));
      return top.apply(intentions);
    });
  }

  /** The agent types of `rows` rows (whole graphs of N agents). */
  private rowGroupsFor(rows: number): RowGroups {
    const groups = this.groupOfAgent as Int32Array;
    let cached = this.rowGroups.get(rows);
    if (cached === undefined) {
      cached = RowGroups.repeat(groups, rows / groups.length, (this.encoder as GroupEncoder).encoders.length);
      this.rowGroups.set(rows, cached);
    }
    return cached;
  }

  override dispose(): void {
    for (const groups of this.rowGroups.values()) groups.dispose();
    this.rowGroups.clear();
    super.dispose();
  }
}

/** kernel ← factor · kernel (PIC scales its actor's last layer by 0.1 at init). */
function scaleKernel(layer: Dense, factor: number): void {
  tf.tidy(() => layer.kernel.assign(tf.mul(layer.kernel, factor)));
}
