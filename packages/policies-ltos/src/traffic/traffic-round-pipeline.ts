/**
 * # LToS on traffic-signal control — the round pipeline of the original code
 *
 * What `zhuliwen/RoadnetSZ/code/LToS` runs for the 6×6 grid (spec §2.2–2.4), one round at a time:
 *
 * 1. **Generators** (`generator.py`): `generators` episodes (4, `NUM_GENERATORS`) with the current
 *    nets: every decision (10 s) a = ε-greedy argmax Q(o ⊕ w_in) with ε = max(0.4·0.9^round, 0.05)
 *    (`CoLight_agent.py` 147–162; `config.py` 347–349); w re-chosen every `actionInterval` = 15
 *    decisions (`MIN_W_STEP`, `config.py` 126; `generator.py` 111–113), with OU noise on its logits
 *    (σ 0.25, ×ε) only in rounds that train w (`Swarm_CoLight_agent.py` 178–184).
 * 2. **Memory** (`updater.py`, `prepare_Xs_Y` 374–387): keep the last 10 000 transitions
 *    (`MAX_MEMORY_LEN`), draw 1 000 without replacement (`SAMPLE_SIZE`).
 * 3. **Targets** (`prepare_Xs_Y` 411–427): Y = Q(o, w_in) with the taken action's entry replaced by
 *    r̂/20 + 0.8·max Q̄(o′, w̄_in′) (`NORMAL_FACTOR` 20, `GAMMA` 0.8), w̄′ from the target w net
 *    plus N(0, 0.1²) logit noise (266–274).
 * 4. **Q fit** (`CoLight_agent.py::train_network` 522–540): Keras-style — MSE over every output,
 *    plus the activity regulariser 0.1·mean_batch Σ relu(Q)² (`l2_relu_regularizer.py`;
 *    `Swarm_CoLight_agent.py` 628–629), RMSprop (ρ 0.9, ε 1e-7, fresh each round as the original
 *    recompiles its models every round) with lr 1e-3·0.95^round (`config.py` 316–317), batches of 20
 *    in order (`shuffle=False`), the last 30 % of the sample as validation, up to 100 epochs,
 *    early stopping on the validation loss with patience 10 (the last epoch's weights are kept).
 * 5. **w fit** every 5th round ((round+1) % 5 = 0, `UPDATE_W_FREQ`; `updater.py` 301–302):
 *    5 epochs (`W_EPOCHS`) over the sample, each computing w (no noise), the exchanged gradients
 *    for the whole sample, then Adam (lr 1e-3·0.95^round, fresh) steps of −g/batch through the
 *    softmax per minibatch of 20 (`train_w_network` 768–798).
 * 6. **Targets** move by τ = 0.1 per round (`save_network_bar`, `save_w_network_bar` 833–839).
 *    The next round's online w net is loaded from this round's *target* file
 *    (`Swarm_CoLight_agent.py` 146: `round_{r−1}_inter_{i}_w_bar`), so the online w is reset to
 *    w̄ after every round — reproduced here.
 * 7. **Test** (`model_test.py`): one greedy episode (ε 0, no w noise); its average travel time.
 *
 * Variants: `ltos` (above), `fixed-ltos` (w never trained: selfishness kept), `no-sharing`
 * (selfishness 1, w = identity: CoLight/DGN on the agent's own reward).
 *
 * Deviations: the network is trainers' DGN with one relation kernel of one head (CoLight's trunk:
 * MLP 32-32, attention 32, Dense 32) — its attention is scaled by 1/√d and masks padding exactly
 * (CoLight gives zero-padded slots softmax mass, spec §2.2), and its Q head reads [h1, h2] (CoLight:
 * h2 only); weights start Glorot-uniform, not Keras `random_normal`. The w net is
 * {@link SharingNetwork}. Generators run one after the other (the original runs them in parallel
 * processes). Random numbers come from the seeded `Rng`.
 */
import type { MultiAgentEnv, Rng, RngState } from "@netmarl/envs";
import { isEpisodeOver, Rng as RngClass } from "@netmarl/envs";
import { GraphBatch } from "@netmarl/graph-nn";
import {
  Adam,
  DgnNetwork,
  encodeModules,
  encodeTypedArray,
  epsilonGreedyInto,
  loadModules,
  NeighbourRows,
  RmsProp,
} from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { SharingNoise } from "../exploration/sharing-noise.js";
import { receiverGradients } from "../ltos-learner.js";
import { softUpdate } from "../optim/soft-update.js";
import { SharingLayout, softmaxRowsInto } from "../sharing/sharing-layout.js";
import { SharingNetwork } from "../sharing/sharing-network.js";

