/**
 * # MAPPO / IPPO, feed-forward and recurrent (Yu et al. 2022; de Witt et al. 2020)
 *
 * PPO with parameter sharing across agents: a categorical actor on each agent's observation and a
 * critic on the global state (MAPPO, centralised; all observations concatenated where the env has
 * no state, as on-policy's MPE `share_obs`) or on the agent's own observation (IPPO). Each update:
 * GAE(λ) over a rollout of `rolloutSteps` environment steps, then `epochs` passes of
 * `numMiniBatches` minibatches minimising
 *   policy: −E[min(ρA, clip(ρ, 1 ± ε)A)] − c_H·H(π)        (advantages normalised, std + 1e-5)
 *   value:  max(huber(R̂ − V), huber(R̂ − V_clipped))       (V_clipped = V_old + clip(V − V_old, ±ε))
 * with R̂ the normalised target, separate Adam optimisers for actor and critic, global-norm clipping.
 * `recurrent` is on-policy's rMAPPO: a GRU after the trunk of actor and critic whose hidden states
 * are stored with every step, zeroed where an episode ends, and trained on chunks of
 * `dataChunkLength` steps re-run from the stored state at each chunk's start.
 *
 * Defaults from `marlbenchmark/on-policy` (commit de66d7a), `onpolicy/config.py`: hidden_size 64 ×
 * (1 + layer_N 1) (lines 199–202), ReLU (203), `use_valuenorm` True / `use_popart` False (205–206),
 * `use_feature_normalization` True (207), `use_orthogonal` True and head gain 0.01 (209–211),
 * recurrent_N 1, data_chunk_length 10 (219–220), lr = critic_lr 5e-4, opti_eps 1e-5 (224–228),
 * ppo_epoch 15, clipped value loss, clip 0.2, num_mini_batch 1, entropy 0.01, value_loss_coef 1,
 * max_grad_norm 10 (241–255), γ 0.99, λ 0.95, `use_proper_time_limits` False (259–263), Huber δ 10
 * (265, 270). `mappo` is feed-forward and `rmappo` recurrent, as `train_mpe.py` lines 68–75 set
 * `use_recurrent_policy` from the algorithm name. No agent id is fed: on-policy's MPE observations
 * and share_obs carry none, nor does BNPG's coordination-game MAPPO (`agentIdInput` adds one).
 * The update order and the value normaliser's calls follow `r_mappo/r_mappo.py` (`cal_value_loss`
 * lines 52–89: `update(returns)` then `normalize` per minibatch; `train` lines 179–187).
 * MPE scripts override some of these (`train_mpe_spread.sh`: lr 7e-4, ppo_epoch 10, 128 threads,
 * and its `--use_ReLU` flag, a store_false, selects Tanh); set them in the suite.
 *
 * Deviations: one environment copy (the original runs 32 rollout threads — lengthen
 * `rolloutSteps` to match its batch); values are computed once per rollout at the update (the
 * weights do not change during a rollout, so they equal the original's per-step values); recurrent
 * chunks tile each agent's trajectory (`rolloutSteps` must be a multiple of `dataChunkLength`),
 * whereas `recurrent_generator` cuts the flattened [thread, agent, step] array every L entries,
 * which lets a chunk run from one agent's trajectory into the next one's when episode_length is
 * not a multiple of L; on-policy's output-rescaling PopArt (`algorithms/utils/popart.py`, off by
 * default) is not implemented — `"popart"` is BNPG's normaliser of that name.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { RolloutBuffer, type RolloutBufferState } from "../../buffers/rollout-buffer.js";
import { type ChunkMinibatch, writeChunkMinibatch } from "../../buffers/sequence-chunks.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import { Adam, type AdamState } from "../../optim/adam.js";
import { ValueNormalizer, type ValueNormalizerState } from "../../optim/value-normalizer.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { decodeTypedArrayInto, encodeTypedArray } from "../../persistence/typed-array-codec.js";
import { argmax, sampleCategorical } from "../action-selection.js";
import { MappoNetwork } from "./mappo-network.js";
import { huberLoss, ppoConfigFields } from "./ppo-config-fields.js";

const mappoConfigShape = {
  ...ppoConfigFields,
  /** Hidden widths of actor and critic trunks (hidden_size 64, layer_N 1); the last is the GRU's width. */
  hiddenSizes: z.array(z.number().int().min(1)).min(1).default([64, 64]),
  /** Critic on the global state (MAPPO) or on the agent's own observation (IPPO). */
  centralisedCritic: z.boolean().default(true),
  /** Adam ε (`opti_eps`). */
  adamEpsilon: z.number().gt(0).default(1e-5),
  /**
   * Value-target normalisation: `value-norm` (on-policy `ValueNorm`, updated once per minibatch),
   * `popart` (BNPG's `utils/popart.py`, the same statistics updated at both calls in
   * `cal_value_loss`), or `none`.
   */
  valueNormalization: z.enum(["value-norm", "popart", "none"]).default("value-norm"),
  /** LayerNorm on the input and after each hidden layer (`use_feature_normalization` + `MLPBase`). */
  layerNorm: z.boolean().default(true),
  /** Orthogonal init with zero biases, gain √2 hidden / 0.01 policy head / 1 value head (`use_orthogonal`). */
  orthogonalInit: z.boolean().default(true),
  /** A time-limit cut gets advantage 0 and return V (`use_proper_time_limits`); false: the cut is terminal. */
  useProperTimeLimits: z.boolean().default(false),
  /** Append a one-hot agent id to actor and critic inputs (on-policy's MPE and BNPG's MAPPO do not). */
  agentIdInput: z.boolean().default(false),
  /** GRU actor and critic trained on chunks from stored hidden states (`use_recurrent_policy`). */
  recurrent: z.boolean().default(false),
  /** Steps per training chunk of a recurrent policy (`data_chunk_length`). */
  dataChunkLength: z.number().int().min(1).default(10),
};

