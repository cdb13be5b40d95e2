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
 * Recurrent (GRU) policies, used by DIALS for the warehouse, are not implemented here: the
 * warehouse runs this feed-forward policy (a stated deviation).
 */
import type { Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { Dense, Module, type NamedWeight } from "@netmarl/graph-nn";
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
    /** Transitions per update (`memory_size`). */
    memorySize: z.number().int().positive().default(128),
    /** Passes over the memory per update (`num_epoch`). */
    epochs: z.number().int().positive().default(3),
    /** Transitions per minibatch (`batch_size`). */
    batchSize: z.number().int().positive().default(32),
  })
  .strict();

export type PpoAgentConfig = z.output<typeof ppoAgentConfigSchema>;

/** Actor and critic on a shared two-layer ReLU trunk. */
export class PpoNetwork extends Module {
  private readonly layers: Dense[];
  private readonly actor: Dense;
  private readonly critic: Dense;
  readonly numActions: number;

  constructor(obsDim: number, numActions: number, hiddenSizes: readonly [number, number], rng: Rng) {
    super();
    this.numActions = numActions;
    this.layers = [
      this.addChild(
        "trunk.0",
        new Dense({ inputSize: obsDim, outputSize: hiddenSizes[0], activation: "relu" }, rng.fork(0)),
      ),
      this.addChild(
        "trunk.1",
        new Dense({ inputSize: hiddenSizes[0], outputSize: hiddenSizes[1], activation: "relu" }, rng.fork(1)),
      ),
    ];
    this.actor = this.addChild(
      "actor",
      new Dense({ inputSize: hiddenSizes[1], outputSize: numActions }, rng.fork(2)),
    );
    this.critic = this.addChild(
      "critic",
      new Dense({ inputSize: hiddenSizes[1], outputSize: 1 }, rng.fork(3)),
    );
  }

  /** observations [rows, obs] → logits [rows, |A|] and values [rows]. */
  apply(observations: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    return tf.tidy(() => {
      const features = this.layers.reduce((h, layer) => layer.apply(h), observations);
      return {
        logits: this.actor.apply(features),
        values: tf.reshape(this.critic.apply(features), [-1]) as tf.Tensor1D,
      };
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

  constructor(obsDim: number, numActions: number, config: PpoAgentConfig, rng: Rng) {
    if (config.memorySize % config.rolloutSteps !== 0) {
      throw new RangeError(
        `PpoAgent: memorySize = ${config.memorySize} is not a multiple of rolloutSteps = ${config.rolloutSteps}`,
      );
    }
    if (config.batchSize > config.memorySize) {
      throw new RangeError(
        `PpoAgent: batchSize = ${config.batchSize}; expected <= memorySize = ${config.memorySize}`,
      );
    }
    this.obsDim = obsDim;
    this.config = config;
    this.network = new PpoNetwork(obsDim, numActions, config.hiddenSizes, rng.fork("network"));
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
  }

  /**
   * Samples an action for `observation` (uniforms from `rng`, by default the agent's own stream;
   * evaluation passes its own) and remembers its value and log-probability.
   */
  act(observation: Float32Array, rng: Rng = this.rng): number {
    const numActions = this.network.numActions;
    const output = tf.tidy(() => {
      const { logits, values } = this.network.apply(tf.tensor2d(observation, [1, this.obsDim]));
      return tf.concat([tf.reshape(logits, [-1]), values]);
    });
    const data = output.dataSync();
    output.dispose();
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
    this.steps++;
  }

  /**
   * Closes the rollout: GAE from this agent's own `nextObservation`'s value; updates when the memory
   * is full. Returns the update's metrics, or undefined.
   */
  endRollout(nextObservation: Float32Array): PpoUpdateMetrics | undefined {
    const bootstrap = tf.tidy(
      () =>
        this.network.apply(tf.tensor2d(nextObservation.subarray(0, this.obsDim), [1, this.obsDim])).values,
    );
    let nextValue = bootstrap.dataSync()[0];
    bootstrap.dispose();
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
    const order = Int32Array.from({ length: memorySize }, (_, i) => i);
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
      for (let i = memorySize - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      for (let start = 0; start + batchSize <= memorySize; start += batchSize) {
        let mean = 0;
        for (let b = 0; b < batchSize; b++) {
          const t = order[start + b];
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
          const observations = tf.tensor2d(batchObs, [batchSize, this.obsDim]);
          const actionMask = tf.tensor2d(oneHot, [batchSize, this.network.numActions]);
          const advantages = tf.tensor1d(batchAdvantages);
          const returns = tf.tensor1d(batchReturns);
          const oldValues = tf.tensor1d(batchValues);
          const oldLogProbs = tf.tensor1d(batchLogProbs);
          this.optimizer.minimize(() => {
            const { logits, values } = this.network.apply(observations);
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
    this.rng = RngClass.fromState(state.rng);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.network.dispose();
  }
}
