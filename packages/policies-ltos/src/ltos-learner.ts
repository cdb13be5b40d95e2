/**
 * # LToS — learning to share (Yi, Li, Wang, Lu), decentralised, with a DGN low level
 *
 * Every agent i has a high-level policy φ_i that splits its reward among itself and its graph
 * neighbours, w_i· = softmax(φ_i(o_i) + selfishness offsets) (rows sum to 1), and a low-level
 * DGN policy that maximises the shaped reward it receives, r̂_j = Σ_i w_ij r_i. The high level is
 * trained DDPG-style through the receivers' low-level values: agent j computes
 * g_ij = ∂V_j/∂w_in_j[i] with V_j = max_a Q_j(o_j, w_in_j) and sends it back to i (gradient
 * exchange), and i ascends Σ_j g_ij ∂w_ij/∂φ_i. Appendix Algorithm 1; spec §2.5 of
 * /work/shared/specs/algorithms.md. Fixed-LToS ({@link fixedLtosAlgorithm}) never trains φ: the
 * weights stay at the selfishness initialisation.
 *
 * Per step: every `actionInterval` steps w is re-chosen (with exploration noise when training) →
 * w_out is re-indexed to every receiver's w_in by a gather built once per graph
 * ({@link SharingLayout}) → a = ε-greedy argmax Q(o ⊕ w_in) → the env steps → r̂ = shaped reward,
 * stored with (o, w_in, a, o′, graph) in every agent's replay. Per update: the low level fits
 * y_j = r̂_j + γ(1 − done) max_a Q̄_j(o′ ⊕ w̄_in′) with w̄ from the TARGET high-level net plus
 * N(0, 0.1²) logit noise; then (when due) the high level takes gradient-exchange steps; then both
 * target nets move by τ. Every agent's replay sampler is the same unified PRNG stream, so all
 * agents' minibatches hold the same time steps ({@link SharingReplay}).
 *
 * Sources and constants (repository `zhuliwen/RoadnetSZ`, `code/LToS/`, the only public LToS code:
 * the traffic version, centralised in one graph; appendix = `shared/papers/ltos-…-appendix.txt`):
 * - Selfishness initialiser: self logit log(σ/(1−σ)·(k−1)) — `Swarm_CoLight_agent.py` lines 66–70;
 *   padding logits masked (−40 there, lines 62–64; −1e9 here so padded weights are exactly 0).
 * - w_out → w_in re-indexing and the reverse for gradients — `Swarm_CoLight_agent.py::w_out_to_w_in`
 *   (186–224) and `v_gradient` (677–718); `v_grad_mask` zeroes padding (60, 71–73, 782).
 * - High-level loss: gradients −g/batch pushed through the softmax (`w_optimizer`, 720–739;
 *   `train_w_network`, 768–798), w computed without noise (770–771).
 * - Target: r̂/NORMAL_FACTOR + γ max Q̄(s′, w̄_in′), w̄ from the target w-net with N(0, 0.1²) logit
 *   noise ("TD3 add noise") — `prepare_Xs_Y` 412–427 and `w_in_att_predict` 266–274.
 * - OU exploration on the logits scaled by ε — 178–184, 286–288, `noise.py` (see {@link SharingNoise}).
 * - Defaults: appendix Tables 4 (low level) and 5 (high level), **prisoner** column: encoder
 *   32 & 32 ReLU, 4 heads, Adam 1e-3, γ 0.99, τ 0.1, sample 10 / batch 10, buffer 200 000,
 *   ε 0.8 constant; high level every step, action interval 1, sample 2 000 / batch 32,
 *   ε + Gaussian noise (ε 0.8, σ 1), selfishness 0.5, SGD lr 0.1. Jungle and traffic settings
 *   are configs (the bench's `ltos-full` suite).
 *
 * Choices and deviations (each deliberate):
 * - The code is centralised; this learner is written per agent (replays, samplers, gradient
 *   messages along edges) and runs all agents in one process. The low level shares parameters
 *   across agents, as DGN and the original's per-node networks do. In one process the backward
 *   pass through the low-level's message passing already sums, at agent j, every
 *   ∂V_l/∂w_in_j (V_l of j's neighbours l read w_in_j through attention); that is exactly the
 *   original's `K.gradients(Σ V, w_in)` (line 691).
 * - The high-level net scores each (self or neighbour) slot from [h_i, h_j] (see
 *   {@link SharingNetwork}) instead of Dense(num_neighbors) on h_i: the paper asks for an output
 *   that follows the neighbour order of the input (appendix C, "Unordered Output"). Its last
 *   layer starts at zero so w starts exactly at the selfishness.
 * - Self is slot 0 of both w_out and w_in (the original sorts by agent id; a fixed permutation).
 * - Table 5's "sample size" is read as the original code's SAMPLE_SIZE: transitions drawn per
 *   update and walked in minibatches of "batch size" (`train_w_network` 784–798).
 * - Relation kernels of the low level: 1 (Table 4 gives heads, not layers; the traffic code uses
 *   one, `config.py` line 313); head width 8 (4 × 8 = the 32-unit trunk; not in the tables).
 * - `learningStarts` (100) and `trainEvery` (1) are ours: Table 4 gives neither for prisoner.
 * - Shaped rewards are computed when observed (Algorithm 1 line 9–10 stores r̂); the original
 *   stores raw rewards and shapes when sampling — the same numbers.
 * - Evaluation (`explore: false`) keeps its own step counter for the action interval and cannot
 *   see episode starts; with interval 1 (prisoner, jungle) this changes nothing.
 * - Isolated agents (no neighbours) keep w = [1]; selfishness 1 masks the neighbour slots (no
 *   sharing, nothing to learn). The traffic round pipeline (RMSprop, Keras fit with early
 *   stopping, L2-ReLU activity regulariser) is not this learner.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { isEpisodeOver, Rng as RngClass } from "@netmarl/envs";
import { GraphBatch, type RowMap } from "@netmarl/graph-nn";
import {
  type ActOptions,
  Adam,
  type AdamState,
  DgnNetwork,
  defineAlgorithm,
  encodeModules,
  encodeTypedArray,
  epsilonGreedyInto,
  type Learner,
  type LearnerState,
  loadModules,
  type Metrics,
  NeighbourRows,
  type Transition,
} from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { SharingNoise } from "./exploration/sharing-noise.js";
import { Sgd } from "./optim/sgd.js";
import { softUpdate } from "./optim/soft-update.js";
import { type SharingBatch, SharingReplay } from "./replay/sharing-replay.js";
import { SharingLayout, softmaxRowsInto } from "./sharing/sharing-layout.js";
import { SharingNetwork } from "./sharing/sharing-network.js";

export const ltosConfigSchema = z
  .object({
    /** Encoder widths of both levels (Table 4: 32 & 32 prisoner/traffic, 512 & 128 jungle). */
    encoderSizes: z.array(z.number().int().min(1)).min(1).default([32, 32]),
    /** Relation kernels of the low-level DGN (not in Table 4; the traffic code uses 1). */
    numLayers: z.number().int().min(1).default(1),
    /** Attention heads per kernel (Table 4: 4 prisoner/jungle, 1 traffic). */
    numHeads: z.number().int().min(1).default(4),
    /** Query/key/value width per head (not in the tables). */
    headSize: z.number().int().min(1).default(8),
    /** Largest number of neighbours per agent besides itself (also the largest number of senders). */
    maxNeighbors: z.number().int().min(1).default(4),
    /** Low-level Adam step size (Table 4: 1e-3 prisoner, 1e-4 jungle). */
    learningRate: z.number().gt(0).default(1e-3),
    /** Discount γ (Table 4: 0.99 prisoner, 0.96 jungle, 0.8 traffic). */
    discount: z.number().min(0).max(1).default(0.99),
    /** Low-level transitions drawn per update (Table 4 "sample size"). */
    sampleSize: z.number().int().min(1).default(10),
    /** Low-level minibatch (Table 4 "batch size"). */
    batchSize: z.number().int().min(1).default(10),
    /** Replay capacity in time steps (Table 4: 200 000 prisoner/jungle). */
    bufferCapacity: z.number().int().min(1).default(200_000),
    /** Environment steps before the first update (ours; not in the tables). */
    learningStarts: z.number().int().min(0).default(100),
    /** One update every this many environment steps (ours; DGN TF Jungle: 3). */
    trainEvery: z.number().int().min(1).default(1),
    /** Soft target update factor of both levels after every update (Table 4: 0.1 prisoner, 0.01 jungle). */
    tau: z.number().gt(0).max(1).default(0.1),
    /** Low-level ε at the start … (Table 4 prisoner: 0.8) */
    epsilonStart: z.number().min(0).max(1).default(0.8),
    /** … multiplied by this after every episode … (prisoner: 1, jungle: 0.996) */
    epsilonDecay: z.number().gt(0).max(1).default(1),
    /** … down to this floor (prisoner: 0.8, jungle: 0.01). */
    epsilonEnd: z.number().min(0).max(1).default(0.8),
    /** Shaped rewards are divided by this in the TD target (traffic code: NORMAL_FACTOR = 20). */
    rewardDivisor: z.number().gt(0).default(1),
    /** Initial self share w_ii in (0, 1] (Table 5: 0.5 prisoner/jungle, 0.8 traffic 6×6, 0.9 Shenzhen). */
    selfishness: z.number().gt(0).max(1).default(0.5),
    /** w is re-chosen every this many low-level steps (Table 5 "action interval": 1, traffic 15). */
    actionInterval: z.number().int().min(1).default(1),
    /** High-level update every this many `sharingUpdateUnit`s (Table 5: 1 step prisoner, 100 episodes jungle). */
    sharingUpdateEvery: z.number().int().min(1).default(1),
    /** Unit of `sharingUpdateEvery`. */
    sharingUpdateUnit: z.enum(["steps", "episodes"]).default("steps"),
    /** High-level transitions drawn per update (Table 5 "sample size": 2 000 prisoner, 5 000 jungle). */
    sharingSampleSize: z.number().int().min(1).default(2000),
    /** High-level minibatch (Table 5: 32 prisoner/jungle, 20 traffic). */
    sharingBatchSize: z.number().int().min(1).default(32),
    /** Passes over each high-level sample (traffic code W_EPOCHS = 5; 1 otherwise). */
    sharingEpochs: z.number().int().min(1).default(1),
    /** High-level optimiser (Table 5: SGD; the traffic code uses Adam). */
    sharingOptimizer: z.enum(["sgd", "adam"]).default("sgd"),
    /** High-level step size (Table 5: 0.1 prisoner, 1e-4 jungle, 1e-3 traffic). */
    sharingLearningRate: z.number().gt(0).default(0.1),
    /** High-level exploration (Table 5: ε + Gaussian prisoner, OU jungle/traffic). */
    sharingNoise: z.enum(["epsilon-gaussian", "ou", "none"]).default("epsilon-gaussian"),
    /** σ of the high-level noise (Table 5: 1 prisoner, 0.025 jungle, 0.25 traffic; OU is also scaled by ε). */
    sharingNoiseSigma: z.number().min(0).default(1),
    /** ε of the ε + Gaussian noise (Table 5 prisoner: 0.8). */
    sharingNoiseEpsilon: z.number().min(0).max(1).default(0.8),
    /** Std of the Gaussian added to the target net's logits for w̄′ (code: 0.1, "TD3 add noise"). */
    targetSharingNoise: z.number().min(0).default(0.1),
  })
  .strict();