const configSchema = z.object(mappoConfigShape).strict();
const recurrentConfigSchema = z
  .object({
    ...mappoConfigShape,
    /** GRU actor and critic trained on chunks from stored hidden states (`use_recurrent_policy`). */
    recurrent: z.boolean().default(true),
  })
  .strict();

export type MappoConfig = z.output<typeof configSchema>;

export class MappoLearner implements Learner {
  private readonly actor: MappoNetwork;
  private readonly critic: MappoNetwork;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly buffer: RolloutBuffer;
  private readonly normalizer: ValueNormalizer | undefined;
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly actorInputSize: number;
  private readonly criticInputSize: number;
  /** Per-step critic features: the global state, or every agent's observation (IPPO takes its own). */
  private readonly criticFeatureSize: number;
  private readonly hiddenSize: number;
  private readonly actions: Int32Array;
  private readonly actorInput: Float32Array;
  /** Policy logits of the last exploring `act`, for the log-probabilities `observe` stores. */
  private readonly exploreLogits: Float32Array;
  private readonly greedyLogits: Float32Array;
  private readonly logProbs: Float32Array;
  private readonly zeroValues: Float32Array;
  private readonly stepFeatures: Float32Array;
  private readonly lastNextFeatures: Float32Array;
  /** [step][agent]: 1 where the agent's episode continues into this step, 0 where it starts (on-policy's masks). */
  private readonly masks: Float32Array;
  /** 1 − (the agent's episode ended at the last observed step): the next step's mask. */
  private readonly nextMasks: Float32Array;
  /** [step][agent][hidden]: the actor's hidden state entering each stored step. */
  private readonly actorHiddens: Float32Array;
  /** The actor's hidden state for the next exploring step, and the one the last `act` produced. */
  private readonly actorHidden: Float32Array;
  private readonly actorHiddenNext: Float32Array;
  private readonly greedyHidden: Float32Array;
  /** The critic's hidden state entering the first step of the current rollout. */
  private readonly criticHiddenStart: Float32Array;
  private steps = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: MappoConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`mappo: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    if (config.recurrent && config.rolloutSteps % config.dataChunkLength !== 0) {
      throw new RangeError(
        `mappo config: rolloutSteps = ${config.rolloutSteps} is not a multiple of dataChunkLength = ${config.dataChunkLength} (recurrent chunks tile each agent's rollout)`,
      );
    }
    const n = spec.numAgents;
    this.numAgents = n;
    this.numActions = spec.actionSpace.n;
    const idSize = config.agentIdInput ? n : 0;
    this.criticFeatureSize = config.centralisedCritic && spec.stateDim > 0 ? spec.stateDim : n * spec.obsDim;
    this.actorInputSize = spec.obsDim + idSize;
    this.criticInputSize = (config.centralisedCritic ? this.criticFeatureSize : spec.obsDim) + idSize;
    const network = {
      hiddenSizes: config.hiddenSizes,
      layerNorm: config.layerNorm,
      orthogonal: config.orthogonalInit,
      recurrent: config.recurrent,
    };
    this.actor = new MappoNetwork(
      { ...network, inputSize: this.actorInputSize, outputSize: this.numActions, headGain: 0.01 },
      rng.fork("actor"),
    );
    this.critic = new MappoNetwork(
      { ...network, inputSize: this.criticInputSize, outputSize: 1, headGain: 1 },
      rng.fork("critic"),
    );
    const adam = { epsilon: config.adamEpsilon, maxGradNorm: config.maxGradNorm };
    this.actorOptimizer = new Adam(this.actor.trainableVariables(), {
      ...adam,
      learningRate: config.learningRate,
    });
    this.criticOptimizer = new Adam(this.critic.trainableVariables(), {
      ...adam,
      learningRate: config.criticLearningRate,
    });
    this.normalizer = config.valueNormalization === "none" ? undefined : new ValueNormalizer();
    this.buffer = new RolloutBuffer({
      steps: config.rolloutSteps,
      numEnvs: 1,
      numAgents: n,
      obsDim: spec.obsDim,
      actionSize: 1,
      stateDim: this.criticFeatureSize,
    });
    const h = this.actor.hiddenSize;
    this.hiddenSize = h;
    this.actions = new Int32Array(n);
    this.actorInput = new Float32Array(n * this.actorInputSize);
    this.exploreLogits = new Float32Array(n * this.numActions);
    this.greedyLogits = new Float32Array(n * this.numActions);
    this.logProbs = new Float32Array(n);
    this.zeroValues = new Float32Array(n);
    this.stepFeatures = new Float32Array(this.criticFeatureSize);
    this.lastNextFeatures = new Float32Array(this.criticFeatureSize);
    this.masks = new Float32Array(config.rolloutSteps * n);
    this.nextMasks = new Float32Array(n).fill(1);
    this.actorHiddens = new Float32Array(config.rolloutSteps * n * h);
    this.actorHidden = new Float32Array(n * h);
    this.actorHiddenNext = new Float32Array(n * h);
    this.greedyHidden = new Float32Array(n * h);
    this.criticHiddenStart = new Float32Array(n * h);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    const n = this.numAgents;
    const A = this.numActions;
    const logits = options.explore ? this.exploreLogits : this.greedyLogits;
    this.writeActorInput(observations, 1, this.actorInput);
    if (this.hiddenSize === 0) {
      logits.set(
        tf.tidy(
          () =>
            this.actor
              .apply(tf.tensor2d(this.actorInput, [n, this.actorInputSize]))
              .dataSync() as Float32Array,
        ),
      );
    } else {
      const hidden = options.explore ? this.actorHidden : this.greedyHidden;
      if (options.episodeStart) {
        hidden.fill(0);
        if (options.explore) this.nextMasks.fill(0);
      }
      // one read for the logits and the next hidden state together
      const joined = tf.tidy(
        () =>
          this.actor
            .stepJoined(
              tf.tensor2d(this.actorInput, [n, this.actorInputSize]),
              tf.tensor2d(hidden, [n, this.hiddenSize]),
            )
            .dataSync() as Float32Array,
      );
      const next = options.explore ? this.actorHiddenNext : this.greedyHidden;
      const width = A + this.hiddenSize;
      for (let agent = 0; agent < n; agent++) {
        logits.set(joined.subarray(agent * width, agent * width + A), agent * A);
        next.set(joined.subarray(agent * width + A, (agent + 1) * width), agent * this.hiddenSize);
      }
    }
    for (let agent = 0; agent < n; agent++) {
      this.actions[agent] = options.explore
        ? sampleCategorical(logits, agent * A, A, this.rng)
        : argmax(logits, agent * A, A);
    }
    return this.actions;
  }

  /** Stores the step; the policy's log-probabilities come from the last exploring `act` on `t.obs`. */
  observe(t: Transition): void {
    const n = this.numAgents;
    const h = this.hiddenSize;
    const step = this.buffer.length;
    for (let agent = 0; agent < n; agent++)
      this.logProbs[agent] = logSoftmaxAt(
        this.exploreLogits,
        agent * this.numActions,
        this.numActions,
        t.actions[agent],
      );
    this.writeCriticFeatures(t.obs, t.state, this.stepFeatures);
    this.buffer.add({
      obs: t.obs,
      state: this.stepFeatures,
      actions: t.actions,
      logProbs: this.logProbs,
      values: this.zeroValues, // filled in at the update, in one pass over the rollout
      rewards: t.rewards,
      terminated: t.terminated,
      truncated: t.truncated,
    });
    this.masks.set(this.nextMasks, step * n);
    if (h > 0) {
      this.actorHiddens.set(this.actorHidden, step * n * h);
      this.actorHidden.set(this.actorHiddenNext);
    }
    for (let agent = 0; agent < n; agent++) {
      const ended = t.terminated[agent] === 1 || t.truncated[agent] === 1;
      this.nextMasks[agent] = ended ? 0 : 1;
      if (ended && h > 0) this.actorHidden.fill(0, agent * h, (agent + 1) * h);
    }
    this.writeCriticFeatures(t.nextObs, t.nextState, this.lastNextFeatures);
    this.steps++;
  }

  update(): Metrics {
    if (!this.buffer.full) return {};
    const { config } = this;
    const n = this.numAgents;
    const T = this.buffer.steps;
    const { raw, criticHiddens } = this.evaluateRollout();
    const lastValues = new Float32Array(n);
    const { mean, std } = this.normalizerStatistics();
    for (let i = 0; i < T * n; i++) this.buffer.values[i] = raw[i] * std + mean;
    for (let agent = 0; agent < n; agent++) lastValues[agent] = raw[T * n + agent] * std + mean;
    this.buffer.computeAdvantages(lastValues, config.discount, config.gaeLambda, {
      truncation: config.useProperTimeLimits ? "zero-advantage" : "bootstrap",
    });
    const data: RolloutData = {
      actorInputs: new Float32Array(T * n * this.actorInputSize),
      criticInputs: new Float32Array(T * n * this.criticInputSize),
      advantages: normaliseAdvantages(this.buffer.advantages),
      rawValues: raw.subarray(0, T * n),
      criticHiddens,
    };
    this.writeActorInput(this.buffer.obs, T, data.actorInputs);
    this.writeCriticRows(this.buffer.globalState, this.buffer.obs, T, data.criticInputs);

    const sequences = this.hiddenSize > 0;
    const unitLength = sequences ? config.dataChunkLength : 1;
    const units = (T * n) / unitLength; // chunks, or single rows
    const order = Int32Array.from({ length: units }, (_, i) => i);
    const unitsPerBatch = Math.floor(units / config.numMiniBatches);
    if (unitsPerBatch < 1)
      throw new RangeError(
        `mappo config: numMiniBatches = ${config.numMiniBatches} exceeds the ${units} ${sequences ? "chunks" : "samples"} of a rollout`,
      );
    const minibatch: ChunkMinibatch = {
      rows: new Int32Array(unitsPerBatch * unitLength),
      firstRows: new Int32Array(unitsPerBatch),
      resets: new Float32Array(unitsPerBatch * unitLength),
    };
    const totals = new Float64Array(5);
    let passes = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      this.rng.shuffle(order);
      for (let m = 0; m < config.numMiniBatches; m++) {
        const batch = order.subarray(m * unitsPerBatch, (m + 1) * unitsPerBatch);
        if (sequences)
          writeChunkMinibatch(
            batch,
            { length: unitLength, steps: T, slots: n, masks: this.masks },
            minibatch,
          );
        else minibatch.rows.set(batch);
        const result = this.trainMinibatch(minibatch, sequences ? unitLength : 0, data);
        for (let k = 0; k < 5; k++) totals[k] += result[k];
        passes++;
      }
    }
    this.buffer.clear();
    return {
      "loss/policy": totals[0] / passes,
      "loss/value": totals[1] / passes,
      "loss/entropy": totals[2] / passes,
      "ppo/clip-fraction": totals[3] / passes,
      "ppo/approx-kl": totals[4] / passes,
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
      normalizer: this.normalizer?.state() ?? null,
      ...Object.fromEntries(this.namedArrays().map(([name, array]) => [name, encodeTypedArray(array)])),
    };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "mappo") throw new RangeError(`mappo.load: the state is of "${state.algorithm}"`);
    loadModules(state, { actor: this.actor, critic: this.critic }, "mappo.load");
    this.actorOptimizer.setState(state.actorOptimizer as AdamState);
    this.criticOptimizer.setState(state.criticOptimizer as AdamState);
    this.buffer.load(state.buffer as RolloutBufferState);
    if (this.normalizer) {
      if (!state.normalizer) throw new RangeError("mappo.load: the state has no value normaliser");
      this.normalizer.load(state.normalizer as ValueNormalizerState);
    }
    for (const [name, array] of this.namedArrays()) {
      if (state[name] === undefined) throw new RangeError(`mappo.load: the state has no ${name}`);
      decodeTypedArrayInto(state[name] as never, array, `mappo.load ${name}`);
    }
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  /** Every array that carries state between calls (besides weights, optimisers, buffer). */
  private namedArrays(): [string, Float32Array][] {
    return [
      ["exploreLogits", this.exploreLogits],
      ["greedyLogits", this.greedyLogits],
      ["lastNextFeatures", this.lastNextFeatures],
      ["masks", this.masks],
      ["nextMasks", this.nextMasks],
      ["actorHiddens", this.actorHiddens],
      ["actorHidden", this.actorHidden],
      ["actorHiddenNext", this.actorHiddenNext],
      ["greedyHidden", this.greedyHidden],
      ["criticHiddenStart", this.criticHiddenStart],
    ];
  }

  /**
   * The critic's raw outputs for every stored step and the bootstrap step ([T + 1][agent]), and —
   * recurrent — its hidden state entering each stored step ([T][agent][hidden]); the hidden state
   * after the rollout becomes the next rollout's start.
   */
  private evaluateRollout(): { raw: Float32Array; criticHiddens: Float32Array } {
    const n = this.numAgents;
    const T = this.buffer.steps;
    const h = this.hiddenSize;
    const inputs = new Float32Array((T + 1) * n * this.criticInputSize);
    this.writeCriticRows(this.buffer.globalState, this.buffer.obs, T, inputs);
    this.writeCriticRows(
      this.lastNextFeatures,
      this.lastNextFeatures,
      1,
      inputs.subarray(T * n * this.criticInputSize),
    );
    const rows = (T + 1) * n;
    if (h === 0) {
      const raw = tf.tidy(
        () => this.critic.apply(tf.tensor2d(inputs, [rows, this.criticInputSize])).dataSync() as Float32Array,
      );
      return { raw, criticHiddens: new Float32Array(0) };
    }
    const resets = new Float32Array(rows);
    for (let i = 0; i < T * n; i++) resets[i] = 1 - this.masks[i];
    for (let agent = 0; agent < n; agent++) resets[T * n + agent] = 1 - this.nextMasks[agent];
    const joined = tf.tidy(() => {
      const { outputs, hiddens } = this.critic.sequence(
        tf.tensor2d(inputs, [rows, this.criticInputSize]),
        tf.tensor2d(this.criticHiddenStart, [n, h]),
        tf.tensor2d(resets, [T + 1, n]),
      );
      return tf.concat([outputs, hiddens], 1).dataSync() as Float32Array;
    });
    const raw = new Float32Array(rows);
    // the state entering step t + 1 is step t's output, zeroed where the episode ended at t
    const criticHiddens = new Float32Array(T * n * h);
    criticHiddens.set(this.criticHiddenStart);
    for (let row = 0; row < rows; row++) {
      raw[row] = joined[row * (h + 1)];
      if (row + n >= rows) continue;
      const keep = 1 - resets[row + n];
      const target = row + n < T * n ? criticHiddens.subarray((row + n) * h, (row + n + 1) * h) : undefined;
      const out = target ?? this.criticHiddenStart.subarray((row + n - T * n) * h, (row + n - T * n + 1) * h);
      for (let k = 0; k < h; k++) out[k] = joined[row * (h + 1) + 1 + k] * keep;
    }
    return { raw, criticHiddens };
  }

  /** Debiased mean and std of the value normaliser (0 and 1 without one). */
  private normalizerStatistics(): { mean: number; std: number } {
    if (!this.normalizer) return { mean: 0, std: 1 };
    const { mean, variance } = this.normalizer.statistics();
    return { mean, std: Math.sqrt(variance) };
  }

  /** One actor and one critic step on the rows of `minibatch` (`length` > 0: time-major chunks). */
  private trainMinibatch(minibatch: ChunkMinibatch, length: number, data: RolloutData): number[] {
    const { config, numActions, hiddenSize: h } = this;
    const { rows } = minibatch;
    const count = rows.length;
    const returns = Float32Array.from(rows, (i) => this.buffer.returns[i]);
    // on-policy's ValueNorm is updated once per minibatch; BNPG's PopArt at each of its two calls
    let clippedTargets: Float32Array = returns;
    let targets: Float32Array = returns;
    if (this.normalizer) {
      this.normalizer.update(returns);
      clippedTargets = this.normalizer.normalise(returns);
      if (config.valueNormalization === "popart") this.normalizer.update(returns);
      targets = this.normalizer.normalise(returns);
    }
    const pick = (source: Float32Array) => Float32Array.from(rows, (i) => source[i]);
    const hiddenRows = (source: Float32Array) => gatherRows(source, h, minibatch.firstRows);
    const tensors = tf.tidy(() => ({
      actorX: tf.tensor2d(gatherRows(data.actorInputs, this.actorInputSize, rows), [
        count,
        this.actorInputSize,
      ]),
      criticX: tf.tensor2d(gatherRows(data.criticInputs, this.criticInputSize, rows), [
        count,
        this.criticInputSize,
      ]),
      oneHot: tf.cast(
        tf.oneHot(
          tf.tensor1d(
            Int32Array.from(rows, (i) => this.buffer.actions[i]),
            "int32",
          ),
          numActions,
        ),
        "float32",
      ),
      oldLogProb: tf.tensor1d(pick(this.buffer.logProbs)),
      advantage: tf.tensor1d(pick(data.advantages)),
      targets: tf.tensor1d(targets),
      clippedTargets: tf.tensor1d(clippedTargets),
      oldValues: tf.tensor1d(pick(data.rawValues)),
      ...(length > 0
        ? {
            actorH0: tf.tensor2d(hiddenRows(this.actorHiddens), [count / length, h]),
            criticH0: tf.tensor2d(hiddenRows(data.criticHiddens), [count / length, h]),
            resets: tf.tensor2d(minibatch.resets, [length, count / length]),
          }
        : {}),
    }));
    const forward = (network: MappoNetwork, x: tf.Tensor, h0: tf.Tensor | undefined) =>
      length > 0
        ? network.sequence(x as tf.Tensor2D, h0 as tf.Tensor2D, tensors.resets as tf.Tensor2D).outputs
        : network.apply(x as tf.Tensor2D);
    const kept: tf.Tensor[] = [];
    const policy = this.actorOptimizer.minimize(() => {
      const logProbs = tf.logSoftmax(forward(this.actor, tensors.actorX, tensors.actorH0));
      const logProb = tf.sum(tf.mul(logProbs, tensors.oneHot), 1);
      const ratio = tf.exp(tf.sub(logProb, tensors.oldLogProb));
      const clipped = tf.clipByValue(ratio, 1 - config.clipRatio, 1 + config.clipRatio);
      const surrogate = tf.minimum(tf.mul(ratio, tensors.advantage), tf.mul(clipped, tensors.advantage));
      const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)));
      const clipFraction = tf.mean(
        tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipRatio), "float32"),
      );
      const approxKl = tf.mean(tf.sub(tensors.oldLogProb, logProb));
      kept.push(tf.keep(tf.stack([entropy, clipFraction, approxKl])));
      return tf.sub(tf.neg(tf.mean(surrogate)), tf.mul(entropy, config.entropyCoefficient));
    });
    const value = this.criticOptimizer.minimize(() => {
      const v = tf.squeeze(forward(this.critic, tensors.criticX, tensors.criticH0), [1]);
      const loss = huberLoss(tf.sub(tensors.targets, v), config.huberDelta);
      if (!config.clipValueLoss) return tf.mul(tf.mean(loss), config.valueLossCoefficient);
      const vClipped = tf.add(
        tensors.oldValues,
        tf.clipByValue(tf.sub(v, tensors.oldValues), -config.clipRatio, config.clipRatio),
      );
      const lossClipped = huberLoss(tf.sub(tensors.clippedTargets, vClipped), config.huberDelta);
      return tf.mul(tf.mean(tf.maximum(loss, lossClipped)), config.valueLossCoefficient);
    });
    const [entropy, clipFraction, approxKl] = kept[0].dataSync();
    tf.dispose([...kept, ...Object.values(tensors)]);
    return [policy.loss, value.loss, entropy, clipFraction, approxKl];
  }

  /** [rows × N × obsDim] → actor inputs [rows × N × actorInputSize] (+ one-hot agent id when configured). */
  private writeActorInput(observations: Float32Array, rows: number, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    for (let row = 0; row < rows * n; row++) {
      const base = row * this.actorInputSize;
      out.set(observations.subarray(row * obsDim, (row + 1) * obsDim), base);
      if (this.config.agentIdInput) {
        out.fill(0, base + obsDim, base + this.actorInputSize);
        out[base + obsDim + (row % n)] = 1;
      }
    }
  }

  /** One step's critic features: the global state (centralised, where the env has one) or all observations. */
  private writeCriticFeatures(
    observations: Float32Array,
    state: Float32Array | undefined,
    out: Float32Array,
  ): void {
    if (this.config.centralisedCritic && this.spec.stateDim > 0) {
      if (!state)
        throw new RangeError(`mappo: ${this.spec.id} declares a global state but the transition has none`);
      out.set(state.subarray(0, this.spec.stateDim));
    } else out.set(observations.subarray(0, this.criticFeatureSize));
  }

  /**
   * Critic inputs [rows × N × criticInputSize] from per-step features: the shared features
   * (centralised) or the agent's own observation (IPPO, read from `observations`), + one-hot id.
   */
  private writeCriticRows(
    features: Float32Array,
    observations: Float32Array,
    rows: number,
    out: Float32Array,
  ): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    const F = this.criticFeatureSize;
    for (let row = 0; row < rows; row++) {
      for (let agent = 0; agent < n; agent++) {
        const base = (row * n + agent) * this.criticInputSize;
        if (this.config.centralisedCritic) out.set(features.subarray(row * F, (row + 1) * F), base);
        else {
          const own = (row * n + agent) * obsDim;
          out.set(observations.subarray(own, own + obsDim), base);
        }
        if (this.config.agentIdInput) {
          const idAt = base + this.criticInputSize - n;
          out.fill(0, idAt, idAt + n);
          out[idAt + agent] = 1;
        }
      }
    }
  }
}

