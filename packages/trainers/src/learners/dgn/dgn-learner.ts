/**
 * # DGN — graph convolutional reinforcement learning (Jiang, Dun, Huang, Lu; ICLR 2020)
 *
 * A DQN whose shared Q-network mixes each agent's features with its neighbours' through relation
 * kernels (multi-head dot-product attention over the neighbourhood including the agent itself):
 * see {@link DgnNetwork}. Loss: (Q_i(o, G, a_i) − y_i)² on the taken action, averaged over the
 * minibatch and the agents, with y_i = r_i + γ (1 − terminated_i) max_a Q̄_i(o', G', a) from a
 * target network updated softly (τ = 0.01 after every gradient step, TF DGN). ε-greedy with
 * ε = max(ε_end, ε_start · decay^k) in the k-th episode, k = 1, 2, … (TF Jungle
 * `mutli_jungle.py` 213–215: `alpha *= 0.996` before each episode from 0.6, floor 0.01).
 *
 * Schedule, as `mutli_jungle.py` (the defaults): a transition is stored only at every 3rd step of
 * an episode (line 259 `if steps%3 == 0: buff.add(…)`, `steps` counting from 1), and one gradient
 * step on a minibatch of 10 drawn without replacement (`ReplayBuffer_v2.py` `random.sample`) follows
 * each stored step (lines 277–282) from the 200th episode on (`episode_before_train` 200, line 119,
 * with the 1-based `i_episode`), with the soft target update after it (lines 323–346).
 *
 * Sources: `PKU-RL/DGN` (= `PKU-AI-Edge/DGN`) `Jungle/mutli_jungle.py`, `Routing/routers.py`,
 * `Routing/routers_regularization.py`; `jiechuanjiang/pytorch_DGN` `Surviving/{DGN.py, main.py,
 * DGN+R/*}`; spec §5.1 of /work/shared/specs/algorithms.md.
 *
 * Choices and where they come from:
 * - Architecture as TF Jungle: encoder Dense(512, relu)–Dense(128, relu), 2 kernels of 8 heads × 16,
 *   Q head on concat(h1, h2, h3). Aggregation uses the post-softmax weights (the TF code multiplies
 *   by the pre-softmax scores, a bug — spec §5.1 — not reproduced).
 * - With `storeEvery` 1 the next-state target uses the graph of the NEXT step (PyTorch port:
 *   `next_adj`): the graph stored with the following transition of the same episode; for an
 *   episode's last transition (or the newest one) it is not known, and the current graph is used.
 *   With `storeEvery` > 1 (the default) the next step is not stored and the current graph is used
 *   for s', as TF DGN always does (lines 290–292: `new_states` get `e[5]`, the current adjacency).
 * - The graph a transition stores is the one `act(…, { explore: true })` was called with, copied
 *   at that moment: environments reuse their buffers (jungle rewrites its graph in `step`), so the
 *   `transition.graph` seen in `observe` may already be the next step's graph.
 * - Temporal relation regulariser (DGN+R, off by default): L += λ · KL(α̅(s') ‖ α(s)) on the last
 *   relation kernel, α̅ from the target network, λ = 0.1 (PyTorch `DGN+R/config.py`). Like TF and
 *   the paper, α̅(s') is computed on the CURRENT step's graph so both distributions range over the
 *   same neighbours (with the next graph the KL is infinite wherever a new neighbour appears). The
 *   KL is averaged per (agent, head) distribution; PyTorch's `kl_div(reduction='mean')` also
 *   divides by N (its dense N×N matrices), so the same λ weighs it N times less there.
 * - Replay capacity 50 000 instead of TF's 200 000 (line 109): the buffer holds N·obsDim floats
 *   twice per transition (jungle: 20 × 123), and 200 000 would take ≈ 4 GB; with every 3rd step
 *   stored it spans 150 000 environment steps. Minibatch 10 (line 282); Adam lr 1e-4 (line 173);
 *   γ 0.96 (line 116; Routing 0.98, Surviving 0.99).
 * - Optional double-DQN target (off: DGN uses max over the target network).
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { GraphBatch } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { type ReplayBatch, ReplayBuffer, type ReplayBufferState } from "../../buffers/replay-buffer.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import { Adam, type AdamState } from "../../optim/adam.js";
import { softUpdate } from "../../optim/soft-update.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { decodeTypedArrayInto, encodeTypedArray } from "../../persistence/typed-array-codec.js";
import { epsilonGreedyInto } from "../action-selection.js";
import { DgnNetwork } from "./dgn-network.js";
import { NeighbourRows } from "./neighbour-rows.js";
import { attentionKl, relationAttention } from "./relation-attention.js";

const configSchema = z
  .object({
    /** Encoder widths (TF Jungle: [512, 128]; TF Routing: [128, 128]; PyTorch: [128]). */
    encoderSizes: z.array(z.number().int().min(1)).min(1).default([512, 128]),
    /** Relation kernels (convolutional layers). */
    numLayers: z.number().int().min(1).default(2),
    /** Attention heads per kernel (TF: nv = 8). */
    numHeads: z.number().int().min(1).default(8),
    /** Query/key/value width per head (TF: dv = 16). */
    headSize: z.number().int().min(1).default(16),
    /** Largest number of neighbours per agent besides itself (jungle: 3; Aloha: 3). */
    maxNeighbors: z.number().int().min(1).default(8),
    /** Adam step size. */
    learningRate: z.number().gt(0).default(1e-4),
    /** Discount γ (TF Jungle 0.96, Routing 0.98, PyTorch Surviving 0.99). */
    discount: z.number().min(0).max(1).default(0.96),
    /** Minibatch size in transitions (each holds every agent). */
    batchSize: z.number().int().min(1).default(10),
    /** Minibatches of distinct transitions (TF `random.sample`); false samples with replacement. */
    sampleWithoutReplacement: z.boolean().default(true),
    /** Replay capacity in transitions. */
    bufferCapacity: z.number().int().min(1).default(50_000),
    /** Store only every this many-th step of an episode (TF Jungle: 3; 1 stores every step). */
    storeEvery: z.number().int().min(1).default(3),
    /** One gradient step at every this many-th step of an episode (TF Jungle: 3). */
    trainEvery: z.number().int().min(1).default(3),
    /** Train from this episode on, counting from 1 (TF Jungle `episode_before_train`: 200; ≤ 1 = at once). */
    trainFromEpisode: z.number().int().min(0).default(200),
    /** Environment steps before the first update (TF Routing: 2 000; TF Jungle: none). */
    learningStarts: z.number().int().min(0).default(0),
    /** Soft target update factor after every gradient step (TF: 0.01); 1 = hard copy. */
    tau: z.number().gt(0).max(1).default(0.01),
    /** ε at the start … */
    epsilonStart: z.number().min(0).max(1).default(0.6),
    /** … multiplied by this after every episode … */
    epsilonDecay: z.number().gt(0).max(1).default(0.996),
    /** … down to this floor. */
    epsilonEnd: z.number().min(0).max(1).default(0.01),
    /** Double-DQN targets (not in DGN; off by default). */
    doubleDqn: z.boolean().default(false),
    /** DGN+R: add λ · KL(target attention on s' ‖ attention on s) of the last kernel. */
    relationRegularizer: z.boolean().default(false),
    /** λ of the temporal relation regulariser (PyTorch DGN+R: 0.1). */
    relationWeight: z.number().min(0).default(0.1),
    /** Clip the global gradient norm (0 = off; DGN does not clip). */
    maxGradNorm: z.number().min(0).default(0),
  })
  .strict();