export type LtosConfig = z.output<typeof ltosConfigSchema>;

/** The weights and counters of one acting mode (training or evaluation). */
interface SharingChoice {
  step: number;
  wOut: Float32Array;
  wIn: Float32Array;
  rows: Int32Array;
}

/** Tensors and maps of one layout, built for one forward pass and freed after it. */
interface LayoutTensors {
  graph: GraphBatch;
  pairs: RowMap;
  offsets: tf.Tensor2D;
}

export class LtosLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly outWidth: number;
  private readonly inWidth: number;
  private readonly q: DgnNetwork;
  private readonly qTarget: DgnNetwork;
  private readonly sharing: SharingNetwork;
  private readonly sharingTarget: SharingNetwork;
  private readonly optimizer: Adam;
  private readonly sharingOptimizer: Adam | Sgd;
  private readonly replay: SharingReplay;
  private readonly noise: SharingNoise;
  private readonly rowsToGraph: NeighbourRows;
  private readonly actRowsToGraph: NeighbourRows;
  private readonly actLayout: SharingLayout;
  private readonly layout: SharingLayout;
  private readonly nextLayout: SharingLayout;
  private readonly batches = new Map<number, SharingBatch>();
  private readonly training: SharingChoice;
  private readonly evaluation: SharingChoice;
  private readonly actions: Int32Array;
  private readonly actLogits: Float32Array;
  private readonly nextRows: Int32Array;
  private readonly shapedRewards: Float32Array;
  private readonly scratchOut: Float32Array;
  private readonly scratchIn: Float32Array;
  private readonly scratchGradOut: Float32Array;
  private indices = new Int32Array(0);
  private actCache: { rows: Int32Array; tensors: LayoutTensors } | null = null;
  private readonly tensorCache = new Map<string, { rows: Int32Array; tensors: LayoutTensors | null }>();
  private readonly temporary = new Set<LayoutTensors>();
  private steps = 0;
  private episodes = 0;
  private updates = 0;
  private sharingUpdates = 0;
  private lastSharingEpisode = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: LtosConfig,
    private rng: Rng,
    private readonly trainSharing: boolean,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`ltos: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    const n = spec.numAgents;
    const m = config.maxNeighbors;
    this.numAgents = n;
    this.numActions = spec.actionSpace.n;
    const capacity = Math.max(config.batchSize, config.sharingBatchSize);
    this.actLayout = new SharingLayout(n, m, 1, config.selfishness);
    this.layout = new SharingLayout(n, m, capacity, config.selfishness);
    this.nextLayout = new SharingLayout(n, m, capacity, config.selfishness);
    this.outWidth = this.layout.outWidth;
    this.inWidth = this.layout.inWidth;
    const lowLevel = {
      obsDim: spec.obsDim + this.inWidth,
      numActions: this.numActions,
      encoderSizes: config.encoderSizes,
      numLayers: config.numLayers,
      numHeads: config.numHeads,
      headSize: config.headSize,
    };
    this.q = new DgnNetwork(lowLevel, rng.fork("q"));
    this.qTarget = new DgnNetwork(lowLevel, rng.fork("q-target"));
    this.q.copyWeightsTo(this.qTarget);
    const highLevel = {
      obsDim: spec.obsDim,
      encoderSizes: config.encoderSizes,
      numHeads: config.numHeads,
      headSize: config.headSize,
    };
    this.sharing = new SharingNetwork(highLevel, rng.fork("sharing"));
    this.sharingTarget = new SharingNetwork(highLevel, rng.fork("sharing-target"));
    this.sharing.copyWeightsTo(this.sharingTarget);
    this.optimizer = new Adam(this.q.trainableVariables(), { learningRate: config.learningRate });
    this.sharingOptimizer =
      config.sharingOptimizer === "adam"
        ? new Adam(this.sharing.trainableVariables(), { learningRate: config.sharingLearningRate })
        : new Sgd(this.sharing.trainableVariables(), config.sharingLearningRate);
    this.replay = new SharingReplay(
      {
        capacity: config.bufferCapacity,
        numAgents: n,
        obsDim: spec.obsDim,
        inWidth: this.inWidth,
        maxNeighbors: m,
      },
      rng.fork("replay"),
    );
    this.noise = new SharingNoise(
      config.sharingNoise,
      config.sharingNoiseSigma,
      config.sharingNoiseEpsilon,
      n,
      this.outWidth,
    );
    this.noise.reset(this.rng);
    this.rowsToGraph = new NeighbourRows(n, m, capacity);
    this.actRowsToGraph = new NeighbourRows(n, m, 1);
    const choice = (): SharingChoice => ({
      step: 0,
      wOut: new Float32Array(n * this.outWidth),
      wIn: new Float32Array(n * this.inWidth),
      rows: new Int32Array(n * m),
    });
    this.training = choice();
    this.evaluation = choice();
    this.actions = new Int32Array(n);
    this.actLogits = new Float32Array(n * this.outWidth);
    this.nextRows = new Int32Array(n * m);
    this.shapedRewards = new Float32Array(n);
    this.scratchOut = new Float32Array(capacity * n * this.outWidth);
    this.scratchIn = new Float32Array(capacity * n * this.inWidth);
    this.scratchGradOut = new Float32Array(capacity * n * this.outWidth);
  }

  /** Low-level ε after the episodes so far. */
  get epsilon(): number {
    const { epsilonStart, epsilonDecay, epsilonEnd } = this.config;
    return Math.max(epsilonEnd, epsilonStart * epsilonDecay ** this.episodes);
  }

  /** The current training-mode sharing weights w_out ([N × (1 + maxNeighbors)], self first). */
  sharingWeights(): Float32Array {
    return this.training.wOut;
  }

  /**
   * The sharing weights of the last greedy (`explore: false`) act: agent i keeps
   * `wOut[i·(1+m)]` and gives `wOut[i·(1+m)+1+k]` to agent `rows[i·m+k]` (−1: padding), with
   * m = `maxNeighbors`. Views, rewritten by the next greedy act (for replays' sharing overlays).
   */
  evaluationSharing(): { wOut: Float32Array; rows: Int32Array; maxNeighbors: number } {
    return { wOut: this.evaluation.wOut, rows: this.evaluation.rows, maxNeighbors: this.config.maxNeighbors };
  }

  act(observations: Float32Array, graph: AgentGraph, options: ActOptions): Int32Array {
    if (graph.numAgents !== this.numAgents) {
      throw new RangeError(`ltos.act: the graph has ${graph.numAgents} agents; expected ${this.numAgents}`);
    }
    const choice = options.explore ? this.training : this.evaluation;
    const tensors = this.actTensors(graph, choice.rows);
    if (choice.step % this.config.actionInterval === 0)
      this.chooseSharing(observations, tensors, options.explore, choice);
    choice.step++;
    const q = tf.tidy(() => {
      const input = tf.concat(
        [
          tf.tensor2d(observations, [this.numAgents, this.spec.obsDim]),
          tf.tensor2d(choice.wIn, [this.numAgents, this.inWidth]),
        ],
        1,
      ) as tf.Tensor2D;
      return this.q.forward(tensors.graph, input).q.dataSync() as Float32Array;
    });
    return epsilonGreedyInto(q, this.numActions, options.explore ? this.epsilon : 0, this.rng, this.actions);
  }

  observe(transition: Transition): void {
    // The graph the actions were chosen on was copied in `act`; the env's graph object now shows
    // the next step's graph where the env rewrites it in place (jungle), else the same one.
    NeighbourRows.writeRows(transition.graph, this.config.maxNeighbors, this.nextRows);
    this.actLayout
      .build(this.training.rows, 1)
      .shapeRewards(transition.rewards, this.training.wIn, this.shapedRewards);
    this.replay.add({
      obs: transition.obs,
      nextObs: transition.nextObs,
      wIn: this.training.wIn,
      actions: transition.actions,
      shapedRewards: this.shapedRewards,
      terminated: transition.terminated,
      rows: this.training.rows,
      nextRows: this.nextRows,
    });
    this.steps++;
    if (isEpisodeOver(transition)) {
      this.episodes++;
      this.training.step = 0;
      this.noise.reset(this.rng);
    }
  }

  update(): Metrics {
    const { config } = this;
    if (this.steps < Math.max(config.learningStarts, 1) || this.steps % config.trainEvery !== 0) return {};
    const metrics: Metrics = {};
    let tdLoss = 0;
    let meanQ = 0;
    let batches = 0;
    for (const batch of this.sample(config.sampleSize, config.batchSize)) {
      const result = this.lowLevelStep(batch);
      tdLoss += result.loss;
      meanQ += result.meanQ;
      batches++;
    }
    metrics["loss/td"] = tdLoss / batches;
    metrics["q/mean"] = meanQ / batches;
    if (this.trainSharing && this.sharingDue()) {
      let value = 0;
      let gradNorm = 0;
      let count = 0;
      for (let epoch = 0; epoch < config.sharingEpochs; epoch++) {
        for (const batch of this.sample(config.sharingSampleSize, config.sharingBatchSize)) {
          const result = this.sharingStep(batch);
          value += result.value;
          gradNorm += result.gradNorm;
          count++;
        }
      }
      this.sharingUpdates++;
      metrics["sharing/value"] = value / count;
      metrics["sharing/grad-norm"] = gradNorm / count;
    }
    softUpdate(this.q, this.qTarget, config.tau);
    if (this.trainSharing) softUpdate(this.sharing, this.sharingTarget, config.tau);
    this.updates++;
    metrics["sharing/self-weight"] = this.meanSelfWeight();
    metrics.epsilon = this.epsilon;
    return metrics;
  }

  state(): LearnerState {
    const choiceState = (c: SharingChoice) => ({
      step: c.step,
      wOut: encodeTypedArray(c.wOut),
      wIn: encodeTypedArray(c.wIn),
      rows: encodeTypedArray(c.rows),
    });
    return {
      algorithm: this.trainSharing ? "ltos" : "fixed-ltos",
      steps: this.steps,
      episodes: this.episodes,
      updates: this.updates,
      sharingUpdates: this.sharingUpdates,
      lastSharingEpisode: this.lastSharingEpisode,
      rng: this.rng.getState(),
      ...encodeModules({
        q: this.q,
        qTarget: this.qTarget,
        sharing: this.sharing,
        sharingTarget: this.sharingTarget,
      }),
      optimizer: this.optimizer.getState(),
      sharingOptimizer: this.sharingOptimizer instanceof Adam ? this.sharingOptimizer.getState() : null,
      replay: this.replay.state(),
      noise: this.noise.state(),
      training: choiceState(this.training),
      evaluation: choiceState(this.evaluation),
    };
  }

  load(state: LearnerState): void {
    const expected = this.trainSharing ? "ltos" : "fixed-ltos";
    if (state.algorithm !== expected)
      throw new RangeError(`${expected}.load: the state is of "${state.algorithm}"`);
    loadModules(
      state,
      { q: this.q, qTarget: this.qTarget, sharing: this.sharing, sharingTarget: this.sharingTarget },
      `${expected}.load`,
    );
    this.optimizer.setState(state.optimizer as AdamState);
    if (this.sharingOptimizer instanceof Adam)
      this.sharingOptimizer.setState(state.sharingOptimizer as AdamState);
    this.replay.load(state.replay as Record<string, unknown>);
    this.noise.load(state.noise as { mu: number[]; previous: number[] });
    for (const [name, choice] of [
      ["training", this.training],
      ["evaluation", this.evaluation],
    ] as const) {
      const stored = state[name] as { step: number; wOut: Float32Array; wIn: Float32Array; rows: Int32Array };
      choice.step = stored.step;
      choice.wOut.set(stored.wOut);
      choice.wIn.set(stored.wIn);
      choice.rows.set(stored.rows);
    }
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.episodes = state.episodes as number;
    this.updates = state.updates as number;
    this.sharingUpdates = state.sharingUpdates as number;
    this.lastSharingEpisode = state.lastSharingEpisode as number;
  }

  dispose(): void {
    this.q.dispose();
    this.qTarget.dispose();
    this.sharing.dispose();
    this.sharingTarget.dispose();
    this.optimizer.dispose();
    if (this.sharingOptimizer instanceof Adam) this.sharingOptimizer.dispose();
    if (this.actCache) disposeTensors(this.actCache.tensors);
    this.actCache = null;
    for (const entry of this.tensorCache.values()) if (entry.tensors) disposeTensors(entry.tensors);
    this.tensorCache.clear();
  }

  /**
   * w for the current step: softmax(φ(o) + offsets (+ noise when training)) per agent, then the
   * static gather to every receiver's w_in (Algorithm 1, lines 5–6).
   */
  private chooseSharing(
    observations: Float32Array,
    tensors: LayoutTensors,
    explore: boolean,
    choice: SharingChoice,
  ): void {
    const { numAgents: n, outWidth: k } = this;
    const logits = tf.tidy(() =>
      this.sharing
        .logits(
          tensors.graph,
          tf.tensor2d(observations, [n, this.spec.obsDim]),
          tensors.pairs,
          tensors.offsets,
        )
        .dataSync(),
    );
    this.actLogits.set(logits);
    if (explore && this.trainSharing) this.noise.addTo(this.actLogits, this.epsilon, this.rng);
    softmaxRowsInto(this.actLogits, n, k, choice.wOut);
    this.actLayout.build(choice.rows, 1).reindexOutToIn(choice.wOut, choice.wIn);
  }

  /** Low level (Algorithm 1, lines 15–17): TD step towards r̂ + γ max Q̄(o′ ⊕ w̄_in′). */
  private lowLevelStep(batch: SharingBatch): { loss: number; meanQ: number } {
    const { numAgents: n, numActions, config } = this;
    const size = batch.size;
    const rows = size * n;
    const obsDim = this.spec.obsDim;
    const current = this.tensorsFor("current", this.layout.build(batch.rows, size), batch.rows);
    const next = this.tensorsFor("next", this.nextLayout.build(batch.nextRows, size), batch.nextRows);
    const nextOut = this.scratchOut.subarray(0, rows * this.outWidth);
    const nextLogits = tf.tidy(() =>
      this.sharingTarget
        .logits(next.graph, tf.tensor2d(batch.nextObs, [rows, obsDim]), next.pairs, next.offsets)
        .dataSync(),
    );
    for (let e = 0; e < nextOut.length; e++)
      nextOut[e] = nextLogits[e] + config.targetSharingNoise * this.rng.normal();
    softmaxRowsInto(nextOut, rows, this.outWidth, nextOut);
    const nextIn = this.nextLayout.reindexOutToIn(nextOut, this.scratchIn.subarray(0, rows * this.inWidth));

    const targets = tf.tidy(() => {
      const input = tf.concat(
        [tf.tensor2d(batch.nextObs, [rows, obsDim]), tf.tensor2d(nextIn, [rows, this.inWidth])],
        1,
      );
      const bootstrap = tf.max(this.qTarget.forward(next.graph, input as tf.Tensor2D).q, 1);
      const notDone = tf.sub(1, tf.tensor1d(batch.terminated));
      const rewards = tf.div(tf.tensor1d(batch.shapedRewards), config.rewardDivisor);
      return tf.add(rewards, tf.mul(tf.mul(bootstrap, notDone), config.discount));
    });
    const input = tf.tidy(
      () =>
        tf.concat(
          [tf.tensor2d(batch.obs, [rows, obsDim]), tf.tensor2d(batch.wIn, [rows, this.inWidth])],
          1,
        ) as tf.Tensor2D,
    );
    const actionMask = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d(batch.actions, "int32"), numActions), "float32"),
    );
    let meanQ = 0;
    const { loss } = this.optimizer.minimize(() => {
      const q = tf.sum(tf.mul(this.q.forward(current.graph, input).q, actionMask), 1);
      meanQ = tf.mean(q).dataSync()[0];
      return tf.mean(tf.square(tf.sub(q, targets)));
    });
    tf.dispose([targets, input, actionMask]);
    this.release(current);
    this.release(next);
    return { loss, meanQ };
  }

  /**
   * High level (Algorithm 1, lines 18–21) by gradient exchange: w at the current φ (no noise) →
   * every receiver j computes g_in_j = ∂V/∂w_in_j on its low-level Q → each entry travels back
   * along its edge to the sender ({@link SharingLayout.sendGradients}) → every sender ascends
   * Σ_j g_ij w_ij through its own softmax, averaged over the minibatch.
   */
  private sharingStep(batch: SharingBatch): { value: number; gradNorm: number } {
    const { numAgents: n, outWidth: k, inWidth: kin } = this;
    const size = batch.size;
    const rows = size * n;
    const obsDim = this.spec.obsDim;
    const layout = this.layout.build(batch.rows, size);
    const tensors = this.tensorsFor("sharing", layout, batch.rows);
    const obs = tf.tensor2d(batch.obs, [rows, obsDim]);
    const wOut = this.scratchOut.subarray(0, rows * k);
    const logits = tf.tidy(() =>
      this.sharing.logits(tensors.graph, obs, tensors.pairs, tensors.offsets).dataSync(),
    );
    softmaxRowsInto(logits as Float32Array, rows, k, wOut);
    const wIn = layout.reindexOutToIn(wOut, this.scratchIn.subarray(0, rows * kin));
    const { value, gradientsIn } = receiverGradients(this.q, tensors.graph, obs, wIn, kin);
    const gradientsOut = layout.sendGradients(gradientsIn, this.scratchGradOut.subarray(0, rows * k));
    const exchanged = tf.tensor2d(gradientsOut, [rows, k]);
    const { gradNorm } = this.sharingOptimizer.minimize(() => {
      const weights = tf.softmax(this.sharing.logits(tensors.graph, obs, tensors.pairs, tensors.offsets));
      return tf.div(tf.neg(tf.sum(tf.mul(weights, exchanged))), size);
    });
    tf.dispose([obs, exchanged]);
    this.release(tensors);
    return { value: value / size, gradNorm };
  }

  /** Minibatches of `batchSize` over `sampleSize` transitions drawn by the unified PRNG. */
  private *sample(sampleSize: number, batchSize: number): Generator<SharingBatch> {
    const n = this.numAgents;
    if (this.indices.length < n * sampleSize) this.indices = new Int32Array(n * sampleSize);
    this.replay.drawIndices(this.indices, sampleSize);
    for (let from = 0; from < sampleSize; from += batchSize) {
      const size = Math.min(batchSize, sampleSize - from);
      let batch = this.batches.get(size);
      if (batch === undefined) {
        batch = this.replay.createBatch(size);
        this.batches.set(size, batch);
      }
      yield this.replay.gather(this.indices, sampleSize, from, batch);
    }
  }

  private sharingDue(): boolean {
    const every = this.config.sharingUpdateEvery;
    if (this.config.sharingUpdateUnit === "steps") return this.steps % every === 0;
    if (this.episodes - this.lastSharingEpisode < every) return false;
    this.lastSharingEpisode = this.episodes;
    return true;
  }

  /**
   * The tensors of a minibatch's graphs for one use (`role`: current, next or sharing). A graph that
   * repeats — every minibatch of a static graph — keeps its tensors (built once, reused by later
   * minibatches of the same role and size); others are built for this use and freed by `release`.
   */
  private tensorsFor(role: string, layout: SharingLayout, rows: Int32Array): LayoutTensors {
    const graphs = layout.graphs;
    const length = graphs * this.numAgents * this.config.maxNeighbors;
    const key = `${role}:${graphs}`;
    const entry = this.tensorCache.get(key);
    if (entry !== undefined && equalArrays(entry.rows, rows.subarray(0, length))) {
      entry.tensors ??= this.layoutTensors(layout, this.rowsToGraph, rows, graphs);
      return entry.tensors;
    }
    if (entry?.tensors) disposeTensors(entry.tensors);
    this.tensorCache.set(key, { rows: rows.slice(0, length), tensors: null });
    const tensors = this.layoutTensors(layout, this.rowsToGraph, rows, graphs);
    this.temporary.add(tensors);
    return tensors;
  }

  /** Frees tensors from `tensorsFor` unless they are kept for a repeating graph. */
  private release(tensors: LayoutTensors): void {
    if (this.temporary.delete(tensors)) disposeTensors(tensors);
  }

  private layoutTensors(
    layout: SharingLayout,
    converter: NeighbourRows,
    rows: Int32Array,
    graphs: number,
  ): LayoutTensors {
    const nodes = graphs * this.numAgents;
    const pairs = SharingNetwork.pairMap(layout);
    pairs.indexTensors(); // created now, not on first use: the live-tensor count stays the same whichever steps re-choose w
    return {
      graph: new GraphBatch([converter.toGraph(rows, graphs)]),
      pairs,
      offsets: tf.tensor2d(layout.logitOffsets.subarray(0, nodes * this.outWidth), [nodes, this.outWidth]),
    };
  }

  /** The acting graph's tensors, rebuilt only when the graph changes; copies its rows into `rows`. */
  private actTensors(graph: AgentGraph, rows: Int32Array): LayoutTensors {
    NeighbourRows.writeRows(graph, this.config.maxNeighbors, rows);
    if (this.actCache !== null && equalArrays(this.actCache.rows, rows)) return this.actCache.tensors;
    if (this.actCache !== null) disposeTensors(this.actCache.tensors);
    const layout = this.actLayout.build(rows, 1);
    this.actCache = { rows: rows.slice(), tensors: this.layoutTensors(layout, this.actRowsToGraph, rows, 1) };
    return this.actCache.tensors;
  }

  private meanSelfWeight(): number {
    let total = 0;
    for (let i = 0; i < this.numAgents; i++) total += this.training.wOut[i * this.outWidth];
    return total / this.numAgents;
  }
}

/**
 * Agent j's side of the exchange: V_j = max_a Q_j(o_j ⊕ w_in_j) and g_in_j = ∂(Σ_l V_l)/∂w_in_j
 * for every receiver at once (`tf.grad` with respect to the w_in input). Returns Σ V and the
 * gradients ([rows × inWidth]).
 */
export function receiverGradients(
  q: DgnNetwork,
  graph: GraphBatch,
  obs: tf.Tensor2D,
  wIn: Float32Array,
  inWidth: number,
): { value: number; gradientsIn: Float32Array } {
  return tf.tidy(() => {
    const rows = obs.shape[0];
    const values = (w: tf.Tensor) =>
      tf.sum(tf.max(q.forward(graph, tf.concat([obs, w], 1) as tf.Tensor2D).q, 1));
    const w = tf.tensor2d(wIn, [rows, inWidth]);
    const { value, grad } = tf.valueAndGrad(values)(w);
    return { value: value.dataSync()[0], gradientsIn: grad.dataSync() as Float32Array };
  });
}

function disposeTensors(tensors: LayoutTensors): void {
  tensors.graph.dispose();
  tensors.pairs.dispose();
  tensors.offsets.dispose();
}

function equalArrays(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** LToS: learned sharing weights (gradient exchange) over a DGN low level. */
export const ltosAlgorithm = defineAlgorithm({
  id: "ltos",
  description:
    "LToS: per-agent high-level sharing weights over self + neighbours (selfishness initialiser, trained by gradient exchange) and a DGN low level on the shaped reward.",
  configSchema: ltosConfigSchema,
  create: (envSpec, config, rng) => new LtosLearner(envSpec, config, rng, true),
});

/** Fixed-LToS: the same learner with the sharing weights kept at the selfishness initialisation. */
export const fixedLtosAlgorithm = defineAlgorithm({
  id: "fixed-ltos",
  description:
    "Fixed-LToS: DGN on rewards shared with fixed weights (self share = selfishness, the rest evenly to neighbours).",
  configSchema: ltosConfigSchema,
  create: (envSpec, config, rng) => new LtosLearner(envSpec, config, rng, false),
});
