/**
 * # One DIALS agent: PPO with its own network (spec §4.4)
 *
 * Network (`recurrent_policies` `FNNPolicy`; sizes from `experiment.py` lines 85–90 with
 * `configs/traffic/DIALS.yaml` lines 29–30): Linear(obs, 256)-ReLU → Linear(256, 128)-ReLU →
 * actor Linear(128, |A|) logits and critic Linear(128, 1), the trunk shared. Weights
 * Glorot-uniform from the Rng (PyTorch's default init differs; no checkpoint is ported).
 *
 * Loop (`trainer.py` `train_single_agent` lines 8–37, `recurrent_policies/PPO/agent.py`): act,
 * store; every `rolloutSteps` (16 traffic, `configs/traffic/DIALS.yaml` line 7; 8 warehouse,
 * `configs/warehouse/DIALS.yaml` line 7) bootstrap from the agent's *own* next observation and
 * compute GAE (γ 0.99, λ 0.95; `configs/default.yaml` lines 19–20) over that rollout; when the
 * buffer holds `memorySize` = 128 transitions (line 23): `epochs` = 3 (line 18) passes of shuffled
 * minibatches of `batchSize` = 32 (line 22), advantages normalised per minibatch,
 *
 *     L = −mean(min(ρA, clip(ρ, 1 ± c)A)) + c1·mean(max((R − V)², (R − V_clip)²)) − β·mean(H)
 *
 * with V_clip = V_old + clip(V − V_old, ±c) (the *same* c), c1 = 1 (line 17), β = 0.01
 * (`configs/traffic/DIALS.yaml` line 21), no gradient clipping. Schedules linear in this agent's
 * actions taken over `scheduleSteps` = 4e6 (`total_steps`, line 10): lr 2.5e-4 (line 21) → 1e-10,
 * clip c 0.1 (`epsilon`, DIALS.yaml line 20) → 1e-5 (spec §4.4). Episode ends (the 300-step
 * time limit) stop the bootstrap, as the original's `done` does. Actions are sampled from the
 * categorical, also at evaluation (spec §4.4).
 *
 * `recurrent` (DIALS's `GRUPolicy`, the warehouse default): GRU(obs, 256) → Linear(256, 128)-ReLU;
 * the hidden state is stored with every transition and zeroed after an episode ends; updates shuffle
 * chunks of `sequenceLength` = 8 (`configs/warehouse/DIALS.yaml` line 19) and re-run each from its
 * stored hidden state, resetting it inside a chunk where an episode ended (spec §4.4, §6).
 */
