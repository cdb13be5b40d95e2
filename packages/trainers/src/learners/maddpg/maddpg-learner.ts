/**
 * # MADDPG, MADDPGS and PIC (Lowe et al. 2017; Liu, Yeh & Schwing, CoRL 2019)
 *
 * Deterministic-policy-gradient actor-critic with one actor shared by all (homogeneous) agents and a
 * centralised critic Q(s, a) on every agent's [o_k, a_k], exactly as in PIC's code base:
 * - actor Linear(obs, 128)-ReLU-Linear(128, 128)-ReLU-Linear(128, |A|), last layer ×0.1 at init;
 *   the action is the Gumbel-softmax of the logits (τ = 1, noise from the learner's Rng);
 * - critic loss  (Q(s, a) − y)²,  y = r + γ·(1 − terminated)·Q̄(s', a'(s'));
 * - actor loss  −Q(s, a(s)) + 1e-3·mean(logits²);
 * - Adam lr 1e-2 for both, global grad-norm clip 0.5 (on the first update only, as PIC's code
 *   really runs; `gradientClipping`), γ 0.95, batch 1024, replay 1e6; every 100
 *   environment steps (once the buffer holds more than a batch) 8 actor minibatches, then 8 critic
 *   minibatches (`main_vec.py`'s order), each on a fresh uniform sample; soft target updates τ = 0.01
 *   of the critic after every critic step and of actor and critic after every actor step.
 * Critics (centralised-critics.ts): `maddpg` = MLP on the concatenated rows; `maddpgs` = the same
 * with one random agent permutation (from the Rng) applied to the states, next states and actions of
 * every minibatch in both updates (`--shuffle shuffle`); `pic` = the permutation-invariant graph critic
 * (`gcn_max`).
 *
 * Source: `IouJenLiu/PIC` @ add16c2 `maddpg/{ddpg_vec.py, main_vec.py, eval.py, models/graph_net.py,
 * models/graph_layers.py, models/mlp_net.py}`; spec §5.2 and §6.
 *
 * Where this follows PIC's code rather than the spec's summary (both noted in the config):
 * - PIC's updates call `select_action(…, action_noise=train_noise)` and `--train_noise` is off by
 *   default, so the critic targets and the actor loss use softmax(logits) without Gumbel noise;
 *   `trainNoise: true` adds the noise (the spec's reading).
 * - The next action a'(s') comes from the *online* actor (`select_action` uses `self.actor`; PIC's
 *   `actor_target` is soft-updated but never read); `useTargetActor: true` gives textbook DDPG.
 * - The learning rate decays linearly to 0 over the whole run by default, as PIC's active code path:
 *   `main_vec.py` 211–213 calls `agent.adjust_lr(i_episode)` after every episode unless
 *   `--fixed_lr` (off, line 60), and `ddpg_vec.py` 24–29 sets lr = lr₀·(1 − i_episode / 60 000)
 *   (`start_episode` 0, line 162). Here the factor is 1 − t / `scheduleSteps` per environment step
 *   (PIC: 60 000 episodes × 25 steps = 1.5M), which differs from PIC's per-episode steps by at most
 *   2 / 60 000 of lr₀; set `scheduleSteps` to the run's length. The "second half" schedule of the
 *   spec is PIC's `LambdaLR` (`ddpg_vec.py` 186–191), built but never stepped (an option).
 * - Minibatches are drawn without replacement (`replay_memory.py` line 26: `random.sample`).
 *
 * Deviations (discrete action spaces): PIC's MPE takes the soft 5-vector as a force; here the
 * environment's action space is `Discrete`, so the agent executes argmax of its Gumbel-softmax sample
 * (a sample of Categorical(softmax(logits))), the replay stores that index and the critic sees its
 * one-hot. Evaluation samples the same way (`eval.py` line 40 calls `select_action(…,
 * action_noise=True)`); `evaluationNoise: false` takes argmax(logits) instead. To feed the critic the same kind of vector in the updates, `straightThrough` (default)
 * makes the update-time actions one-hot in the forward pass with the softmax's gradient (graph-nn's
 * `gumbelSoftmax` hard mode); `straightThrough: false` feeds the soft vector as PIC does. The reward is the team reward: the mean of the agents' rewards
 * (PIC reads the last agent's, identical for a shared reward); the bootstrap stops when any agent
 * terminated. Initial weights are Glorot-uniform, not PyTorch's default.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { concatColumns, gumbelSoftmax, MLP, withFrozenWeights } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { type ReplayBatch, ReplayBuffer, type ReplayBufferState } from "../../buffers/replay-buffer.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import { Adam, type AdamState } from "../../optim/adam.js";
import { LEARNING_RATE_SCHEDULES, learningRateFactor } from "../../optim/learning-rate-schedule.js";
import { softUpdate } from "../../optim/soft-update.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { type CentralisedCritic, GraphCritic, MlpCritic, scaleDense } from "./centralised-critics.js";

const sharedConfigShape = {
  /** Hidden width of actor and critic (PIC `--hidden_size` 128). */
  hiddenSize: z.number().int().min(1).default(128),
  /** Actor Adam step size (PIC `--actor_lr`). */
  actorLearningRate: z.number().gt(0).default(1e-2),
  /** Critic Adam step size (PIC `--critic_lr`). */
  criticLearningRate: z.number().gt(0).default(1e-2),
  /**
   * Learning-rate schedule over `scheduleSteps` environment steps: `'constant'`, `'linear'` to 0 from
   * the start (PIC's active `adjust_lr`), or `'linear-second-half'` (constant, then linear to 0; PIC's
   * unused `LambdaLR`, the spec's description).
   */
  learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).default("linear"),
  /** Length of the schedule in environment steps (PIC: 60 000 episodes × 25 steps). */
  scheduleSteps: z.number().int().min(1).default(1_500_000),
  /** Discount γ. */
  discount: z.number().min(0).max(1).default(0.95),
  /** Polyak factor τ of the soft target updates. */
  tau: z.number().min(0).max(1).default(0.01),
  /** Minibatch size in transitions (each holds every agent). */
  batchSize: z.number().int().min(1).default(1024),
  /** Replay capacity in transitions (preallocated: capacity × N × (2·obsDim + 3) floats). */
  bufferCapacity: z.number().int().min(1).default(1_000_000),
  /** Train every this many environment steps (PIC `--steps_per_actor_update` / `_critic_update`). */
  updateEvery: z.number().int().min(1).default(100),
  /** Actor minibatches per training round (PIC `--updates_per_step`). */
  actorUpdates: z.number().int().min(0).default(8),
  /** Critic minibatches per training round (PIC `--critic_updates_per_step`). */
  criticUpdates: z.number().int().min(0).default(8),
  /** Clip each network's global gradient norm to this (0 = off). */
  maxGradNorm: z.number().min(0).default(0.5),
  /**
   * When `maxGradNorm` applies: `"first-update"` as PIC's code actually runs — `ddpg_vec.py` keeps
   * `self.actor_params = self.actor.parameters()` (a generator, lines 174–175) and passes it to
   * `clip_grad_norm_` (lines 249, 274); the first call exhausts it, so only the very first actor and
   * the very first critic update are clipped — or `"every-update"` (the evident intent).
   */
  gradientClipping: z.enum(["first-update", "every-update"]).default("first-update"),
  /** Weight of the logit regulariser mean(logits²) in the actor loss. */
  logitRegularization: z.number().min(0).default(1e-3),
  /** Gumbel noise in the actions of the critic targets and the actor loss (PIC `--train_noise`, off). */
  trainNoise: z.boolean().default(false),
  /** Update-time actions one-hot forward / softmax gradient backward (matches the stored one-hots). */
  straightThrough: z.boolean().default(true),
  /** Take a'(s') of the critic targets from the target actor (PIC: the online actor). */
  useTargetActor: z.boolean().default(false),
  /** With `explore: false`, sample the Gumbel-softmax as PIC's `eval.py` does (false: argmax). */
  evaluationNoise: z.boolean().default(true),
  /** Distinct transitions in each minibatch (PIC's `random.sample`); false samples with replacement. */
  sampleWithoutReplacement: z.boolean().default(true),
};

