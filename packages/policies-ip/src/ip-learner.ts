/**
 * # Intention Propagation (Qu et al., ICLR 2021) — soft actor-critic with a mean-field joint policy
 *
 * Joint policy q(a|s) = Π_i q_i(a_i|s) from the intention-propagation network Λθ
 * (intention-network.ts); per-agent soft critics V_i, V̄_i and Q_i(s, a_i, a_{N_i}) (soft-critics.ts).
 * Losses of appendix I.2 (eq. 17 and the policy loss after it) with temperature α ("regularizer
 * factor", Table 2):
 *     J_Q = E_D[ ½ (Q_i(s, a_i, a_{N_i}) − (r_i + γ (1 − d) V̄_i(s')))² ]
 *     J_V = E_s[ ½ (V_i(s) − E_{a∼q}[Q_i(s, a_i, a_{N_i}) − α log q_i(a_i|s)])² ]
 *     J_π = E_s[ E_{a∼q} Σ_i (α log q_i(a_i|s) − Q_i(s, a_i, a_{N_i})) ]   (as a mean over agents)
 *     V̄ ← τ V + (1 − τ) V̄ after every minibatch ("target update interval 1").
 * One update = `gradientSteps` minibatches, each {sample; Q step; V step; π step; V̄ update}
 * (spec §1.2's order). The target uses V̄, as SAC-v1 and Table 2's τ imply (eq. 17 prints V_η).
 *
 * Discrete actions: the expectation over the agent's **own** action is exact (Q_i has one output
 * per a_i, so Σ_a q_i(a)[…] costs nothing), and the neighbours' actions a_{N_i} are one joint sample
 * per state, drawn once per minibatch and shared by the V and π losses (the appendix's remark). In
 * J_π that sample is a straight-through Gumbel-softmax (one-hot forward, softmax gradient), so an
 * agent's policy also feels its effect on its neighbours' Q_j — without it, an agent would only
 * best-respond within its own Q_i. The exact own-action expectation has lower variance than a
 * relaxed own sample; the relaxation for neighbours is the only way their gradient can pass.
 *
 * Constants (appendix Table 2 / E.2, and PIC's stack, which those values match exactly — spec §1.1):
 * Adam lr 0.01 for every network, γ 0.95, τ 0.01, α 0.2, batch 1024, 8 gradient steps, hidden 128,
 * M = 2, ReLU, replay 1e6; from `IouJenLiu/PIC` @ add16c2 `maddpg/main_vec.py`: an update every 100
 * environment steps once the replay holds more than a batch (`len(memory) > batch_size`), global
 * grad-norm clip 0.5, the learning rate decayed linearly to 0 over the run (`ddpg_vec.py::adjust_lr`,
 * `scheduleSteps` = 60 000 episodes × 25 steps), minibatches drawn without replacement
 * (`random.sample`), evaluation with sampled actions (`eval.py` acts with the noisy policy).
 * Initial weights are Glorot-uniform (no original code to follow).
 *
 * Where this differs from spec §1.2, and why (each also in the file that does it):
 * - Λθ follows the appendix's Figure 6 (μ⁰ = the independent policy, states passed along the graph),
 *   not the spec's μ⁰ = 0 reading; each round weights the agent's own state and intention apart from
 *   its neighbours' sums (`selfWeights: "shared"` is the appendix's literal example, which gives
 *   every agent of a complete graph the same policy), and the top layer starts at 0.1 × Glorot
 *   (PIC's actor convention; unscaled, the summed embeddings start the policy near-deterministic).
 * - J_π is averaged over agents instead of summed (the clip of 0.5 then does not depend on N).
 * - Evaluation draws its samples from a stream of its own, so training does not depend on how often
 *   it is evaluated; a minibatch too large for wasm's 4 GiB heap is split into chunks whose losses
 *   sum to the minibatch's (`maxChunkRows`, `Adam.minimizeSum`): the same step.
 *
 * Heterogeneous agents (`spec.groups`, e.g. heterogeneous navigation): Λθ encodes each type's
 * observations with its own layer into a shared latent (E.2); the critics read the raw observations
 * of every type alike (the appendix does not describe typed critics).
 *
 * Memory: the replay stores each observation once (replay/shared-frame-replay.ts); a configuration
 * whose replay would not fit `memoryLimitGiB` is refused with the figure before anything is allocated.
 */