import type { Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { Dense, GRUCell, Module, type NamedWeight } from "@netmarl/graph-nn";
import { Adam, type AdamState } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";

export const ppoAgentConfigSchema = z
  .object({
    /** Trunk widths (`hidden_size`, `hidden_size_2`). */
    hiddenSizes: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([256, 128]),
    /** Adam step size at the start of the schedule (`learning_rate`). */
    learningRate: z.number().positive().default(2.5e-4),
    /** Step size at the end of the linear schedule. */
    finalLearningRate: z.number().positive().default(1e-10),
    /** PPO clip c at the start (`epsilon`); also clips the value loss. */
    clipRange: z.number().positive().default(0.1),
    /** Clip at the end of the linear schedule. */
    finalClipRange: z.number().positive().default(1e-5),
    /** Length of both linear schedules, in this agent's actions (`total_steps`). */
    scheduleSteps: z.number().int().positive().default(4_000_000),
    /** Entropy bonus β (`beta`). */
    entropyCoefficient: z.number().min(0).default(0.01),
    /** Value-loss weight c1 (`c1`). */
    valueCoefficient: z.number().min(0).default(1),
    /** Discount γ (`gamma`). */
    discount: z.number().min(0).max(1).default(0.99),
    /** GAE λ (`lambda`). */
    gaeLambda: z.number().min(0).max(1).default(0.95),
    /** Steps between bootstraps (`rollout_steps`: 16 traffic, 8 warehouse). */
    rolloutSteps: z.number().int().positive().default(16),
    /** GRU trunk (DIALS's `GRUPolicy`, the warehouse) instead of the first ReLU layer (`FNNPolicy`). */
    recurrent: z.boolean().default(false),
    /** Length of the chunks a recurrent policy is trained on (`seq_len`: 8 warehouse). */
    sequenceLength: z.number().int().positive().default(8),
    /** Transitions per update (`memory_size`). */
    memorySize: z.number().int().positive().default(128),
    /** Passes over the memory per update (`num_epoch`). */
    epochs: z.number().int().positive().default(3),
    /** Transitions per minibatch (`batch_size`). */
    batchSize: z.number().int().positive().default(32),
  })
  .strict();

export type PpoAgentConfig = z.output<typeof ppoAgentConfigSchema>;

/**
 * Actor and critic on a shared trunk: Linear-ReLU → Linear-ReLU (`FNNPolicy`), or GRU →
 * Linear-ReLU (`GRUPolicy`, hidden state reset by the done mask).
 */
export class PpoNetwork extends Module {
  private readonly first: Dense | GRUCell;
  private readonly second: Dense;
  private readonly actor: Dense;
  private readonly critic: Dense;
  readonly numActions: number;
  readonly recurrent: boolean;
  readonly memorySize: number;

  constructor(
    obsDim: number,
    numActions: number,
    hiddenSizes: readonly [number, number],
    recurrent: boolean,
    rng: Rng,
  ) {
    super();
    this.numActions = numActions;
    this.recurrent = recurrent;
    this.memorySize = recurrent ? hiddenSizes[0] : 0;
    this.first = this.addChild(
      "trunk.0",
      recurrent
        ? new GRUCell({ inputSize: obsDim, hiddenSize: hiddenSizes[0] }, rng.fork(0))
        : new Dense({ inputSize: obsDim, outputSize: hiddenSizes[0], activation: "relu" }, rng.fork(0)),
    );
    this.second = this.addChild(
      "trunk.1",
      new Dense({ inputSize: hiddenSizes[0], outputSize: hiddenSizes[1], activation: "relu" }, rng.fork(1)),
    );
    this.actor = this.addChild(
      "actor",
      new Dense({ inputSize: hiddenSizes[1], outputSize: numActions }, rng.fork(2)),
    );
    this.critic = this.addChild(
      "critic",
      new Dense({ inputSize: hiddenSizes[1], outputSize: 1 }, rng.fork(3)),
    );
  }

  private heads(features: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    const trunk = this.second.apply(features);
    return {
      logits: this.actor.apply(trunk),
      values: tf.reshape(this.critic.apply(trunk), [-1]) as tf.Tensor1D,
    };
  }

  /** Feed-forward: observations [rows, obs] → logits [rows, |A|] and values [rows]. */
  apply(observations: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    if (this.first instanceof GRUCell) throw new Error("PpoNetwork.apply: recurrent network; use step()");
    const first = this.first;
    return tf.tidy(() => this.heads(first.apply(observations)));
  }

  /** Recurrent, one step: observations [B, obs] and hidden [B, H] → heads and the next hidden state. */
  step(
    observations: tf.Tensor2D,
    hidden: tf.Tensor2D,
  ): { logits: tf.Tensor2D; values: tf.Tensor1D; hidden: tf.Tensor2D } {
    if (!(this.first instanceof GRUCell))
      throw new Error("PpoNetwork.step: feed-forward network; use apply()");
    const gru = this.first;
    return tf.tidy(() => {
      const next = gru.step(observations, hidden);
      return { ...this.heads(next), hidden: next };
    });
  }

  /**
   * Recurrent, chunks: observations [T, B, obs] from hidden states h0 [B, H], `resets` [T, B] (1 =
   * an episode ended before step t) → logits [T × B, |A|] and values [T × B], time-major.
   */
  applySequence(
    observations: tf.Tensor3D,
    h0: tf.Tensor2D,
    resets: tf.Tensor2D,
  ): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    if (!(this.first instanceof GRUCell)) throw new Error("PpoNetwork.applySequence: feed-forward network");
    const gru = this.first;
    return tf.tidy(() => {
      const [time, batch] = observations.shape;
      const { outputs } = gru.unroll(observations, h0, resets);
      return this.heads(tf.reshape(outputs, [time * batch, this.memorySize]));
    });
  }
}

/** Everything an agent needs to continue exactly: weights, optimiser, buffer, counters, Rng. */
export interface PpoAgentState {
  weights: NamedWeight[];
  optimizer: AdamState;
  steps: number;
  updates: number;
  size: number;
  segmentStart: number;
  observations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  dones: Uint8Array;
  values: Float32Array;
  logProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  hiddenStates: Float32Array;
  hidden: Float32Array;
  rng: RngState;
}

/** Named terms of the last update (means over its minibatches). */
export interface PpoUpdateMetrics {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
}