export type DgnConfig = z.output<typeof configSchema>;

export class DgnLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly online: DgnNetwork;
  private readonly target: DgnNetwork;
  private readonly optimizer: Adam;
  private readonly buffer: ReplayBuffer;
  private readonly batch: ReplayBatch;
  private readonly nextBatch: ReplayBatch;
  private readonly batchIndices: Int32Array;
  private readonly nextIndices: Int32Array;
  /** continues[slot] = 1 when the transition in slot + 1 is the next step of the same episode. */
  private readonly continues: Uint8Array;
  private readonly graphs: NeighbourRows;
  private readonly actions: Int32Array;
  /** Padded rows of the graph of the last `act` (self excluded), and of the cached act batch. */
  private readonly actRows: Int32Array;
  private readonly cachedRows: Int32Array;
  private readonly actGraphs: NeighbourRows;
  private actGraph: AgentGraph | null = null;
  private actGraphPending = false;
  private cachedBatch: GraphBatch | null = null;
  private steps = 0;
  private episodes = 0;
  private updates = 0;
  private previousEnded = true;
  /** Transitions stored (every `storeEvery`-th step). */
  private stored = 0;
  /** Steps of the current episode so far, and the step and 1-based episode of the last transition. */
  private episodeStep = 0;
  private lastEpisodeStep = 0;
  private lastEpisode = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: DgnConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`dgn: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    this.numAgents = spec.numAgents;
    this.numActions = spec.actionSpace.n;
    const networkOptions = {
      obsDim: spec.obsDim,
      numActions: this.numActions,
      encoderSizes: config.encoderSizes,
      numLayers: config.numLayers,
      numHeads: config.numHeads,
      headSize: config.headSize,
    };
    this.online = new DgnNetwork(networkOptions, rng.fork("q"));
    this.target = new DgnNetwork(networkOptions, rng.fork("target"));
    this.online.copyWeightsTo(this.target);
    this.optimizer = new Adam(this.online.trainableVariables(), {
      learningRate: config.learningRate,
      maxGradNorm: config.maxGradNorm,
    });
    const k = config.maxNeighbors;
    this.buffer = new ReplayBuffer({
      capacity: config.bufferCapacity,
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      actionSize: 1,
      maxNeighbors: k,
    });
    this.batch = this.buffer.createBatch(config.batchSize);
    this.nextBatch = this.buffer.createBatch(config.batchSize);
    this.batchIndices = new Int32Array(config.batchSize);
    this.nextIndices = new Int32Array(config.batchSize);
    this.continues = new Uint8Array(config.bufferCapacity);
    this.graphs = new NeighbourRows(spec.numAgents, k, config.batchSize);
    this.actGraphs = new NeighbourRows(spec.numAgents, k, 1);
    this.actions = new Int32Array(spec.numAgents);
    this.actRows = new Int32Array(spec.numAgents * k);
    this.cachedRows = new Int32Array(spec.numAgents * k);
  }

  /** ε of the current episode: decayed once before every episode, the first included. */
  get epsilon(): number {
    const { epsilonStart, epsilonDecay, epsilonEnd } = this.config;
    return Math.max(epsilonEnd, epsilonStart * epsilonDecay ** (this.episodes + 1));
  }

  act(observations: Float32Array, graph: AgentGraph, options: ActOptions): Int32Array {
    const batch = this.graphBatchFor(graph);
    if (options.explore) this.actGraphPending = true;
    const q = tf.tidy(
      () =>
        this.online
          .forward(batch, tf.tensor2d(observations, [this.numAgents, this.spec.obsDim]))
          .q.dataSync() as Float32Array,
    );
    const epsilon = options.explore ? this.epsilon : 0;
    return epsilonGreedyInto(q, this.numActions, epsilon, this.rng, this.actions);
  }

  observe(transition: Transition): void {
    const { bufferCapacity: capacity, storeEvery } = this.config;
    const graph = this.actGraphPending && this.actGraph !== null ? this.actGraph : transition.graph;
    this.actGraphPending = false;
    this.episodeStep++;
    this.lastEpisodeStep = this.episodeStep;
    this.lastEpisode = this.episodes + 1;
    if (this.episodeStep % storeEvery === 0) {
      const slot = this.stored % capacity;
      this.buffer.add(graph === transition.graph ? transition : { ...transition, graph });
      this.continues[slot] = 0;
      // Only consecutive steps can lend their graph to the previous transition's s'.
      if (storeEvery === 1 && !this.previousEnded && this.stored > 0)
        this.continues[(slot + capacity - 1) % capacity] = 1;
      this.stored++;
    }
    this.previousEnded = episodeEnded(transition);
    if (this.previousEnded) {
      this.episodes++;
      this.episodeStep = 0;
    }
    this.steps++;
  }

  update(): Metrics {
    const { config, numAgents, numActions } = this;
    if (!this.shouldTrain()) return {};
    const batch = this.buffer.sample(
      this.batch,
      this.rng,
      this.batchIndices,
      config.sampleWithoutReplacement,
    );
    const capacity = config.bufferCapacity;
    for (let b = 0; b < batch.size; b++) {
      const i = this.batchIndices[b];
      this.nextIndices[b] = this.continues[i] === 1 ? (i + 1) % capacity : i;
    }
    const nextRows = this.buffer.gather(this.nextIndices, this.nextBatch).neighbors;
    const rows = batch.size * numAgents;
    const obsShape: [number, number] = [rows, this.spec.obsDim];
    const current = new GraphBatch([this.graphs.toGraph(batch.neighbors, batch.size)]);
    const sameGraphs = equalArrays(batch.neighbors, nextRows);
    const next = sameGraphs ? current : new GraphBatch([this.graphs.toGraph(nextRows, batch.size)]);
    const lastKernel = this.online.kernels.length - 1;
    const regularize = config.relationRegularizer && config.relationWeight > 0;

    const [targets, targetLogWeights, targetMask] = tf.tidy(() => {
      const nextObs = tf.tensor2d(batch.nextObs, obsShape);
      const targetForward = this.target.forward(next, nextObs);
      let bootstrap: tf.Tensor;
      if (config.doubleDqn) {
        const choice = tf.argMax(this.online.forward(next, nextObs).q, 1);
        bootstrap = tf.sum(tf.mul(targetForward.q, tf.cast(tf.oneHot(choice, numActions), "float32")), 1);
      } else {
        bootstrap = tf.max(targetForward.q, 1);
      }
      const notDone = tf.sub(1, tf.tensor1d(batch.terminated));
      const y = tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.mul(bootstrap, notDone), config.discount));
      if (!regularize) return [y];
      // α̅(s') on the current graph (see the header): reuse the pass above when the graphs agree.
      const levels = sameGraphs ? targetForward.levels : this.target.forward(current, nextObs).levels;
      const attention = relationAttention(this.target.kernels[lastKernel], current, levels[lastKernel]);
      return [y, attention.logWeights, attention.mask];
    }) as tf.Tensor[];
    const targetAttention =
      targetLogWeights === undefined
        ? null
        : { logWeights: targetLogWeights as tf.Tensor3D, mask: targetMask as tf.Tensor3D };

    const obs = tf.tensor2d(batch.obs, obsShape);
    const actionMask = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(batch.actions), "int32"), numActions), "float32"),
    );
    const reads: tf.Tensor[] = [];
    const { loss, gradNorm, read } = this.optimizer.minimize(() => {
      const forward = this.online.forward(current, obs);
      const q = tf.sum(tf.mul(forward.q, actionMask), 1);
      const td = tf.mean(tf.square(tf.sub(q, targets)));
      reads.push(tf.keep(tf.mean(q)), tf.keep(tf.clone(td)));
      if (targetAttention === null) return td;
      const attention = relationAttention(
        this.online.kernels[lastKernel],
        current,
        forward.levels[lastKernel],
      );
      const kl = attentionKl(targetAttention, attention);
      reads.push(tf.keep(tf.clone(kl)));
      return tf.add(td, tf.mul(kl, config.relationWeight));
    }, reads);
    const [meanQ = 0, tdLoss = 0, relationLoss = 0] = read;
    tf.dispose([targets, obs, actionMask]);
    if (targetAttention !== null) tf.dispose([targetAttention.logWeights, targetAttention.mask]);
    current.dispose();
    next.dispose();
    this.updates++;
    this.updateTarget();
    const metrics: Metrics = {
      "loss/total": loss,
      "loss/td": tdLoss,
      "q/mean": meanQ,
      "grad/norm": gradNorm,
      epsilon: this.epsilon,
    };
    if (regularize) metrics["loss/relation"] = relationLoss;
    return metrics;
  }

  state(): LearnerState {
    return {
      algorithm: "dgn",
      steps: this.steps,
      episodes: this.episodes,
      updates: this.updates,
      previousEnded: this.previousEnded,
      stored: this.stored,
      episodeStep: this.episodeStep,
      lastEpisodeStep: this.lastEpisodeStep,
      lastEpisode: this.lastEpisode,
      rng: this.rng.getState(),
      ...encodeModules({ online: this.online, target: this.target }),
      optimizer: this.optimizer.getState(),
      buffer: this.buffer.state(),
      continues: encodeTypedArray(this.continues),
    };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "dgn") throw new RangeError(`dgn.load: the state is of "${state.algorithm}"`);
    loadModules(state, { online: this.online, target: this.target }, "dgn.load");
    this.optimizer.setState(state.optimizer as AdamState);
    this.buffer.load(state.buffer as ReplayBufferState);
    decodeTypedArrayInto(state.continues, this.continues, "dgn.load continues");
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.episodes = state.episodes as number;
    this.updates = state.updates as number;
    this.previousEnded = state.previousEnded as boolean;
    this.stored = state.stored as number;
    this.episodeStep = state.episodeStep as number;
    this.lastEpisodeStep = state.lastEpisodeStep as number;
    this.lastEpisode = state.lastEpisode as number;
    this.actGraphPending = false;
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
    this.cachedBatch?.dispose();
    this.cachedBatch = null;
  }

  /**
   * The acting graph as a one-graph batch; reused while the graph does not change (static graphs
   * build their index tensors once). Also keeps the graph for the next `observe`.
   */
  private graphBatchFor(graph: AgentGraph): GraphBatch {
    if (graph.numAgents !== this.numAgents) {
      throw new RangeError(`dgn.act: the graph has ${graph.numAgents} agents; expected ${this.numAgents}`);
    }
    NeighbourRows.writeRows(graph, this.config.maxNeighbors, this.actRows);
    if (this.cachedBatch !== null && equalArrays(this.actRows, this.cachedRows) && this.actGraph !== null) {
      return this.cachedBatch;
    }
    this.cachedBatch?.dispose();
    this.cachedRows.set(this.actRows);
    this.actGraph = this.actGraphs.toGraph(this.actRows, 1);
    this.cachedBatch = new GraphBatch([this.actGraph]);
    return this.cachedBatch;
  }

  /** After the step just observed: TF Jungle's `i_episode >= 200 and steps % 3 == 0`, plus enough data. */
  shouldTrain(): boolean {
    const { config } = this;
    return (
      this.steps >= Math.max(config.learningStarts, 1) &&
      this.lastEpisode >= config.trainFromEpisode &&
      this.lastEpisodeStep % config.trainEvery === 0 &&
      this.buffer.size >= (config.sampleWithoutReplacement ? config.batchSize : 1)
    );
  }

  private updateTarget(): void {
    softUpdate(this.online, this.target, this.config.tau);
  }
}

/** Every agent terminated or truncated (`isEpisodeOver` for a transition). */
function episodeEnded(transition: Transition): boolean {
  for (let i = 0; i < transition.terminated.length; i++) {
    if (transition.terminated[i] === 0 && transition.truncated[i] === 0) return false;
  }
  return true;
}

function equalArrays(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const dgnAlgorithm = defineAlgorithm({
  id: "dgn",
  description:
    "DGN: shared Q-network with multi-head graph attention over each agent's neighbourhood (optional DGN+R regulariser).",
  configSchema,
  create: (envSpec, config, rng) => new DgnLearner(envSpec, config, rng),
});