import { totalmem } from "node:os";
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { GraphBatch, sampleGumbel } from "@netmarl/graph-nn";
import {
  type ActOptions,
  Adam,
  type AdamState,
  defineAlgorithm,
  encodeModules,
  LEARNING_RATE_SCHEDULES,
  type Learner,
  type LearnerState,
  learningRateFactor,
  loadModules,
  type Metrics,
  NeighbourRows,
  softUpdate,
  type Transition,
} from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { INTENTION_VARIANTS, IntentionNetwork } from "./intention-network.js";
import { type IpMinibatch, policyLoss, qLoss, softValueTarget, valueLoss } from "./ip-losses.js";
import {
  type FrameBatch,
  SharedFrameReplay,
  type SharedFrameReplayOptions,
  type SharedFrameReplayState,
} from "./replay/shared-frame-replay.js";
import { NeighbourQ, StateValue } from "./soft-critics.js";

const GIB = 2 ** 30;

/** A piece of a minibatch (whole graphs), its Q target and its share of the rows. */
interface Chunk extends IpMinibatch {
  qTarget: tf.Tensor1D;
  valueTarget?: tf.Tensor1D;
  weight: number;
}

const ipConfigSchema = z
  .object({
    /** Λθ: `mean-field` (appendix B.1), `loopy-bp` (B.2) or `independent` (F.1's baseline: no propagation). */
    variant: z.enum(INTENTION_VARIANTS).default("mean-field"),
    /** Mean-field rounds: own state and intention weighted apart from the neighbours' sums, or `shared` (the appendix's literal example). */
    selfWeights: z.enum(["separate", "shared"]).default("separate"),
    /** Propagation rounds M (appendix E.2: 2; F.2 varies the hops). */
    rounds: z.number().int().min(1).default(2),
    /** Width of every hidden layer (Table 2: 128). */
    hiddenSize: z.number().int().min(1).default(128),
    /** Neighbours stored per agent, self excluded; default min(N − 1, 8). The graph itself is the env's (MPE: `graphNeighbors`). */
    maxNeighbors: z.number().int().min(1).optional(),
    /** Adam step size of all networks (Table 2: 0.01). */
    learningRate: z.number().gt(0).default(1e-2),
    /** `linear` to 0 over `scheduleSteps` (PIC's `adjust_lr`), `linear-second-half`, or `constant`. */
    learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).default("linear"),
    /** Length of the schedule in environment steps (PIC: 60 000 episodes × 25 steps). */
    scheduleSteps: z.number().int().min(1).default(1_500_000),
    /** Discount γ (Table 2: 0.95). */
    discount: z.number().min(0).max(1).default(0.95),
    /** Polyak factor τ of V̄ (Table 2: 0.01). */
    tau: z.number().min(0).max(1).default(0.01),
    /** Entropy temperature α (Table 2 "regularizer factor": 0.2). */
    temperature: z.number().min(0).default(0.2),
    /** Transitions per minibatch (Table 2: 1024). */
    batchSize: z.number().int().min(1).default(1024),
    /** Replay capacity in transitions (Table 2: 1e6). */
    bufferCapacity: z.number().int().min(1).default(1_000_000),
    /** Train every this many environment steps (PIC: 100). */
    updateEvery: z.number().int().min(1).default(100),
    /** Agent rows (graphs × N) per piece of a minibatch; larger minibatches are split, same step (wasm's heap is 4 GiB). */
    maxChunkRows: z.number().int().min(1).default(32_768),
    /** Minibatches per update (Table 2 "gradient steps": 8). */
    gradientSteps: z.number().int().min(1).default(8),
    /** Clip each network's global gradient norm to this, 0 = off (PIC: 0.5). */
    maxGradNorm: z.number().min(0).default(0.5),
    /** Pass J_π's gradient through the neighbours' straight-through sample (their effect on Q_j); off = own term only. */
    neighbourGradient: z.boolean().default(true),
    /** Weight c of c·mean(logits²) in J_π (PIC's actor regulariser, 1e-3 there; the IP appendix has none). */
    logitRegularization: z.number().min(0).default(0),
    /** Actions with `explore: false`: `sample` from q (PIC's `eval.py`) or `greedy` (argmax). */
    evaluation: z.enum(["sample", "greedy"]).default("sample"),
    /** Observation frames in the replay: `float32`, or `float16` (half the memory, ≈ 3 significant digits). */
    framePrecision: z.enum(["float32", "float16"]).default("float32"),
    /** Largest replay allowed, GiB; default 85 % of this machine's memory. */
    memoryLimitGiB: z.number().gt(0).optional(),
  })
  .strict();