export class PpoAgent {
  readonly network: PpoNetwork;
  readonly obsDim: number;
  readonly config: PpoAgentConfig;
  private readonly optimizer: Adam;
  private rng: Rng;
  /** Actions taken (drives the schedules). */
  steps = 0;
  updates = 0;
  private size = 0;
  private segmentStart = 0;
  private readonly observations: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Uint8Array;
  private readonly values: Float32Array;
  private readonly logProbs: Float32Array;
  private readonly advantages: Float32Array;
  private readonly returns: Float32Array;
  private lastValue = 0;
  private lastLogProb = 0;
  private readonly probabilities: Float32Array;
  /** Recurrent policies: the hidden state now, before the last act, and at every stored step. */
  private readonly hidden: Float32Array;
  private readonly lastHidden: Float32Array;
  private readonly hiddenStates: Float32Array;

  constructor(obsDim: number, numActions: number, config: PpoAgentConfig, rng: Rng) {
    if (config.memorySize % config.rolloutSteps !== 0) {
      throw new RangeError(
        `PpoAgent: memorySize = ${config.memorySize} is not a multiple of rolloutSteps = ${config.rolloutSteps}`,
      );
    }
    const chunk = config.recurrent ? config.sequenceLength : 1;
    if (config.memorySize % chunk !== 0 || config.batchSize % chunk !== 0) {
      throw new RangeError(
        `PpoAgent: memorySize = ${config.memorySize} and batchSize = ${config.batchSize} must be multiples of sequenceLength = ${chunk}`,
      );
    }
    if (config.batchSize > config.memorySize) {
      throw new RangeError(
        `PpoAgent: batchSize = ${config.batchSize}; expected <= memorySize = ${config.memorySize}`,
      );
    }
    this.obsDim = obsDim;
    this.config = config;
    this.network = new PpoNetwork(
      obsDim,
      numActions,
      config.hiddenSizes,
      config.recurrent,
      rng.fork("network"),
    );
    this.optimizer = new Adam(this.network.trainableVariables(), { learningRate: config.learningRate });
    this.rng = rng.fork("ppo");
    const m = config.memorySize;
    this.observations = new Float32Array(m * obsDim);
    this.actions = new Int32Array(m);
    this.rewards = new Float32Array(m);
    this.dones = new Uint8Array(m);
    this.values = new Float32Array(m);
    this.logProbs = new Float32Array(m);
    this.advantages = new Float32Array(m);
    this.returns = new Float32Array(m);
    this.probabilities = new Float32Array(numActions);
    const memory = this.network.memorySize;
    this.hidden = new Float32Array(memory);
    this.lastHidden = new Float32Array(memory);
    this.hiddenStates = new Float32Array(m * memory);
  }

  /** Zeroes a recurrent policy's hidden state (every episode start; `reset_hidden_memory`). */
  resetMemory(): void {
    this.hidden.fill(0);
  }

  /** Logits and value for one observation; a recurrent policy advances its hidden state when `advance`. */
  private forward(observation: Float32Array, advance: boolean): Float32Array {
    const x = () => tf.tensor2d(observation.subarray(0, this.obsDim), [1, this.obsDim]);
    if (!this.network.recurrent) {
      const output = tf.tidy(() => {
        const { logits, values } = this.network.apply(x());
        return tf.concat([tf.reshape(logits, [-1]), values]);
      });
      const data = output.dataSync() as Float32Array;
      output.dispose();
      return data;
    }
    const memory = this.network.memorySize;
    const output = tf.tidy(() => {
      const step = this.network.step(x(), tf.tensor2d(this.hidden, [1, memory]));
      return tf.concat([tf.reshape(step.logits, [-1]), step.values, tf.reshape(step.hidden, [-1])]);
    });
    const data = output.dataSync() as Float32Array;
    output.dispose();
    if (advance) {
      this.lastHidden.set(this.hidden);
      this.hidden.set(data.subarray(this.network.numActions + 1));
    }
    return data;
  }