export const trafficPipelineConfigSchema = z
  .object({
    /** `ltos`, `fixed-ltos` (w never trained) or `no-sharing` (w = identity). */
    variant: z.enum(["ltos", "fixed-ltos", "no-sharing"]).default("ltos"),
    /** Generator episodes per round (`NUM_GENERATORS`). */
    generators: z.number().int().min(1).default(4),
    /** Transitions kept (`MAX_MEMORY_LEN`). */
    memorySize: z.number().int().min(1).default(10_000),
    /** Transitions drawn per round (`SAMPLE_SIZE`). */
    sampleSize: z.number().int().min(1).default(1_000),
    /** Minibatch (`BATCH_SIZE`). */
    batchSize: z.number().int().min(1).default(20),
    /** Largest number of Q epochs per round (`EPOCHS`). */
    epochs: z.number().int().min(1).default(100),
    /** Early-stopping patience in epochs (`PATIENCE`). */
    patience: z.number().int().min(1).default(10),
    /** Share of the sample used for validation (Keras `validation_split`). */
    validationSplit: z.number().gt(0).lt(1).default(0.3),
    /** Q learning rate at round 0 (`LEARNING_RATE`) … */
    learningRate: z.number().gt(0).default(1e-3),
    /** … multiplied by this per round (`LEARNING_RATE_DECAY`). */
    learningRateDecay: z.number().gt(0).max(1).default(0.95),
    /** w learning rate at round 0 (`W_LEARNING_RATE`) … */
    sharingLearningRate: z.number().gt(0).default(1e-3),
    /** … multiplied by this per round (`W_LEARNING_RATE_DECAY`). */
    sharingLearningRateDecay: z.number().gt(0).max(1).default(0.95),
    /** w is trained in rounds with (round + 1) % this = 0 (`UPDATE_W_FREQ`). */
    sharingEvery: z.number().int().min(1).default(5),
    /** w epochs in those rounds (`W_EPOCHS`). */
    sharingEpochs: z.number().int().min(1).default(5),
    /** Soft target factor per round (`TAU`). */
    tau: z.number().gt(0).max(1).default(0.1),
    /** Discount γ (`GAMMA`). */
    discount: z.number().min(0).max(1).default(0.8),
    /** Shaped rewards are divided by this in the target (`NORMAL_FACTOR`). */
    rewardDivisor: z.number().gt(0).default(20),
    /** ε at round 0 (`EPSILON`) … */
    epsilon: z.number().min(0).max(1).default(0.4),
    /** … times this per round (`EPSILON_DECAY`) … */
    epsilonDecay: z.number().gt(0).max(1).default(0.9),
    /** … down to this (`MIN_EPSILON`). */
    minEpsilon: z.number().min(0).max(1).default(0.05),
    /** OU σ of the w noise, also scaled by ε (`W_SIGMA`). */
    sharingNoiseSigma: z.number().min(0).default(0.25),
    /** Gaussian std on the target w net's logits (`w_in_att_predict`, "TD3 add noise"). */
    targetSharingNoise: z.number().min(0).default(0.1),
    /** Initial self share (`INITIAL_OWN_W_OUT_RATIO`; Table 5: 0.8 on 6×6, 0.9 Shenzhen). */
    selfishness: z.number().gt(0).max(1).default(0.8),
    /** Decisions between w choices (`MIN_W_STEP`). */
    actionInterval: z.number().int().min(1).default(15),
    /** Weight of the activity regulariser on positive Q (`L2ReLURegularizer(l=1e-1)`). */
    activityRegularizer: z.number().min(0).default(0.1),
    /** Trunk widths (`MLP_layers`). */
    encoderSizes: z.array(z.number().int().min(1)).min(1).default([32, 32]),
    /** Attention width (`CNN_layers` [[32, 32]], one head). */
    headSize: z.number().int().min(1).default(32),
    /** Largest number of neighbours besides self (`TOP_K_ADJACENCY` 5 with self). */
    maxNeighbors: z.number().int().min(1).default(4),
  })
  .strict();

export type TrafficPipelineConfig = z.output<typeof trafficPipelineConfigSchema>;

