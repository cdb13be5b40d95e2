/**
 * # MAPPO / IPPO (Yu et al. 2022; de Witt et al. 2020)
 *
 * PPO with parameter sharing across agents: a categorical actor on each agent's observation
 * (+ one-hot agent id) and a critic on the global state (MAPPO, centralised) or on the agent's own
 * observation (IPPO). Each update: GAE(λ) over a rollout of `rolloutSteps` environment steps, then
 * `epochs` passes of `numMiniBatches` minibatches minimising
 *   policy: −E[min(ρA, clip(ρ, 1 ± ε)A)] − c_H·H(π)        (advantages normalised)
 *   value:  max(huber(R − V), huber(R − V_clipped))        (V_clipped = V_old + clip(V − V_old, ±ε))
 * with separate Adam optimisers for actor and critic and global-norm clipping.
 *
 * Defaults from `marlbenchmark/on-policy` (`config.py`, `r_mappo.py`; spec §5.3): hidden 64 × 2,
 * lr 5e-4, Adam ε 1e-5, clip 0.2, 15 epochs, 1 minibatch, entropy 0.01, value coefficient 1,
 * Huber δ 10, value clipping, max grad norm 10, γ 0.99, λ 0.95. Deviations: no ValueNorm, no
 * LayerNorm/orthogonal init, no recurrent policy; one environment copy (the original runs 32
 * rollout threads — lengthen `rolloutSteps` to match its batch size).
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { MLP } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { RolloutBuffer, type RolloutBufferState } from "../../buffers/rollout-buffer.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import { Adam, type AdamState } from "../../optim/adam.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { argmax, sampleCategorical } from "../action-selection.js";
import { huberLoss, ppoConfigFields } from "./ppo-config-fields.js";

const configSchema = z
  .object({
    ...ppoConfigFields,
    /** Hidden widths of actor and critic. */
    hiddenSizes: z.array(z.number().int().min(1)).default([64, 64]),
    /** Critic on the global state (MAPPO) or on the agent's own observation (IPPO). */
    centralisedCritic: z.boolean().default(true),
  })
  .strict();

export type MappoConfig = z.output<typeof configSchema>;