  /**
   * Samples an action for `observation` (uniforms from `rng`, by default the agent's own stream;
   * evaluation passes its own) and remembers its value and log-probability.
   */
  act(observation: Float32Array, rng: Rng = this.rng): number {
    const numActions = this.network.numActions;
    const data = this.forward(observation, true);
    let max = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < numActions; a++) max = Math.max(max, data[a]);
    let sum = 0;
    for (let a = 0; a < numActions; a++) {
      this.probabilities[a] = Math.exp(data[a] - max);
      sum += this.probabilities[a];
    }
    let target = rng.uniform() * sum;
    let action = numActions - 1;
    for (let a = 0; a < numActions; a++) {
      target -= this.probabilities[a];
      if (target < 0) {
        action = a;
        break;
      }
    }
    this.lastLogProb = data[action] - max - Math.log(sum);
    this.lastValue = data[numActions];
    return action;
  }

  /** Stores the transition of the last {@link act}. `observation` is copied. */
  observe(observation: Float32Array, action: number, reward: number, done: boolean): void {
    if (this.size >= this.config.memorySize) {
      throw new Error("PpoAgent.observe: the memory is full; call endRollout() every rolloutSteps steps");
    }
    const i = this.size++;
    this.observations.set(observation.subarray(0, this.obsDim), i * this.obsDim);
    this.actions[i] = action;
    this.rewards[i] = reward;
    this.dones[i] = done ? 1 : 0;
    this.values[i] = this.lastValue;
    this.logProbs[i] = this.lastLogProb;
    const memory = this.network.memorySize;
    this.hiddenStates.set(this.lastHidden, i * memory);
    if (done) this.resetMemory();
    this.steps++;
  }

  /**
   * Closes the rollout: GAE from this agent's own `nextObservation`'s value; updates when the memory
   * is full. Returns the update's metrics, or undefined.
   */
  endRollout(nextObservation: Float32Array): PpoUpdateMetrics | undefined {
    let nextValue = this.forward(nextObservation, false)[this.network.numActions];
    const { discount, gaeLambda } = this.config;
    let gae = 0;
    for (let t = this.size - 1; t >= this.segmentStart; t--) {
      const live = 1 - this.dones[t];
      const delta = this.rewards[t] + discount * nextValue * live - this.values[t];
      gae = delta + discount * gaeLambda * live * gae;
      this.advantages[t] = gae;
      this.returns[t] = gae + this.values[t];
      nextValue = this.values[t];
    }
    this.segmentStart = this.size;
    if (this.size < this.config.memorySize) return undefined;
    const metrics = this.update();
    this.size = 0;
    this.segmentStart = 0;
    return metrics;
  }

  /** The linear schedule's value now. */
  private scheduled(start: number, end: number): number {
    const fraction = Math.min(1, this.steps / this.config.scheduleSteps);
    return Math.max(end, start + (end - start) * fraction);
  }

  private update(): PpoUpdateMetrics {
    const { memorySize, batchSize, epochs, entropyCoefficient, valueCoefficient } = this.config;
    const clip = this.scheduled(this.config.clipRange, this.config.finalClipRange);
    this.optimizer.learningRate = this.scheduled(this.config.learningRate, this.config.finalLearningRate);
    // Transitions are shuffled in chunks (of 1, or of `sequenceLength` for a GRU, which re-runs each
    // chunk from the hidden state stored at its start); minibatch rows are time-major within chunks.
    const chunk = this.network.recurrent ? this.config.sequenceLength : 1;
    const chunksPerBatch = batchSize / chunk;
    const memory = this.network.memorySize;
    const order = Int32Array.from({ length: memorySize / chunk }, (_, i) => i * chunk);
    const rows = new Int32Array(batchSize);
    const batchHidden = new Float32Array(chunksPerBatch * memory);
    const batchResets = new Float32Array(batchSize);
    const batchObs = new Float32Array(batchSize * this.obsDim);
    const batchActions = new Int32Array(batchSize);
    const batchAdvantages = new Float32Array(batchSize);
    const batchReturns = new Float32Array(batchSize);
    const batchValues = new Float32Array(batchSize);
    const batchLogProbs = new Float32Array(batchSize);
    const oneHot = new Float32Array(batchSize * this.network.numActions);
    const totals = { policyLoss: 0, valueLoss: 0, entropy: 0 };
    let count = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      for (let start = 0; start + chunksPerBatch <= order.length; start += chunksPerBatch) {
        for (let c = 0; c < chunksPerBatch; c++) {
          const first = order[start + c];
          batchHidden.set(this.hiddenStates.subarray(first * memory, (first + 1) * memory), c * memory);
          for (let k = 0; k < chunk; k++) {
            rows[k * chunksPerBatch + c] = first + k;
            batchResets[k * chunksPerBatch + c] = k > 0 && this.dones[first + k - 1] === 1 ? 1 : 0;
          }
        }
        let mean = 0;
        for (let b = 0; b < batchSize; b++) {
          const t = rows[b];
          batchObs.set(this.observations.subarray(t * this.obsDim, (t + 1) * this.obsDim), b * this.obsDim);
          batchActions[b] = this.actions[t];
          batchAdvantages[b] = this.advantages[t];
          batchReturns[b] = this.returns[t];
          batchValues[b] = this.values[t];
          batchLogProbs[b] = this.logProbs[t];
          mean += this.advantages[t] / batchSize;
        }
        let variance = 0;
        for (let b = 0; b < batchSize; b++) variance += (batchAdvantages[b] - mean) ** 2 / batchSize;
        const std = Math.sqrt(variance);
        for (let b = 0; b < batchSize; b++) batchAdvantages[b] = (batchAdvantages[b] - mean) / (std + 1e-8);
        oneHot.fill(0);
        for (let b = 0; b < batchSize; b++) oneHot[b * this.network.numActions + batchActions[b]] = 1;
        const terms: tf.Scalar[] = [];
        tf.tidy(() => {
          const observations = this.network.recurrent
            ? tf.tensor3d(batchObs, [chunk, chunksPerBatch, this.obsDim])
            : tf.tensor2d(batchObs, [batchSize, this.obsDim]);
          const h0 = this.network.recurrent ? tf.tensor2d(batchHidden, [chunksPerBatch, memory]) : undefined;
          const resets = this.network.recurrent
            ? tf.tensor2d(batchResets, [chunk, chunksPerBatch])
            : undefined;
          const actionMask = tf.tensor2d(oneHot, [batchSize, this.network.numActions]);
          const advantages = tf.tensor1d(batchAdvantages);
          const returns = tf.tensor1d(batchReturns);
          const oldValues = tf.tensor1d(batchValues);
          const oldLogProbs = tf.tensor1d(batchLogProbs);
          this.optimizer.minimize(() => {
            const { logits, values } =
              h0 === undefined || resets === undefined
                ? this.network.apply(observations as tf.Tensor2D)
                : this.network.applySequence(observations as tf.Tensor3D, h0, resets);
            const logProbsAll = tf.logSoftmax(logits);
            const logProbs = tf.sum(tf.mul(logProbsAll, actionMask), 1);
            const ratio = tf.exp(tf.sub(logProbs, oldLogProbs));
            const policyLoss = tf.neg(
              tf.mean(
                tf.minimum(
                  tf.mul(ratio, advantages),
                  tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantages),
                ),
              ),
            );
            const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clip, clip));
            const valueLoss = tf.mean(
              tf.maximum(tf.square(tf.sub(returns, values)), tf.square(tf.sub(returns, clippedValues))),
            );
            const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbsAll), logProbsAll), 1)));
            terms.push(
              tf.keep(policyLoss) as tf.Scalar,
              tf.keep(valueLoss) as tf.Scalar,
              tf.keep(entropy) as tf.Scalar,
            );
            return tf.sub(
              tf.add(policyLoss, tf.mul(valueLoss, valueCoefficient)),
              tf.mul(entropy, entropyCoefficient),
            );
          });
        });
        totals.policyLoss += terms[0].dataSync()[0];
        totals.valueLoss += terms[1].dataSync()[0];
        totals.entropy += terms[2].dataSync()[0];
        tf.dispose(terms);
        count++;
      }
    }
    this.updates++;
    return {
      policyLoss: totals.policyLoss / count,
      valueLoss: totals.valueLoss / count,
      entropy: totals.entropy / count,
    };
  }

  state(): PpoAgentState {
    return {
      weights: this.network.getWeights(),
      optimizer: this.optimizer.getState(),
      steps: this.steps,
      updates: this.updates,
      size: this.size,
      segmentStart: this.segmentStart,
      observations: this.observations.slice(),
      actions: this.actions.slice(),
      rewards: this.rewards.slice(),
      dones: this.dones.slice(),
      values: this.values.slice(),
      logProbs: this.logProbs.slice(),
      advantages: this.advantages.slice(),
      returns: this.returns.slice(),
      hiddenStates: this.hiddenStates.slice(),
      hidden: this.hidden.slice(),
      rng: this.rng.getState(),
    };
  }

  load(state: PpoAgentState): void {
    this.network.setWeights(state.weights);
    this.optimizer.setState(state.optimizer);
    this.steps = state.steps;
    this.updates = state.updates;
    this.size = state.size;
    this.segmentStart = state.segmentStart;
    this.observations.set(state.observations);
    this.actions.set(state.actions);
    this.rewards.set(state.rewards);
    this.dones.set(state.dones);
    this.values.set(state.values);
    this.logProbs.set(state.logProbs);
    this.advantages.set(state.advantages);
    this.returns.set(state.returns);
    this.hiddenStates.set(state.hiddenStates);
    this.hidden.set(state.hidden);
    this.rng = RngClass.fromState(state.rng);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.network.dispose();
  }
}