const maddpgConfigSchema = z.object(sharedConfigShape).strict();
const picConfigSchema = z
  .object({
    ...sharedConfigShape,
    /** Pooling over agents in the graph critic: `'max'` (`gcn_max`) or `'mean'` (`gcn_mean`). */
    pooling: z.enum(["max", "mean"]).default("max"),
  })
  .strict();

export type MaddpgConfig = z.output<typeof maddpgConfigSchema>;
export type PicConfig = z.output<typeof picConfigSchema>;

/** Which of the three baselines a {@link MaddpgLearner} is. */
export type MaddpgVariant = "maddpg" | "maddpgs" | "pic";

export class MaddpgLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly obsDim: number;
  private readonly actor: MLP;
  private readonly actorTarget: MLP;
  private readonly critic: CentralisedCritic;
  private readonly criticTarget: CentralisedCritic;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly buffer: ReplayBuffer;
  private readonly batch: ReplayBatch;
  private readonly batchIndices: Int32Array;
  private readonly permutation: Int32Array;
  private readonly permuted: Float32Array;
  private readonly oneHotActions: Float32Array;
  private readonly criticRows: Float32Array;
  private readonly teamRewards: Float32Array;
  private readonly notDone: Float32Array;
  private readonly actions: Int32Array;
  private steps = 0;
  private rounds = 0;

  constructor(
    private readonly variant: MaddpgVariant,
    spec: EnvSpec,
    private readonly config: MaddpgConfig & { pooling?: "max" | "mean" },
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(
        `${variant}: needs a Discrete action space; ${spec.id} has ${spec.actionSpace} (set the MPE actionMode to 'discrete')`,
      );
    }
    this.numAgents = spec.numAgents;
    this.numActions = spec.actionSpace.n;
    this.obsDim = spec.obsDim;
    const hidden = config.hiddenSize;
    const buildActor = (stream: string) => {
      const actor = new MLP(
        // Observations are data: the first layer skips its input-gradient matMul.
        {
          inputSize: spec.obsDim,
          hiddenSizes: [hidden, hidden],
          outputSize: this.numActions,
          inputGradient: false,
        },
        rng.fork(stream),
      );
      scaleDense(actor.layers[actor.layers.length - 1], 0.1);
      return actor;
    };
    const criticOptions = {
      numAgents: spec.numAgents,
      inputSize: spec.obsDim + this.numActions,
      hiddenSize: hidden,
      pooling: config.pooling,
    };
    const buildCritic = (stream: string): CentralisedCritic =>
      variant === "pic"
        ? new GraphCritic(criticOptions, rng.fork(stream))
        : new MlpCritic(criticOptions, rng.fork(stream));
    this.actor = buildActor("actor");
    this.actorTarget = buildActor("actor-target");
    this.critic = buildCritic("critic");
    this.criticTarget = buildCritic("critic-target");
    this.actor.copyWeightsTo(this.actorTarget);
    this.critic.copyWeightsTo(this.criticTarget);
    this.actorOptimizer = new Adam(this.actor.trainableVariables(), {
      learningRate: config.actorLearningRate,
      maxGradNorm: config.maxGradNorm,
      clipFirstStepOnly: config.gradientClipping === "first-update",
    });
    this.criticOptimizer = new Adam(this.critic.trainableVariables(), {
      learningRate: config.criticLearningRate,
      maxGradNorm: config.maxGradNorm,
      clipFirstStepOnly: config.gradientClipping === "first-update",
    });
    this.buffer = new ReplayBuffer({
      capacity: config.bufferCapacity,
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      actionSize: 1,
    });
    const rows = config.batchSize;
    this.batch = this.buffer.createBatch(rows);
    this.batchIndices = new Int32Array(rows);
    this.permutation = new Int32Array(spec.numAgents);
    this.permuted = new Float32Array(spec.numAgents * spec.obsDim);
    this.oneHotActions = new Float32Array(rows * spec.numAgents * this.numActions);
    this.criticRows = new Float32Array(rows * spec.numAgents * (spec.obsDim + this.numActions));
    this.teamRewards = new Float32Array(rows);
    this.notDone = new Float32Array(rows);
    this.actions = new Int32Array(spec.numAgents);
  }

  /** Learning-rate factor of the schedule at the current environment step. */
  get learningRateFactor(): number {
    return learningRateFactor(this.config.learningRateSchedule, this.steps, this.config.scheduleSteps);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    const noisy = options.explore || this.config.evaluationNoise;
    const chosen = tf.tidy(() => {
      const logits = this.actor.apply(tf.tensor2d(observations, [this.numAgents, this.obsDim]));
      // argmax of the Gumbel-softmax sample = a draw from Categorical(softmax(logits)).
      const sample = noisy ? gumbelSoftmax(logits, { rng: this.rng, hard: false }) : logits;
      return tf.argMax(sample, 1).dataSync();
    });
    this.actions.set(chosen);
    return this.actions;
  }

  observe(transition: Transition): void {
    this.buffer.add(transition);
    this.steps++;
  }

  update(): Metrics {
    const { config } = this;
    // PIC trains once its memory holds more than one batch (`len(memory) > batch_size`).
    if (this.steps % config.updateEvery !== 0 || this.buffer.size <= config.batchSize) return {};
    const factor = this.learningRateFactor;
    if (factor <= 0) return {};
    this.actorOptimizer.learningRate = config.actorLearningRate * factor;
    this.criticOptimizer.learningRate = config.criticLearningRate * factor;
    let actorLoss = 0;
    let actorNorm = 0;
    for (let k = 0; k < config.actorUpdates; k++) {
      this.sampleBatch();
      const result = this.trainActor();
      actorLoss += result.loss;
      actorNorm += result.gradNorm;
      softUpdate(this.actor, this.actorTarget, config.tau);
      softUpdate(this.critic, this.criticTarget, config.tau);
    }
    let criticLoss = 0;
    let criticNorm = 0;
    let meanQ = 0;
    for (let k = 0; k < config.criticUpdates; k++) {
      this.sampleBatch();
      const result = this.trainCritic();
      criticLoss += result.loss;
      criticNorm += result.gradNorm;
      meanQ += result.meanQ;
      softUpdate(this.critic, this.criticTarget, config.tau);
    }
    this.rounds++;
    const metrics: Metrics = { "learning-rate": config.actorLearningRate * factor };
    if (config.actorUpdates > 0) {
      metrics["loss/actor"] = actorLoss / config.actorUpdates;
      metrics["grad/actor-norm"] = actorNorm / config.actorUpdates;
    }
    if (config.criticUpdates > 0) {
      metrics["loss/critic"] = criticLoss / config.criticUpdates;
      metrics["grad/critic-norm"] = criticNorm / config.criticUpdates;
      metrics["q/mean"] = meanQ / config.criticUpdates;
    }
    return metrics;
  }

  state(): LearnerState {
    return {
      algorithm: this.variant,
      steps: this.steps,
      rounds: this.rounds,
      rng: this.rng.getState(),
      ...encodeModules(this.modules()),
      actorOptimizer: this.actorOptimizer.getState(),
      criticOptimizer: this.criticOptimizer.getState(),
      buffer: this.buffer.state(),
    };
  }

  /** The networks, keyed as in the saved state. */
  private modules() {
    const { actor, actorTarget, critic, criticTarget } = this;
    return { actor, actorTarget, critic, criticTarget };
  }

  load(state: LearnerState): void {
    const where = `${this.variant}.load`;
    if (state.algorithm !== this.variant)
      throw new RangeError(`${where}: the state is of "${state.algorithm}"`);
    loadModules(state, this.modules(), where);
    this.actorOptimizer.setState(state.actorOptimizer as AdamState);
    this.criticOptimizer.setState(state.criticOptimizer as AdamState);
    this.buffer.load(state.buffer as ReplayBufferState);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.rounds = state.rounds as number;
  }

  dispose(): void {
    for (const module of Object.values(this.modules())) module.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  /**
   * Draws a minibatch; for MADDPGS permutes its agents (one permutation per minibatch, as PIC);
   * then writes the one-hot actions, team rewards and bootstrap masks.
   */
  private sampleBatch(): void {
    const batch = this.buffer.sample(
      this.batch,
      this.rng,
      this.batchIndices,
      this.config.sampleWithoutReplacement,
    );
    const n = this.numAgents;
    const a = this.numActions;
    if (this.variant === "maddpgs") {
      for (let k = 0; k < n; k++) this.permutation[k] = k;
      this.rng.shuffle(this.permutation);
      for (let b = 0; b < batch.size; b++) {
        this.permuteAgents(batch.obs, b, this.obsDim);
        this.permuteAgents(batch.nextObs, b, this.obsDim);
        this.permuteAgents(batch.actions, b, 1);
      }
    }
    this.oneHotActions.fill(0);
    for (let b = 0; b < batch.size; b++) {
      let reward = 0;
      let ended = 0;
      for (let k = 0; k < n; k++) {
        const row = b * n + k;
        this.oneHotActions[row * a + batch.actions[row]] = 1;
        reward += batch.rewards[row];
        ended = Math.max(ended, batch.terminated[row]);
      }
      this.teamRewards[b] = reward / n;
      this.notDone[b] = 1 - ended;
    }
  }

  /** The sampled minibatch's [o_k, one-hot a_k] rows, [B·N·(obsDim + |A|)]. */
  private storedCriticRows(): Float32Array {
    const { numAgents: n, numActions: a, obsDim } = this;
    const rows = this.batch.size * n;
    const out = this.criticRows;
    for (let row = 0; row < rows; row++) {
      const target = row * (obsDim + a);
      out.set(this.batch.obs.subarray(row * obsDim, (row + 1) * obsDim), target);
      out.set(this.oneHotActions.subarray(row * a, (row + 1) * a), target + obsDim);
    }
    return out;
  }

  /** Row b's agent slots k ← agent permutation[k], in place. */
  private permuteAgents(data: Float32Array, b: number, width: number): void {
    const n = this.numAgents;
    const block = data.subarray(b * n * width, (b + 1) * n * width);
    const scratch = this.permuted.subarray(0, n * width);
    for (let k = 0; k < n; k++) {
      const source = this.permutation[k] * width;
      scratch.set(block.subarray(source, source + width), k * width);
    }
    block.set(scratch);
  }

  /** Actions for [B·N, |A|] logits as the updates use them (see `trainNoise`, `straightThrough`). */
  private updateActions(logits: tf.Tensor2D): tf.Tensor2D {
    const { trainNoise, straightThrough } = this.config;
    return gumbelSoftmax(logits, { rng: trainNoise ? this.rng : undefined, hard: straightThrough });
  }

  private trainCritic() {
    const { config, numAgents: n, numActions: a, obsDim } = this;
    const rows = config.batchSize;
    const batch = this.batch;
    const targets = tf.tidy(() => {
      const nextObs = tf.tensor2d(batch.nextObs, [rows * n, obsDim]);
      const actor = config.useTargetActor ? this.actorTarget : this.actor;
      const nextActions = this.updateActions(actor.apply(nextObs));
      const nextQ = this.criticTarget.apply(criticInput(nextObs, nextActions, rows, n));
      const bootstrap = tf.mul(tf.mul(nextQ, tf.tensor1d(this.notDone)), config.discount);
      return tf.add(tf.tensor1d(this.teamRewards), bootstrap);
    });
    // Stored observations and actions: the critic's rows are interleaved on the host, one upload.
    const input = tf.tensor3d(this.storedCriticRows(), [rows, n, obsDim + a]);
    const reads: tf.Tensor[] = [];
    const { loss, gradNorm, read } = this.criticOptimizer.minimize(() => {
      const q = this.critic.apply(input, { inputGradient: false }); // stored data: no input gradient
      reads.push(tf.keep(tf.mean(q)));
      return tf.mean(tf.square(tf.sub(q, targets)));
    }, reads);
    tf.dispose([targets, input]);
    return { loss, gradNorm, meanQ: read[0] as number };
  }

  private trainActor() {
    const { config, numAgents: n, obsDim } = this;
    const rows = config.batchSize;
    const obs = tf.tensor2d(this.batch.obs, [rows * n, obsDim]);
    const result = this.actorOptimizer.minimize(() => {
      const logits = this.actor.apply(obs);
      // Only the actor is differentiated: the critic passes gradients to the actions but skips
      // its own weight gradients (the largest matMuls of the backward pass).
      const q = withFrozenWeights([this.critic], () =>
        this.critic.apply(criticInput(obs, this.updateActions(logits), rows, n)),
      );
      return tf.add(tf.neg(tf.mean(q)), tf.mul(tf.mean(tf.square(logits)), config.logitRegularization));
    });
    obs.dispose();
    return result;
  }
}

