/**
 * # IQL / DQN (Mnih et al. 2015; independent learners as in pymarl's `iql`)
 *
 * `agent: "rnn"` (the default) is pymarl's IQL exactly — GRU agents trained on whole episodes at
 * pymarl's cadence with RMSprop: {@link RecurrentQLearner}. This file is the feed-forward variant
 * (`agent: "mlp"`), trained on single transitions:
 *
 * Each agent learns Q_i(o_i, ·) from its own reward with the DQN loss
 * (Q_i(o, a) − y)², y = r_i + γ (1 − terminated) Q̄_i(o', argmax_a Q_i(o', a)) (double DQN) or
 * max_a Q̄_i(o', a), on minibatches from a replay buffer, ε-greedy exploration decayed linearly, a
 * target network copied every `targetUpdateEvery` gradient steps (or Polyak-averaged with `tau`).
 * With `shareParameters` all agents use one network and see a one-hot agent id (pymarl's default).
 *
 * Defaults follow pymarl (`src/config/algs/iql.yaml`, `default.yaml`; spec §5.4) where they apply to
 * a feed-forward agent: γ 0.99, batch 32, ε 1 → 0.05 over 50k steps, grad clip 10, target update
 * every 200 (here: gradient steps, not episodes), MSE loss, RMSprop lr 5e-4 α 0.99 ε 1e-5
 * (`optimizer: "adam"` for Adam). Deviations of this variant: an MLP on the current observation,
 * transitions (not episodes) in the replay, one gradient step per `trainEvery` environment steps.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { MLP } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { ReplayBuffer, type ReplayBufferState } from "../../buffers/replay-buffer.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import type { AdamState } from "../../optim/adam.js";
import { createQOptimizer, type GradientOptimizer } from "../../optim/create-optimizer.js";
import {
  type EncodedWeight,
  encodeModuleWeights,
  loadModuleWeights,
} from "../../persistence/module-weights.js";
import { epsilonGreedyInto, linearEpsilon } from "../action-selection.js";
import { pymarlQLearningFields } from "../q-learning-fields.js";
import { RecurrentQLearner } from "../recurrent-q/recurrent-q-learner.js";

const configSchema = z
  .object({
    /** (mlp) Hidden layer widths of the Q-network. */
    hiddenSizes: z.array(z.number().int().min(1)).default([64, 64]),
    ...pymarlQLearningFields,
    /** (mlp) Polyak factor τ for a soft target update after every gradient step; 0 = hard copies. */
    tau: z.number().min(0).max(1).default(0),
    /** Double DQN targets (van Hasselt et al. 2016). */
    doubleDqn: z.boolean().default(true),
    /** One network for all agents, with a one-hot agent id in the input (rnn: always, as pymarl). */
    shareParameters: z.boolean().default(true),
    /** Clip the global gradient norm (0 = off). */
    maxGradNorm: z.number().min(0).default(10),
  })
  .strict();

export type DqnConfig = z.output<typeof configSchema>;