/** What every minibatch of one update reads. */
interface RolloutData {
  actorInputs: Float32Array;
  criticInputs: Float32Array;
  advantages: Float32Array;
  /** The critic's outputs when the rollout was evaluated (normalised scale), for value clipping. */
  rawValues: Float32Array;
  criticHiddens: Float32Array;
}

/** log softmax(logits[offset … offset + size))[index]. */
function logSoftmaxAt(logits: Float32Array, offset: number, size: number, index: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < size; a++) max = Math.max(max, logits[offset + a]);
  let sum = 0;
  for (let a = 0; a < size; a++) sum += Math.exp(logits[offset + a] - max);
  return logits[offset + index] - max - Math.log(sum);
}

/** (A − mean)/(std + 1e-5) over the rollout (`r_mappo.py` `train` lines 183–187). */
function normaliseAdvantages(values: Float32Array): Float32Array {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  return Float32Array.from(values, (v) => (v - mean) / (std + 1e-5));
}

function gatherRows(source: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let r = 0; r < indices.length; r++)
    out.set(source.subarray(indices[r] * width, (indices[r] + 1) * width), r * width);
  return out;
}

export const mappoAlgorithm = defineAlgorithm({
  id: "mappo",
  description:
    "MAPPO: shared PPO actor, centralised critic on the global state, GAE, clipped value loss, ValueNorm (on-policy's defaults).",
  configSchema,
  create: (envSpec, config, rng) => new MappoLearner(envSpec, config, rng),
});

export const rmappoAlgorithm = defineAlgorithm({
  id: "rmappo",
  description:
    "rMAPPO: MAPPO with GRU actor and critic trained on chunks from stored hidden states (on-policy's recurrent default).",
  configSchema: recurrentConfigSchema,
  create: (envSpec, config, rng) => new MappoLearner(envSpec, config, rng),
});

export const ippoAlgorithm = defineAlgorithm({
  id: "ippo",
  description: "IPPO: MAPPO with each agent's critic on its own observation.",
  configSchema,
  create: (envSpec, config, rng) => new MappoLearner(envSpec, { ...config, centralisedCritic: false }, rng),
});