export class MappoLearner implements Learner {
  private readonly actor: MLP;
  private readonly critic: MLP;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly buffer: RolloutBuffer;
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly actorInputSize: number;
  private readonly criticInputSize: number;
  private readonly usesState: boolean;
  private readonly actions: Int32Array;
  private readonly actorInput: Float32Array;
  private readonly criticInput: Float32Array;
  private readonly lastNextObs: Float32Array;
  private readonly lastNextState: Float32Array;
  private steps = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: MappoConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`mappo: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    const n = spec.numAgents;
    this.numAgents = n;
    this.numActions = spec.actionSpace.n;
    this.usesState = config.centralisedCritic && spec.stateDim > 0;
    const criticFeatures = !config.centralisedCritic
      ? spec.obsDim
      : this.usesState
        ? spec.stateDim
        : n * spec.obsDim;
    this.actorInputSize = spec.obsDim + n;
    this.criticInputSize = criticFeatures + n;
    this.actor = new MLP(
      { inputSize: this.actorInputSize, hiddenSizes: config.hiddenSizes, outputSize: this.numActions },
      rng.fork("actor"),
    );
    this.critic = new MLP(
      { inputSize: this.criticInputSize, hiddenSizes: config.hiddenSizes, outputSize: 1 },
      rng.fork("critic"),
    );
    this.actorOptimizer = new Adam(this.actor.trainableVariables(), {
      learningRate: config.learningRate,
      epsilon: 1e-5,
      maxGradNorm: config.maxGradNorm,
    });
    this.criticOptimizer = new Adam(this.critic.trainableVariables(), {
      learningRate: config.criticLearningRate,
      epsilon: 1e-5,
      maxGradNorm: config.maxGradNorm,
    });
    this.buffer = new RolloutBuffer({
      steps: config.rolloutSteps,
      numEnvs: 1,
      numAgents: n,
      obsDim: spec.obsDim,
      actionSize: 1,
      stateDim: this.usesState ? spec.stateDim : 0,
    });
    this.actions = new Int32Array(n);
    this.actorInput = new Float32Array(n * this.actorInputSize);
    this.criticInput = new Float32Array(n * this.criticInputSize);
    this.lastNextObs = new Float32Array(n * spec.obsDim);
    this.lastNextState = new Float32Array(spec.stateDim);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    this.writeActorInput(observations, 1, this.actorInput);
    const logits = tf.tidy(
      () =>
        this.actor
          .apply(tf.tensor2d(this.actorInput, [this.numAgents, this.actorInputSize]))
          .dataSync() as Float32Array,
    );
    for (let agent = 0; agent < this.numAgents; agent++) {
      this.actions[agent] = options.explore
        ? sampleCategorical(logits, agent * this.numActions, this.numActions, this.rng)
        : argmax(logits, agent * this.numActions, this.numActions);
    }
    return this.actions;
  }

  observe(t: Transition): void {
    const n = this.numAgents;
    const logProbs = this.logProbsOf(t.obs, t.actions);
    const values = this.valuesOf(t.obs, t.state);
    let truncationValues: Float32Array | undefined;
    if (t.truncated.some((flag, i) => flag === 1 && t.terminated[i] === 0))
      truncationValues = this.valuesOf(t.nextObs, t.nextState);
    this.buffer.add({
      obs: t.obs,
      state: this.usesState ? t.state : undefined,
      actions: t.actions,
      logProbs,
      values,
      rewards: t.rewards,
      terminated: t.terminated,
      truncated: t.truncated,
      truncationValues,
    });
    this.lastNextObs.set(t.nextObs.subarray(0, n * this.spec.obsDim));
    if (t.nextState && this.spec.stateDim > 0) this.lastNextState.set(t.nextState);
    this.steps++;
  }

  update(): Metrics {
    if (!this.buffer.full) return {};
    const { config } = this;
    this.buffer.computeAdvantages(
      this.valuesOf(this.lastNextObs, this.lastNextState),
      config.discount,
      config.gaeLambda,
    );
    const samples = this.buffer.steps * this.numAgents;
    const actorInputs = new Float32Array(samples * this.actorInputSize);
    this.writeActorInput(this.buffer.obs, this.buffer.steps, actorInputs);
    const criticInputs = new Float32Array(samples * this.criticInputSize);
    for (let step = 0; step < this.buffer.steps; step++) {
      const obs = this.buffer.obs.subarray(
        step * this.numAgents * this.spec.obsDim,
        (step + 1) * this.numAgents * this.spec.obsDim,
      );
      const state = this.buffer.globalState.subarray(
        step * this.spec.stateDim,
        (step + 1) * this.spec.stateDim,
      );
      this.writeCriticInput(obs, state, criticInputs.subarray(step * this.numAgents * this.criticInputSize));
    }
    const advantages = normalise(this.buffer.advantages);
    const order = Int32Array.from({ length: samples }, (_, i) => i);
    const batchSize = Math.floor(samples / config.numMiniBatches);
    const totals = { policy: 0, value: 0, entropy: 0, clipFraction: 0, approxKl: 0 };
    let passes = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      this.rng.shuffle(order);
      for (let m = 0; m < config.numMiniBatches; m++) {
        const indices = order.subarray(m * batchSize, (m + 1) * batchSize);
        const result = this.trainMinibatch(indices, actorInputs, criticInputs, advantages);
        totals.policy += result.policy;
        totals.value += result.value;
        totals.entropy += result.entropy;
        totals.clipFraction += result.clipFraction;
        totals.approxKl += result.approxKl;
        passes++;
      }
    }
    this.buffer.clear();
    return {
      "loss/policy": totals.policy / passes,
      "loss/value": totals.value / passes,
      "loss/entropy": totals.entropy / passes,
      "ppo/clip-fraction": totals.clipFraction / passes,
      "ppo/approx-kl": totals.approxKl / passes,
    };
  }

  state(): LearnerState {
    return {
      algorithm: "mappo",
      steps: this.steps,
      rng: this.rng.getState(),
      ...encodeModules({ actor: this.actor, critic: this.critic }),
      actorOptimizer: this.actorOptimizer.getState(),
      criticOptimizer: this.criticOptimizer.getState(),
      buffer: this.buffer.state(),
      lastNextObs: Array.from(this.lastNextObs),
      lastNextState: Array.from(this.lastNextState),
    };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "mappo") throw new RangeError(`mappo.load: the state is of "${state.algorithm}"`);
    loadModules(state, { actor: this.actor, critic: this.critic }, "mappo.load");
    this.actorOptimizer.setState(state.actorOptimizer as AdamState);
    this.criticOptimizer.setState(state.criticOptimizer as AdamState);
    this.buffer.load(state.buffer as RolloutBufferState);
    this.lastNextObs.set(state.lastNextObs as number[]);
    this.lastNextState.set(state.lastNextState as number[]);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  private trainMinibatch(
    indices: Int32Array,
    actorInputs: Float32Array,
    criticInputs: Float32Array,
    advantages: Float32Array,
  ) {
    const { config, numActions } = this;
    const rows = indices.length;
    const actorRows = gatherRows(actorInputs, this.actorInputSize, indices);
    const criticRows = gatherRows(criticInputs, this.criticInputSize, indices);
    const pick = (source: Float32Array) => Float32Array.from(indices, (i) => source[i]);
    const [x, c, mask, oldLogProb, advantage, returns, oldValues] = tf.tidy(() => [
      tf.tensor2d(actorRows, [rows, this.actorInputSize]),
      tf.tensor2d(criticRows, [rows, this.criticInputSize]),
      tf.oneHot(
        tf.tensor1d(
          Int32Array.from(indices, (i) => this.buffer.actions[i]),
          "int32",
        ),
        numActions,
      ),
      tf.tensor1d(pick(this.buffer.logProbs)),
      tf.tensor1d(pick(advantages)),
      tf.tensor1d(pick(this.buffer.returns)),
      tf.tensor1d(pick(this.buffer.values)),
    ]);
    let entropy = 0;
    let clipFraction = 0;
    let approxKl = 0;
    const policy = this.actorOptimizer.minimize(() => {
      const logProbs = tf.logSoftmax(this.actor.apply(x as tf.Tensor2D));
      const logProb = tf.sum(tf.mul(logProbs, mask), 1);
      const ratio = tf.exp(tf.sub(logProb, oldLogProb));
      const clipped = tf.clipByValue(ratio, 1 - config.clipRatio, 1 + config.clipRatio);
      const surrogate = tf.minimum(tf.mul(ratio, advantage), tf.mul(clipped, advantage));
      const meanEntropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)));
      entropy = meanEntropy.dataSync()[0];
      clipFraction = tf
        .mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipRatio), "float32"))
        .dataSync()[0];
      approxKl = tf.mean(tf.sub(oldLogProb, logProb)).dataSync()[0];
      return tf.sub(tf.neg(tf.mean(surrogate)), tf.mul(meanEntropy, config.entropyCoefficient));
    });
    const value = this.criticOptimizer.minimize(() => {
      const v = tf.squeeze(this.critic.apply(c as tf.Tensor2D), [1]);
      const loss = huberLoss(tf.sub(returns, v), config.huberDelta);
      if (!config.clipValueLoss) return tf.mul(tf.mean(loss), config.valueLossCoefficient);
      const vClipped = tf.add(
        oldValues,
        tf.clipByValue(tf.sub(v, oldValues), -config.clipRatio, config.clipRatio),
      );
      const lossClipped = huberLoss(tf.sub(returns, vClipped), config.huberDelta);
      return tf.mul(tf.mean(tf.maximum(loss, lossClipped)), config.valueLossCoefficient);
    });
    tf.dispose([x, c, mask, oldLogProb, advantage, returns, oldValues]);
    return { policy: policy.loss, value: value.loss, entropy, clipFraction, approxKl };
  }

  private logProbsOf(observations: Float32Array, actions: ArrayLike<number>): Float32Array {
    this.writeActorInput(observations, 1, this.actorInput);
    const logits = tf.tidy(
      () =>
        tf
          .logSoftmax(this.actor.apply(tf.tensor2d(this.actorInput, [this.numAgents, this.actorInputSize])))
          .dataSync() as Float32Array,
    );
    return Float32Array.from(
      { length: this.numAgents },
      (_, agent) => logits[agent * this.numActions + actions[agent]],
    );
  }

  private valuesOf(observations: Float32Array, state: Float32Array | undefined): Float32Array {
    this.writeCriticInput(observations, state ?? new Float32Array(0), this.criticInput);
    return tf.tidy(
      () =>
        this.critic
          .apply(tf.tensor2d(this.criticInput, [this.numAgents, this.criticInputSize]))
          .dataSync() as Float32Array,
    );
  }

  /** [rows × N × obsDim] → actor inputs [rows × N × (obsDim + N)] with the one-hot agent id. */
  private writeActorInput(observations: Float32Array, rows: number, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    for (let row = 0; row < rows * n; row++) {
      const base = row * this.actorInputSize;
      out.set(observations.subarray(row * obsDim, (row + 1) * obsDim), base);
      out.fill(0, base + obsDim, base + this.actorInputSize);
      out[base + obsDim + (row % n)] = 1;
    }
  }

  /** One step's critic inputs for all N agents: [features, one-hot id]. */
  private writeCriticInput(observations: Float32Array, state: Float32Array, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    const features = this.criticInputSize - n;
    for (let agent = 0; agent < n; agent++) {
      const base = agent * this.criticInputSize;
      if (!this.config.centralisedCritic)
        out.set(observations.subarray(agent * obsDim, (agent + 1) * obsDim), base);
      else if (this.usesState) out.set(state.subarray(0, features), base);
      else out.set(observations.subarray(0, n * obsDim), base);
      out.fill(0, base + features, base + this.criticInputSize);
      out[base + features + agent] = 1;
    }
  }
}

function normalise(values: Float32Array): Float32Array {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length) + 1e-8;
  return Float32Array.from(values, (v) => (v - mean) / std);
}

function gatherRows(source: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let r = 0; r < indices.length; r++)
    out.set(source.subarray(indices[r] * width, (indices[r] + 1) * width), r * width);
  return out;
}

export const mappoAlgorithm = defineAlgorithm({
  id: "mappo",
  description: "MAPPO: shared PPO actor, centralised critic on the global state, GAE, clipped value loss.",
  configSchema,
  create: (envSpec, config, rng) => new MappoLearner(envSpec, config, rng),
});

export const ippoAlgorithm = defineAlgorithm({
  id: "ippo",
  description: "IPPO: MAPPO with each agent's critic on its own observation.",
  configSchema,
  create: (envSpec, config, rng) => new MappoLearner(envSpec, { ...config, centralisedCritic: false }, rng),
});