export type IpConfig = z.output<typeof ipConfigSchema>;

export class IpLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly obsDim: number;
  private readonly maxNeighbors: number;
  private readonly policy: IntentionNetwork;
  private readonly qNetwork: NeighbourQ;
  private readonly value: StateValue;
  private readonly valueTarget: StateValue;
  private readonly policyOptimizer: Adam;
  private readonly qOptimizer: Adam;
  private readonly valueOptimizer: Adam;
  private readonly replay: SharedFrameReplay;
  private readonly batch: FrameBatch;
  private readonly rows: NeighbourRows;
  private readonly takenOneHot: Float32Array;
  private readonly actRows: Int32Array;
  private readonly cachedRows: Int32Array;
  private readonly actRowsGraph: NeighbourRows;
  private cachedBatch: GraphBatch | null = null;
  private readonly actions: Int32Array;
  /** Evaluation draws its samples here, so training does not depend on how often it is evaluated. */
  private evaluationRng: Rng;
  private steps = 0;
  private rounds = 0;

  constructor(
    private readonly algorithm: string,
    spec: EnvSpec,
    private readonly config: IpConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(
        `${algorithm}: the discrete head needs a Discrete action space; ${spec.id} has ${spec.actionSpace} (for MPE set actionMode: 'discrete')`,
      );
    }
    const n = spec.numAgents;
    if (n < 2)
      throw new RangeError(`${algorithm}: ${spec.id} has ${n} agent; intention propagation needs >= 2`);
    if (config.maxNeighbors !== undefined && config.maxNeighbors > n - 1) {
      throw new RangeError(
        `${algorithm}: maxNeighbors = ${config.maxNeighbors} is larger than N − 1 = ${n - 1} (${spec.id} has ${n} agents)`,
      );
    }
    this.numAgents = n;
    this.numActions = spec.actionSpace.n;
    this.obsDim = spec.obsDim;
    this.maxNeighbors = config.maxNeighbors ?? Math.min(n - 1, 8);
    const replayOptions: SharedFrameReplayOptions = {
      capacity: config.bufferCapacity,
      numAgents: n,
      obsDim: spec.obsDim,
      maxNeighbors: this.maxNeighbors,
      episodeLength: spec.maxSteps ?? 25,
      precision: config.framePrecision,
    };
    checkReplayFits(algorithm, replayOptions, config.memoryLimitGiB);
    const sizes = { inputSize: spec.obsDim, numActions: this.numActions, hiddenSize: config.hiddenSize };
    this.policy = new IntentionNetwork(
      {
        ...sizes,
        rounds: config.rounds,
        variant: config.variant,
        selfWeights: config.selfWeights,
        groups: spec.groups,
      },
      rng.fork("policy"),
    );
    this.qNetwork = new NeighbourQ(sizes, rng.fork("q"));
    this.value = new StateValue(sizes, rng.fork("value"));
    this.valueTarget = new StateValue(sizes, rng.fork("value-target"));
    this.value.copyWeightsTo(this.valueTarget);
    const optimizer = (variables: tf.Variable[]) =>
      new Adam(variables, { learningRate: config.learningRate, maxGradNorm: config.maxGradNorm });
    this.policyOptimizer = optimizer(this.policy.trainableVariables());
    this.qOptimizer = optimizer(this.qNetwork.trainableVariables());
    this.valueOptimizer = optimizer(this.value.trainableVariables());
    this.replay = new SharedFrameReplay(replayOptions);
    this.batch = this.replay.createBatch(config.batchSize);
    this.rows = new NeighbourRows(n, this.maxNeighbors, config.batchSize);
    this.takenOneHot = new Float32Array(config.batchSize * n * this.numActions);
    this.actRows = new Int32Array(n * this.maxNeighbors);
    this.cachedRows = new Int32Array(n * this.maxNeighbors);
    this.actRowsGraph = new NeighbourRows(n, this.maxNeighbors, 1);
    this.actions = new Int32Array(n);
    this.evaluationRng = rng.fork("evaluation");
  }

  act(observations: Float32Array, graph: AgentGraph, options: ActOptions): Int32Array {
    const graphBatch = this.graphBatchFor(graph);
    const sample = options.explore || this.config.evaluation === "sample";
    const chosen = tf.tidy(() => {
      const logits = this.policy.logits(graphBatch, tf.tensor2d(observations, [this.numAgents, this.obsDim]));
      // argmax(logits + Gumbel) is a draw from softmax(logits).
      const rng = options.explore ? this.rng : this.evaluationRng;
      const scores = sample ? tf.add(logits, sampleGumbel(rng, logits.shape)) : logits;
      return tf.argMax(scores, 1).dataSync();
    });
    this.actions.set(chosen);
    return this.actions;
  }

  observe(transition: Transition): void {
    this.replay.add(transition);
    this.steps++;
  }

  update(): Metrics {
    const { config } = this;
    if (this.steps % config.updateEvery !== 0 || this.replay.size <= config.batchSize) return {};
    const factor = learningRateFactor(config.learningRateSchedule, this.steps, config.scheduleSteps);
    if (factor <= 0) return {};
    for (const optimizer of [this.policyOptimizer, this.qOptimizer, this.valueOptimizer]) {
      optimizer.learningRate = config.learningRate * factor;
    }
    const totals = { q: 0, value: 0, policy: 0, entropy: 0 };
    for (let k = 0; k < config.gradientSteps; k++) {
      const step = this.trainMinibatch();
      totals.q += step.q;
      totals.value += step.value;
      totals.policy += step.policy;
      totals.entropy += step.entropy;
      softUpdate(this.value, this.valueTarget, config.tau);
    }
    this.rounds++;
    const steps = config.gradientSteps;
    return {
      "loss/q": totals.q / steps,
      "loss/value": totals.value / steps,
      "loss/policy": totals.policy / steps,
      "policy/entropy": totals.entropy / steps,
      "learning-rate": config.learningRate * factor,
    };
  }

  /**
   * One minibatch: Q step, V step, π step on the same transitions (spec §1.2). A minibatch of more
   * than `maxChunkRows` agent rows is processed in chunks of whole graphs whose losses, weighted by
   * their share of the rows, sum to the minibatch's (`Adam.minimizeSum`): the same step, in memory
   * wasm can hold (1024 × 200 agents in one piece exceeds its 4 GiB heap).
   */
  private trainMinibatch(): { q: number; value: number; policy: number; entropy: number } {
    const { config, numAgents: n, numActions: a } = this;
    const rows = config.batchSize * n;
    const batch = this.replay.sample(this.batch, this.rng);
    this.takenOneHot.fill(0);
    for (let r = 0; r < rows; r++) this.takenOneHot[r * a + batch.actions[r]] = 1;
    // Drawn for the whole minibatch, then sliced: the numbers do not depend on the chunking.
    const noise = sampleGumbel(this.rng, [rows, a]) as tf.Tensor2D;
    const chunks = this.chunksOf(batch, noise);
    const weighted = (loss: (chunk: Chunk) => tf.Scalar) =>
      chunks.map((chunk) => () => tf.mul(loss(chunk), chunk.weight));
    const q = this.qOptimizer.minimizeSum(weighted((chunk) => qLoss(this.qNetwork, chunk, chunk.qTarget)));
    let entropy = 0;
    for (const chunk of chunks) {
      const soft = softValueTarget(this.policy, this.qNetwork, chunk, config.temperature);
      chunk.valueTarget = soft.target;
      entropy += soft.entropy.dataSync()[0] * chunk.weight;
      soft.entropy.dispose();
    }
    const value = this.valueOptimizer.minimizeSum(
      weighted((chunk) => valueLoss(this.value, chunk.x, chunk.valueTarget as tf.Tensor1D)),
    );
    const policy = this.policyOptimizer.minimizeSum(
      weighted((chunk) =>
        policyLoss(
          this.policy,
          this.qNetwork,
          chunk,
          config.temperature,
          config.neighbourGradient,
          config.logitRegularization,
        ),
      ),
    );
    for (const chunk of chunks) {
      tf.dispose([chunk.x, chunk.taken, chunk.noise, chunk.qTarget, chunk.valueTarget as tf.Tensor1D]);
      chunk.graph.dispose();
    }
    noise.dispose();
    return { q: q.loss, value: value.loss, policy: policy.loss, entropy };
  }

  /** The minibatch as chunks of whole graphs of at most `maxChunkRows` agent rows (at least one graph). */
  private chunksOf(batch: FrameBatch, noise: tf.Tensor2D): Chunk[] {
    const { config, numAgents: n, numActions: a, obsDim, maxNeighbors: k } = this;
    const graphsPerChunk = Math.max(1, Math.floor(config.maxChunkRows / n));
    const chunks: Chunk[] = [];
    for (let first = 0; first < config.batchSize; first += graphsPerChunk) {
      const graphs = Math.min(graphsPerChunk, config.batchSize - first);
      const [r0, r1] = [first * n, (first + graphs) * n];
      const chunkRows = r1 - r0;
      const qTarget = tf.tidy(() => {
        const nextValue = this.valueTarget.apply(
          tf.tensor2d(batch.nextObs.subarray(r0 * obsDim, r1 * obsDim), [chunkRows, obsDim]),
        );
        const notDone = tf.sub(1, tf.tensor1d(batch.terminated.subarray(r0, r1)));
        const rewards = tf.tensor1d(batch.rewards.subarray(r0, r1));
        return tf.add(rewards, tf.mul(tf.mul(nextValue, notDone), config.discount)) as tf.Tensor1D;
      });
      chunks.push({
        graph: new GraphBatch([this.rows.toGraph(batch.neighbors.subarray(r0 * k, r1 * k), graphs)]),
        x: tf.tensor2d(batch.obs.subarray(r0 * obsDim, r1 * obsDim), [chunkRows, obsDim]),
        taken: tf.tensor2d(this.takenOneHot.subarray(r0 * a, r1 * a), [chunkRows, a]),
        noise: tf.slice(noise, [r0, 0], [chunkRows, a]),
        qTarget,
        weight: chunkRows / (config.batchSize * n),
      });
    }
    return chunks;
  }

  state(): LearnerState {
    return {
      algorithm: this.algorithm,
      steps: this.steps,
      rounds: this.rounds,
      rng: this.rng.getState(),
      evaluationRng: this.evaluationRng.getState(),
      ...encodeModules(this.modules()),
      policyOptimizer: this.policyOptimizer.getState(),
      qOptimizer: this.qOptimizer.getState(),
      valueOptimizer: this.valueOptimizer.getState(),
      replay: this.replay.state(),
    };
  }

  load(state: LearnerState): void {
    const where = `${this.algorithm}.load`;
    if (state.algorithm !== this.algorithm)
      throw new RangeError(`${where}: the state is of "${state.algorithm}"`);
    loadModules(state, this.modules(), where);
    this.policyOptimizer.setState(state.policyOptimizer as AdamState);
    this.qOptimizer.setState(state.qOptimizer as AdamState);
    this.valueOptimizer.setState(state.valueOptimizer as AdamState);
    this.replay.load(state.replay as SharedFrameReplayState);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.evaluationRng = RngClass.fromState(state.evaluationRng as RngState);
    this.steps = state.steps as number;
    this.rounds = state.rounds as number;
  }

  dispose(): void {
    for (const module of Object.values(this.modules())) module.dispose();
    for (const optimizer of [this.policyOptimizer, this.qOptimizer, this.valueOptimizer]) optimizer.dispose();
    this.cachedBatch?.dispose();
    this.cachedBatch = null;
  }

  /** The networks, keyed as in the saved state. */
  private modules() {
    const { policy, qNetwork, value, valueTarget } = this;
    return { policy, qNetwork, value, valueTarget };
  }

  /** The acting graph as a one-graph batch, rebuilt only when its rows change. */
  private graphBatchFor(graph: AgentGraph | undefined): GraphBatch {
    if (graph === undefined || graph === null) {
      throw new RangeError(
        `${this.algorithm}.act: no agent graph; intention propagation needs the env's graph()`,
      );
    }
    if (graph.numAgents !== this.numAgents) {
      throw new RangeError(
        `${this.algorithm}.act: the graph has ${graph.numAgents} agents; expected ${this.numAgents}`,
      );
    }
    if (graph.numEdges === 0 && this.config.variant !== "independent") {
      throw new RangeError(
        `${this.algorithm}.act: the environment's graph has no edges; intention propagation needs neighbours (variant 'independent' needs none)`,
      );
    }
    NeighbourRows.writeRows(graph, this.maxNeighbors, this.actRows, 0, this.algorithm);
    if (this.cachedBatch !== null && equalRows(this.actRows, this.cachedRows)) return this.cachedBatch;
    this.cachedBatch?.dispose();
    this.cachedRows.set(this.actRows);
    this.cachedBatch = new GraphBatch([this.actRowsGraph.toGraph(this.actRows, 1)]);
    return this.cachedBatch;
  }
}