/**
 * [B·N, obsDim] observations and [B·N, |A|] actions → the critic's [B, N, obsDim + |A|] rows. The
 * observations are data: only the actions get a gradient.
 */
function criticInput(obs: tf.Tensor2D, actions: tf.Tensor2D, rows: number, n: number): tf.Tensor3D {
  return tf.reshape(concatColumns([obs, actions], [false, true]), [rows, n, obs.shape[1] + actions.shape[1]]);
}

export const maddpgAlgorithm = defineAlgorithm({
  id: "maddpg",
  description:
    "MADDPG (PIC's code base): shared Gumbel-softmax actor, centralised MLP critic on all agents' [obs, action].",
  configSchema: maddpgConfigSchema,
  create: (envSpec, config, rng) => new MaddpgLearner("maddpg", envSpec, config, rng),
});

export const maddpgsAlgorithm = defineAlgorithm({
  id: "maddpgs",
  description:
    "MADDPGS: MADDPG with a random agent permutation of every minibatch (PIC's --shuffle shuffle).",
  configSchema: maddpgConfigSchema,
  create: (envSpec, config, rng) => new MaddpgLearner("maddpgs", envSpec, config, rng),
});

export const picAlgorithm = defineAlgorithm({
  id: "pic",
  description: "PIC: MADDPG with a permutation-invariant graph critic (gcn_max) over all agents.",
  configSchema: picConfigSchema,
  create: (envSpec, config, rng) => new MaddpgLearner("pic", envSpec, config, rng),
});