/** What one round reports. */
export interface TrafficRoundResult {
  round: number;
  /** Average travel time of the greedy test episode, seconds. */
  testAverageTravelTime: number;
  /** Mean generator return (mean over agents of summed raw rewards). */
  generatorReturn: number;
  qEpochs: number;
  qValidationLoss: number;
  sharingTrained: boolean;
  /** Mean self weight w_ii over the agents and the w choices of the test episode. */
  selfWeight: number;
  seconds: number;
}

/** The round pipeline; `state()` after any generator episode resumes exactly (mid-round). */
export class TrafficRoundPipeline {
  readonly config: TrafficPipelineConfig;
  private readonly env: MultiAgentEnv;
  private readonly n: number;
  private readonly obsDim: number;
  private readonly numActions: number;
  private readonly k: number;
  private readonly kin: number;
  private readonly q: DgnNetwork;
  private readonly qTarget: DgnNetwork;
  private readonly sharing: SharingNetwork;
  private readonly sharingTarget: SharingNetwork;
  private readonly rows: Int32Array;
  private readonly layout: SharingLayout;
  private readonly batchLayouts = new Map<
    number,
    {
      layout: SharingLayout;
      graph: GraphBatch;
      pairs: ReturnType<typeof SharingNetwork.pairMap>;
      offsets: tf.Tensor2D;
    }
  >();
  private readonly noise: SharingNoise;
  // memory (ring of `memorySize` transitions, every agent)
  private readonly memoryObs: Float32Array;
  private readonly memoryNextObs: Float32Array;
  private readonly memoryWIn: Float32Array;
  private readonly memoryActions: Int32Array;
  private readonly memoryShaped: Float32Array;
  private memoryAdded = 0;
  private rng: Rng;
  private round = 0;
  private generatorsDone = 0;
  private generatorReturns: number[] = [];