function equalRows(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Refuses, with the figures, a replay that would not fit the memory limit. */
function checkReplayFits(
  algorithm: string,
  options: SharedFrameReplayOptions,
  limitGiB: number | undefined,
): void {
  const machine = totalmem() / GIB;
  const limit = limitGiB ?? 0.85 * machine;
  const needed = SharedFrameReplay.bytesFor(options) / GIB;
  if (needed <= limit) return;
  const half =
    options.precision === "float32"
      ? `, framePrecision: "float16" (${(SharedFrameReplay.bytesFor({ ...options, precision: "float16" }) / GIB).toFixed(1)} GiB)`
      : "";
  throw new RangeError(
    `${algorithm}: bufferCapacity = ${options.capacity} at N = ${options.numAgents}, obsDim = ${options.obsDim} needs ${needed.toFixed(1)} GiB of replay; the limit is ${limit.toFixed(1)} GiB (memoryLimitGiB, default 85% of this machine's ${machine.toFixed(1)} GiB). Lower bufferCapacity${half}, or raise memoryLimitGiB`,
  );
}

export const ipAlgorithm = defineAlgorithm({
  id: "ip",
  description:
    "Intention Propagation (Qu et al. 2021): mean-field GNN joint policy over the agent graph, soft actor-critic (PIC's stack).",
  configSchema: ipConfigSchema,
  create: (envSpec, config, rng) => new IpLearner("ip", envSpec, config, rng),
});

export const ipIndependentAlgorithm = defineAlgorithm({
  id: "ip-independent",
  description:
    "IP's learner with an independent policy network instead of intention propagation (appendix F.1's baseline).",
  configSchema: ipConfigSchema.extend({ variant: z.enum(INTENTION_VARIANTS).default("independent") }),
  create: (envSpec, config, rng) => new IpLearner("ip-independent", envSpec, config, rng),
});