export class DqnLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly inputSize: number;
  private readonly online: MLP[];
  private readonly target: MLP[];
  private readonly optimizers: GradientOptimizer[];
  private readonly buffer: ReplayBuffer;
  private readonly batch;
  private readonly batchIndices: Int32Array;
  private readonly actions: Int32Array;
  private readonly actInput: Float32Array;
  private readonly batchInput: Float32Array;
  private readonly batchNextInput: Float32Array;
  private steps = 0;
  private updates = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: DqnConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`dqn: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    this.numAgents = spec.numAgents;
    this.numActions = spec.actionSpace.n;
    this.inputSize = spec.obsDim + (config.shareParameters ? spec.numAgents : 0);
    const networks = config.shareParameters ? 1 : spec.numAgents;
    const build = (stream: string, k: number) =>
      new MLP(
        { inputSize: this.inputSize, hiddenSizes: config.hiddenSizes, outputSize: this.numActions },
        rng.fork(`${stream}-${k}`),
      );
    this.online = Array.from({ length: networks }, (_, k) => build("q", k));
    this.target = Array.from({ length: networks }, (_, k) => build("target", k));
    for (let k = 0; k < this.online.length; k++) this.online[k].copyWeightsTo(this.target[k]);
    this.optimizers = this.online.map((network) => createQOptimizer(network.trainableVariables(), config));
    this.buffer = new ReplayBuffer({
      capacity: config.bufferCapacity,
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      actionSize: 1,
    });
    this.batch = this.buffer.createBatch(config.batchSize);
    this.batchIndices = new Int32Array(config.batchSize);
    this.actions = new Int32Array(spec.numAgents);
    this.actInput = new Float32Array(spec.numAgents * this.inputSize);
    this.batchInput = new Float32Array(config.batchSize * spec.numAgents * this.inputSize);
    this.batchNextInput = new Float32Array(config.batchSize * spec.numAgents * this.inputSize);
  }

  get epsilon(): number {
    return linearEpsilon(this.config, this.steps);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    this.writeInputs(observations, 1, this.actInput);
    const q = this.predict(this.online, this.actInput, 1);
    const epsilon = options.explore ? this.epsilon : 0;
    return epsilonGreedyInto(q, this.numActions, epsilon, this.rng, this.actions);
  }

  observe(transition: Transition): void {
    this.buffer.add(transition);
    this.steps++;
  }

  update(): Metrics {
    const { config } = this;
    if (this.steps < Math.max(config.learningStarts, 1) || this.steps % config.trainEvery !== 0) return {};
    const batch = this.buffer.sample(this.batch, this.rng, this.batchIndices);
    const rows = config.batchSize;
    this.writeInputs(batch.obs, rows, this.batchInput);
    this.writeInputs(batch.nextObs, rows, this.batchNextInput);
    let lossSum = 0;
    let qSum = 0;
    let normSum = 0;
    for (let k = 0; k < this.online.length; k++) {
      const agents = this.online.length === 1 ? null : k;
      const result = this.trainNetwork(k, agents, batch.actions, batch.rewards, batch.terminated);
      lossSum += result.loss;
      qSum += result.meanQ;
      normSum += result.gradNorm;
    }
    this.updates++;
    this.updateTargets();
    const count = this.online.length;
    return {
      "loss/td": lossSum / count,
      "q/mean": qSum / count,
      "grad/norm": normSum / count,
      epsilon: this.epsilon,
    };
  }

  state(): LearnerState {
    return {
      algorithm: "dqn",
      steps: this.steps,
      updates: this.updates,
      rng: this.rng.getState(),
      online: this.online.map(encodeModuleWeights),
      target: this.target.map(encodeModuleWeights),
      optimizers: this.optimizers.map((o) => o.getState()),
      buffer: this.buffer.state(),
    };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "dqn") throw new RangeError(`dqn.load: the state is of "${state.algorithm}"`);
    const online = state.online as EncodedWeight[][];
    if (online.length !== this.online.length) {
      throw new RangeError(
        `dqn.load: the state has ${online.length} networks; this learner has ${this.online.length}`,
      );
    }
    const target = state.target as EncodedWeight[][];
    const optimizers = state.optimizers as AdamState[];
    for (let k = 0; k < this.online.length; k++) {
      loadModuleWeights(this.online[k], online[k], "dqn.load online");
      loadModuleWeights(this.target[k], target[k], "dqn.load target");
      this.optimizers[k].setState(optimizers[k]);
    }
    this.buffer.load(state.buffer as ReplayBufferState);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.updates = state.updates as number;
  }

  dispose(): void {
    for (const network of [...this.online, ...this.target]) network.dispose();
    for (const optimizer of this.optimizers) optimizer.dispose();
  }

  /** One gradient step of network k on all agents' rows (shared) or on agent k's rows. */
  private trainNetwork(
    k: number,
    agent: number | null,
    actions: Float32Array,
    rewards: Float32Array,
    terminated: Float32Array,
  ) {
    const { config, numActions, numAgents, inputSize } = this;
    const rows = config.batchSize * (agent === null ? numAgents : 1);
    const pick = (source: Float32Array, width: number) => selectRows(source, width, numAgents, agent);
    const inputs = pick(this.batchInput, inputSize);
    const nextInputs = pick(this.batchNextInput, inputSize);
    const actionRows = pick(actions, 1);
    const rewardRows = pick(rewards, 1);
    const doneRows = pick(terminated, 1);
    const targets = tf.tidy(() => {
      const next = tf.tensor2d(nextInputs, [rows, inputSize]);
      const targetQ = this.target[k].apply(next);
      const choice = config.doubleDqn ? tf.argMax(this.online[k].apply(next), 1) : tf.argMax(targetQ, 1);
      const bootstrap = tf.sum(tf.mul(targetQ, tf.oneHot(choice, numActions)), 1);
      const notDone = tf.sub(1, tf.tensor1d(doneRows));
      return tf.add(tf.tensor1d(rewardRows), tf.mul(tf.mul(bootstrap, notDone), config.discount));
    });
    const input = tf.tensor2d(inputs, [rows, inputSize]);
    const mask = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(actionRows), "int32"), numActions));
    const reads: tf.Tensor[] = [];
    const { loss, gradNorm, read } = this.optimizers[k].minimize(() => {
      const q = tf.sum(tf.mul(this.online[k].apply(input), mask), 1);
      reads.push(tf.keep(tf.mean(q)));
      return tf.mean(tf.square(tf.sub(q, targets)));
    }, reads);
    tf.dispose([targets, input, mask]);
    return { loss, gradNorm, meanQ: read[0] as number };
  }

  private updateTargets(): void {
    const { tau, targetUpdateEvery } = this.config;
    if (tau > 0) {
      this.online.forEach((network, k) => {
        const targetVariables = this.target[k].variables();
        tf.tidy(() =>
          network.variables().forEach((variable, i) => {
            targetVariables[i].assign(tf.add(tf.mul(variable, tau), tf.mul(targetVariables[i], 1 - tau)));
          }),
        );
      });
    } else if (this.updates % targetUpdateEvery === 0) {
      for (let k = 0; k < this.online.length; k++) this.online[k].copyWeightsTo(this.target[k]);
    }
  }

  /** [rows × N × obsDim] observations → network inputs (with the one-hot agent id when shared). */
  private writeInputs(observations: Float32Array, rows: number, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    const shared = this.config.shareParameters;
    for (let row = 0; row < rows * n; row++) {
      const base = row * this.inputSize;
      out.set(observations.subarray(row * obsDim, (row + 1) * obsDim), base);
      if (shared) {
        out.fill(0, base + obsDim, base + this.inputSize);
        out[base + obsDim + (row % n)] = 1;
      }
    }
  }

  /** Q-values of N agents for one input block: [N × numActions]. */
  private predict(networks: MLP[], inputs: Float32Array, rows: number): Float32Array {
    const n = this.numAgents;
    if (networks.length === 1) {
      return tf.tidy(
        () => networks[0].apply(tf.tensor2d(inputs, [rows * n, this.inputSize])).dataSync() as Float32Array,
      );
    }
    // one network per agent: all forward passes in one tidy and one blocking read (not N of each)
    return tf.tidy(() => {
      const x = tf.tensor3d(inputs, [rows, n, this.inputSize]);
      const perAgent = networks.map((network, agent) =>
        network.apply(tf.reshape(tf.slice(x, [0, agent, 0], [rows, 1, -1]), [rows, this.inputSize])),
      );
      // [rows, n, |A|] in the shared layout
      return tf.stack(perAgent, 1).dataSync() as Float32Array;
    });
  }
}

/** Rows of agent `agent` (every row when null) from [batch × N × width] data. */
function selectRows(
  source: Float32Array,
  width: number,
  numAgents: number,
  agent: number | null,
): Float32Array {
  if (agent === null) return source;
  const rows = source.length / (numAgents * width);
  const out = new Float32Array(rows * width);
  for (let b = 0; b < rows; b++)
    out.set(source.subarray((b * numAgents + agent) * width, (b * numAgents + agent + 1) * width), b * width);
  return out;
}

export const dqnAlgorithm = defineAlgorithm({
  id: "dqn",
  description:
    "IQL/DQN: independent deep Q-learners; pymarl's GRU agents on episode batches (default) or an MLP on transitions.",
  configSchema,
  create: (envSpec, config, rng): Learner => {
    if (config.agent === "mlp") return new DqnLearner(envSpec, config, rng);
    if (!config.shareParameters || config.tau > 0) {
      throw new RangeError(
        `dqn config: agent "rnn" shares one network and copies targets (pymarl); got shareParameters = ${config.shareParameters}, tau = ${config.tau} — set agent: "mlp" for those`,
      );
    }
    return new RecurrentQLearner("dqn", envSpec, { ...config, doubleQ: config.doubleDqn }, rng);
  },
});