  constructor(
    createEnv: (rng: Rng) => MultiAgentEnv,
    config: z.input<typeof trafficPipelineConfigSchema>,
    rng: Rng,
  ) {
    const parsed = trafficPipelineConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RangeError(`ltos traffic config: ${issue.path.join(".")}: ${issue.message}`);
    }
    this.config = parsed.data;
    this.rng = rng.fork("pipeline");
    this.env = createEnv(rng.fork("env"));
    const spec = this.env.spec;
    if (spec.actionSpace.kind !== "discrete")
      throw new RangeError("ltos traffic: needs a Discrete action space");
    this.n = spec.numAgents;
    this.obsDim = spec.obsDim;
    this.numActions = spec.actionSpace.n;
    const c = this.config;
    const selfishness = c.variant === "no-sharing" ? 1 : c.selfishness;
    this.rows = new Int32Array(this.n * c.maxNeighbors);
    NeighbourRows.writeRows(this.env.graph(), c.maxNeighbors, this.rows);
    this.layout = new SharingLayout(this.n, c.maxNeighbors, 1, selfishness).build(this.rows, 1);
    this.k = this.layout.outWidth;
    this.kin = this.layout.inWidth;
    const trunk = { encoderSizes: c.encoderSizes, numHeads: 1, headSize: c.headSize };
    const qOptions = { ...trunk, obsDim: this.obsDim + this.kin, numActions: this.numActions, numLayers: 1 };
    this.q = new DgnNetwork(qOptions, rng.fork("q"));
    this.qTarget = new DgnNetwork(qOptions, rng.fork("q-target"));
    this.q.copyWeightsTo(this.qTarget);
    this.sharing = new SharingNetwork({ ...trunk, obsDim: this.obsDim }, rng.fork("sharing"));
    this.sharingTarget = new SharingNetwork({ ...trunk, obsDim: this.obsDim }, rng.fork("sharing-target"));
    this.sharing.copyWeightsTo(this.sharingTarget);
    this.noise = new SharingNoise("ou", c.sharingNoiseSigma, 0, this.n, this.k);
    const size = c.memorySize * this.n;
    this.memoryObs = new Float32Array(size * this.obsDim);
    this.memoryNextObs = new Float32Array(size * this.obsDim);
    this.memoryWIn = new Float32Array(size * this.kin);
    this.memoryActions = new Int32Array(size);
    this.memoryShaped = new Float32Array(size);
  }

  get currentRound(): number {
    return this.round;
  }

  private get epsilon(): number {
    const c = this.config;
    return Math.max(c.epsilon * c.epsilonDecay ** this.round, c.minEpsilon);
  }

  private get trainsSharing(): boolean {
    return this.config.variant === "ltos" && (this.round + 1) % this.config.sharingEvery === 0;
  }

  /**
   * Runs what is left of the current round; `afterGenerator` is called after each generator
   * episode (a checkpoint point: `state()` there resumes mid-round).
   */
  runRound(afterGenerator?: (done: number) => void): TrafficRoundResult {
    const started = performance.now();
    while (this.generatorsDone < this.config.generators) {
      this.generatorReturns.push(this.runEpisode(true).episodeReturn);
      this.generatorsDone++;
      afterGenerator?.(this.generatorsDone);
    }
    const { epochs, validationLoss } = this.trainRound();
    const test = this.runEpisode(false);
    const result: TrafficRoundResult = {
      round: this.round,
      testAverageTravelTime: test.averageTravelTime,
      generatorReturn: this.generatorReturns.reduce((a, b) => a + b, 0) / this.generatorReturns.length,
      qEpochs: epochs,
      qValidationLoss: validationLoss,
      sharingTrained: this.trainsSharing,
      selfWeight: test.selfWeight,
      seconds: (performance.now() - started) / 1000,
    };
    this.round++;
    this.generatorsDone = 0;
    this.generatorReturns = [];
    return result;
  }

  /** One episode: a generator (explore, stored) or the greedy test. */
  private runEpisode(explore: boolean): {
    episodeReturn: number;
    averageTravelTime: number;
    selfWeight: number;
  } {
    const { n, k, kin, obsDim } = this;
    const epsilon = explore ? this.epsilon : 0;
    const noisy = explore && this.trainsSharing;
    if (noisy) this.noise.reset(this.rng);
    let current = this.env.reset(this.rng.nextSeed());
    const wOut = new Float32Array(n * k);
    const wIn = new Float32Array(n * kin);
    const logits = new Float32Array(n * k);
    const shaped = new Float32Array(n);
    const actions = new Int32Array(n);
    const tensors = this.batchTensors(1);
    let episodeReturn = 0;
    let averageTravelTime = Number.NaN;
    let selfWeightTotal = 0;
    let choices = 0;
    for (let decision = 0; ; decision++) {
      const obs = current.obs.slice();
      if (decision % this.config.actionInterval === 0) {
        logits.set(
          tf.tidy(() =>
            this.sharing
              .logits(tensors.graph, tf.tensor2d(obs, [n, obsDim]), tensors.pairs, tensors.offsets)
              .dataSync(),
          ),
        );
        if (noisy) this.noise.addTo(logits, epsilon, this.rng);
        softmaxRowsInto(logits, n, k, wOut);
        this.layout.reindexOutToIn(wOut, wIn);
        for (let i = 0; i < n; i++) selfWeightTotal += wOut[i * k] / n;
        choices++;
      }
      const q = tf.tidy(() => {
        const input = tf.concat(
          [tf.tensor2d(obs, [n, obsDim]), tf.tensor2d(wIn, [n, kin])],
          1,
        ) as tf.Tensor2D;
        return this.q.forward(tensors.graph, input).q.dataSync() as Float32Array;
      });
      epsilonGreedyInto(q, this.numActions, epsilon, this.rng, actions);
      const step = this.env.step(actions);
      for (let i = 0; i < n; i++) episodeReturn += step.rewards[i] / n;
      if (explore) {
        this.layout.shapeRewards(step.rewards, wIn, shaped);
        this.remember(obs, step.obs, wIn, actions, shaped);
      }
      if (isEpisodeOver(step)) {
        averageTravelTime = step.infos.averageTravelTime as number;
        break;
      }
      current = step;
    }
    return { episodeReturn, averageTravelTime, selfWeight: selfWeightTotal / choices };
  }

  private remember(
    obs: Float32Array,
    nextObs: Float32Array,
    wIn: Float32Array,
    actions: Int32Array,
    shaped: Float32Array,
  ): void {
    const { n, obsDim, kin } = this;
    const slot = this.memoryAdded % this.config.memorySize;
    this.memoryObs.set(obs, slot * n * obsDim);
    this.memoryNextObs.set(nextObs.subarray(0, n * obsDim), slot * n * obsDim);
    this.memoryWIn.set(wIn, slot * n * kin);
    this.memoryActions.set(actions, slot * n);
    this.memoryShaped.set(shaped, slot * n);
    this.memoryAdded++;
  }

  /** Steps 2–6 of the round. */
  private trainRound(): { epochs: number; validationLoss: number } {
    const c = this.config;
    const stored = Math.min(this.memoryAdded, c.memorySize);
    // random.sample(memory, min(SAMPLE_SIZE, len)): without replacement, in draw order
    const count = Math.min(c.sampleSize, stored);
    const order = Int32Array.from({ length: stored }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + this.rng.int(stored - i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const sample = order.subarray(0, count);
    const data = this.gatherSample(sample);
    const targets = this.computeTargets(data);
    const fit = this.fitQ(data, targets);
    if (this.trainsSharing) this.fitSharing(data);
    softUpdate(this.q, this.qTarget, c.tau);
    if (c.variant === "ltos") {
      softUpdate(this.sharing, this.sharingTarget, c.tau);
      this.sharingTarget.copyWeightsTo(this.sharing); // the next round loads w̄ as its w (see the header)
    }
    return fit;
  }

  private gatherSample(sample: Int32Array) {
    const { n, obsDim, kin } = this;
    const count = sample.length;
    const obs = new Float32Array(count * n * obsDim);
    const nextObs = new Float32Array(count * n * obsDim);
    const wIn = new Float32Array(count * n * kin);
    const actions = new Int32Array(count * n);
    const shaped = new Float32Array(count * n);
    sample.forEach((slot, b) => {
      obs.set(this.memoryObs.subarray(slot * n * obsDim, (slot + 1) * n * obsDim), b * n * obsDim);
      nextObs.set(this.memoryNextObs.subarray(slot * n * obsDim, (slot + 1) * n * obsDim), b * n * obsDim);
      wIn.set(this.memoryWIn.subarray(slot * n * kin, (slot + 1) * n * kin), b * n * kin);
      actions.set(this.memoryActions.subarray(slot * n, (slot + 1) * n), b * n);
      shaped.set(this.memoryShaped.subarray(slot * n, (slot + 1) * n), b * n);
    });
    return { count, obs, nextObs, wIn, actions, shaped };
  }

  /** Y: Q(o, w_in) with the taken action's entry replaced by r̂/20 + γ max Q̄(o′, w̄_in′). */
  private computeTargets(data: ReturnType<TrafficRoundPipeline["gatherSample"]>): Float32Array {
    const { n, obsDim, kin, k, numActions } = this;
    const c = this.config;
    const targets = new Float32Array(data.count * n * numActions);
    for (const [from, size] of this.minibatches(data.count)) {
      const t = this.batchTensors(size);
      const rows = size * n;
      const obs = data.obs.subarray(from * n * obsDim, (from + size) * n * obsDim);
      const nextObs = data.nextObs.subarray(from * n * obsDim, (from + size) * n * obsDim);
      const logits = tf.tidy(() =>
        this.sharingTarget
          .logits(t.graph, tf.tensor2d(nextObs, [rows, obsDim]), t.pairs, t.offsets)
          .dataSync(),
      );
      const nextOut = new Float32Array(rows * k);
      for (let e = 0; e < nextOut.length; e++)
        nextOut[e] = logits[e] + c.targetSharingNoise * this.rng.normal();
      softmaxRowsInto(nextOut, rows, k, nextOut);
      const nextIn = t.layout.reindexOutToIn(nextOut, new Float32Array(rows * kin));
      const [current, bootstrap] = tf.tidy(() => {
        const wIn = tf.tensor2d(data.wIn.subarray(from * n * kin, (from + size) * n * kin), [rows, kin]);
        const q = this.q.forward(
          t.graph,
          tf.concat([tf.tensor2d(obs, [rows, obsDim]), wIn], 1) as tf.Tensor2D,
        ).q;
        const next = tf.concat([tf.tensor2d(nextObs, [rows, obsDim]), tf.tensor2d(nextIn, [rows, kin])], 1);
        const qNext = this.qTarget.forward(t.graph, next as tf.Tensor2D).q;
        return [q.dataSync(), tf.max(qNext, 1).dataSync()];
      });
      targets.set(current, from * n * numActions);
      for (let r = 0; r < rows; r++) {
        const row = from * n + r;
        targets[row * numActions + data.actions[row]] =
          data.shaped[row] / c.rewardDivisor + c.discount * bootstrap[r];
      }
    }
    return targets;
  }

  /** Keras-style fit: ordered minibatches, validation tail, early stopping on validation loss. */
  private fitQ(data: ReturnType<TrafficRoundPipeline["gatherSample"]>, targets: Float32Array) {
    const c = this.config;
    const validation = Math.floor(data.count * c.validationSplit);
    const training = data.count - validation;
    // Keras 2.2.4 RMSprop: ρ 0.9, ε 1e-7 (`K.epsilon()`), no clipping.
    const optimizer = new RmsProp(this.q.trainableVariables(), {
      learningRate: c.learningRate * c.learningRateDecay ** this.round,
      alpha: 0.9,
      epsilon: 1e-7,
    });
    let best = Number.POSITIVE_INFINITY;
    let sinceBest = 0;
    let epochs = 0;
    let validationLoss = Number.NaN;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      for (const [from, size] of this.minibatches(training)) {
        optimizer.minimize(() => this.qLoss(data, targets, from, size));
      }
      epochs++;
      if (validation === 0) continue;
      let total = 0;
      for (const [from, size] of this.minibatches(validation, training)) {
        total += tf.tidy(() => this.qLoss(data, targets, from, size).dataSync()[0]) * size;
      }
      validationLoss = total / validation;
      if (validationLoss < best) {
        best = validationLoss;
        sinceBest = 0;
      } else if (++sinceBest >= c.patience) break;
    }
    optimizer.dispose();
    return { epochs, validationLoss };
  }

  private qLoss(
    data: ReturnType<TrafficRoundPipeline["gatherSample"]>,
    targets: Float32Array,
    from: number,
    size: number,
  ): tf.Scalar {
    const { n, obsDim, kin, numActions } = this;
    const t = this.batchTensors(size);
    const rows = size * n;
    const input = tf.concat(
      [
        tf.tensor2d(data.obs.subarray(from * n * obsDim, (from + size) * n * obsDim), [rows, obsDim]),
        tf.tensor2d(data.wIn.subarray(from * n * kin, (from + size) * n * kin), [rows, kin]),
      ],
      1,
    ) as tf.Tensor2D;
    const q = this.q.forward(t.graph, input).q;
    const y = tf.tensor2d(targets.subarray(from * n * numActions, (from + size) * n * numActions), [
      rows,
      numActions,
    ]);
    const mse = tf.mean(tf.square(tf.sub(q, y)));
    // 0.1 · mean over the batch of Σ over agents and actions of relu(Q)²
    const activity = tf.div(tf.sum(tf.square(tf.relu(q))), size);
    return tf.add(mse, tf.mul(activity, this.config.activityRegularizer)) as tf.Scalar;
  }

  /** w epochs: gradients for the whole sample first (per epoch), then minibatch steps. */
  private fitSharing(data: ReturnType<TrafficRoundPipeline["gatherSample"]>): void {
    const { n, obsDim, k, kin } = this;
    const c = this.config;
    const optimizer = new Adam(this.sharing.trainableVariables(), {
      learningRate: c.sharingLearningRate * c.sharingLearningRateDecay ** this.round,
    });
    const gradients = new Float32Array(data.count * n * k);
    for (let epoch = 0; epoch < c.sharingEpochs; epoch++) {
      for (const [from, size] of this.minibatches(data.count)) {
        const t = this.batchTensors(size);
        const rows = size * n;
        const obs = tf.tensor2d(data.obs.subarray(from * n * obsDim, (from + size) * n * obsDim), [
          rows,
          obsDim,
        ]);
        const logits = tf.tidy(() => this.sharing.logits(t.graph, obs, t.pairs, t.offsets).dataSync());
        const wOut = softmaxRowsInto(logits as Float32Array, rows, k, new Float32Array(rows * k));
        const wIn = t.layout.reindexOutToIn(wOut, new Float32Array(rows * kin));
        const { gradientsIn } = receiverGradients(this.q, t.graph, obs, wIn, kin);
        t.layout.sendGradients(gradientsIn, gradients.subarray(from * n * k, (from + size) * n * k));
        obs.dispose();
      }
      for (const [from, size] of this.minibatches(data.count)) {
        const t = this.batchTensors(size);
        const rows = size * n;
        tf.tidy(() => {
          const obs = tf.tensor2d(data.obs.subarray(from * n * obsDim, (from + size) * n * obsDim), [
            rows,
            obsDim,
          ]);
          const g = tf.tensor2d(gradients.subarray(from * n * k, (from + size) * n * k), [rows, k]);
          optimizer.minimize(() =>
            tf.div(
              tf.neg(tf.sum(tf.mul(tf.softmax(this.sharing.logits(t.graph, obs, t.pairs, t.offsets)), g))),
              size,
            ),
          );
        });
      }
    }
    optimizer.dispose();
  }

  /** [from, size] of consecutive minibatches over `count` items starting at `offset`. */
  private *minibatches(count: number, offset = 0): Generator<[number, number]> {
    for (let from = 0; from < count; from += this.config.batchSize) {
      yield [offset + from, Math.min(this.config.batchSize, count - from)];
    }
  }

  /** Layout and tensors of `graphs` copies of the static road graph, built once per size. */
  private batchTensors(graphs: number) {
    let entry = this.batchLayouts.get(graphs);
    if (entry === undefined) {
      const m = this.config.maxNeighbors;
      const rows = new Int32Array(graphs * this.n * m);
      for (let b = 0; b < graphs; b++) rows.set(this.rows, b * this.n * m);
      const selfishness = this.config.variant === "no-sharing" ? 1 : this.config.selfishness;
      const layout = new SharingLayout(this.n, m, graphs, selfishness).build(rows, graphs);
      const pairs = SharingNetwork.pairMap(layout);
      pairs.indexTensors();
      entry = {
        layout,
        graph: new GraphBatch([new NeighbourRows(this.n, m, graphs).toGraph(rows, graphs)]),
        pairs,
        offsets: tf.tensor2d(layout.logitOffsets, [graphs * this.n, this.k]),
      };
      this.batchLayouts.set(graphs, entry);
    }
    return entry;
  }

  /** Everything needed to continue exactly: nets, memory, round position, generator state. */
  state(): Record<string, unknown> {
    const used = Math.min(this.memoryAdded, this.config.memorySize);
    const n = this.n;
    return {
      format: "ltos-traffic-pipeline",
      round: this.round,
      generatorsDone: this.generatorsDone,
      generatorReturns: [...this.generatorReturns],
      memoryAdded: this.memoryAdded,
      rng: this.rng.getState(),
      noise: this.noise.state(),
      ...encodeModules({
        q: this.q,
        qTarget: this.qTarget,
        sharing: this.sharing,
        sharingTarget: this.sharingTarget,
      }),
      memoryObs: encodeTypedArray(this.memoryObs.subarray(0, used * n * this.obsDim)),
      memoryNextObs: encodeTypedArray(this.memoryNextObs.subarray(0, used * n * this.obsDim)),
      memoryWIn: encodeTypedArray(this.memoryWIn.subarray(0, used * n * this.kin)),
      memoryActions: encodeTypedArray(this.memoryActions.subarray(0, used * n)),
      memoryShaped: encodeTypedArray(this.memoryShaped.subarray(0, used * n)),
    };
  }

  load(state: Record<string, unknown>): void {
    if (state.format !== "ltos-traffic-pipeline")
      throw new RangeError("ltos traffic load: not a pipeline state");
    loadModules(
      state,
      { q: this.q, qTarget: this.qTarget, sharing: this.sharing, sharingTarget: this.sharingTarget },
      "ltos traffic load",
    );
    this.memoryObs.set(state.memoryObs as Float32Array);
    this.memoryNextObs.set(state.memoryNextObs as Float32Array);
    this.memoryWIn.set(state.memoryWIn as Float32Array);
    this.memoryActions.set(state.memoryActions as Int32Array);
    this.memoryShaped.set(state.memoryShaped as Float32Array);
    this.memoryAdded = state.memoryAdded as number;
    this.round = state.round as number;
    this.generatorsDone = state.generatorsDone as number;
    this.generatorReturns = [...(state.generatorReturns as number[])];
    this.rng = RngClass.fromState(state.rng as RngState);
    this.noise.load(state.noise as { mu: number[]; previous: number[] });
  }

  dispose(): void {
    for (const module of [this.q, this.qTarget, this.sharing, this.sharingTarget]) module.dispose();
    for (const entry of this.batchLayouts.values()) {
      entry.graph.dispose();
      entry.pairs.dispose();
      entry.offsets.dispose();
    }
    this.batchLayouts.clear();
  }
}
