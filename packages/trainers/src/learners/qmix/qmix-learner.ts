/**
 * # QMIX (Rashid, Samvelyan, de Witt, Farquhar, Foerster, Whiteson; ICML 2018)
 *
 * `agent: "rnn"` (the default) is pymarl's QMIX exactly — GRU agents on whole episodes, one
 * RMSprop step per finished episode on 32 of them, targets copied every 200 episodes:
 * {@link RecurrentQLearner}. This file is the feed-forward, transition-based variant (`agent: "mlp"`):
 *
 * Per-agent utilities Q_i(o_i, id_i, ·) from one shared agent network, combined by a monotonic
 * mixing network conditioned on the global state ({@link QmixMixer}) into Q_tot, trained with the
 * team-reward TD loss (Q_tot(o, a, s) − y)², y = r + γ (1 − terminated) Q̄_tot(o', ā', s') where
 * ā'_i = argmax_a Q_i(o'_i, a) from the online agents (double Q) and Q̄ uses the target agent and
 * the target mixer; targets hard-copied every `targetUpdateEvery` gradient steps; ε-greedy.
 *
 * Source: `oxwhirl/pymarl` `src/config/{default.yaml, algs/qmix.yaml}`, `src/modules/mixers/qmix.py`,
 * `src/learners/q_learner.py`; spec §5.4 of /work/shared/specs/algorithms.md. Defaults as pymarl:
 * γ 0.99, mixing embed 32, hypernet embed 64 (2 layers), grad clip 10, lr 5e-4, batch 32,
 * ε 1 → 0.05 over 50 000 steps, target update every 200.
 *
 * Deviations of the feed-forward variant:
 * - The agent is an MLP on [o_i, one-hot agent id] (hidden 64 × 2), not pymarl's fc–GRU(64)–fc on
 *   [o_i, id, last action] over whole episodes; so it sees no history (for the environments here,
 *   whose observations are Markov for the team — the coordination game, Aloha — this loses little).
 * - Replay holds transitions (50 000), not episodes (5 000); batch 32 transitions, not 32 episodes;
 *   the target copy is every 200 gradient steps, not every 200 episodes.
 * - The team reward is the mean of the agents' rewards (the environments here give every agent the
 *   team reward, so it is that reward); the team's `terminated` is 1 when every agent terminated.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { MLP } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { type ReplayBatch, ReplayBuffer, type ReplayBufferState } from "../../buffers/replay-buffer.js";
import { defineAlgorithm } from "../../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import type { AdamState } from "../../optim/adam.js";
import { createQOptimizer, type GradientOptimizer } from "../../optim/create-optimizer.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { epsilonGreedyInto, linearEpsilon } from "../action-selection.js";
import { pymarlQLearningFields } from "../q-learning-fields.js";
import { RecurrentQLearner } from "../recurrent-q/recurrent-q-learner.js";
import { QmixMixer } from "./qmix-mixer.js";

const configSchema = z
  .object({
    /** (mlp) Hidden widths of the agent MLP (rnn: `rnnHiddenSize`). */
    agentHiddenSizes: z.array(z.number().int().min(1)).default([64, 64]),
    /** Width of the mixing layer (`mixing_embed_dim`). */
    mixingEmbedSize: z.number().int().min(1).default(32),
    /** Hidden width of the weight hypernetworks (`hypernet_embed`). */
    hypernetSize: z.number().int().min(1).default(64),
    ...pymarlQLearningFields,
    /** Double-Q targets (pymarl `double_q: True` for QMIX). */
    doubleQ: z.boolean().default(true),
    /** Clip the global gradient norm (pymarl `grad_norm_clip`: 10; 0 = off). */
    maxGradNorm: z.number().min(0).default(10),
  })
  .strict();

export type QmixConfig = z.output<typeof configSchema>;

export class QmixLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly inputSize: number;
  private readonly agent: MLP;
  private readonly targetAgent: MLP;
  private readonly mixer: QmixMixer;
  private readonly targetMixer: QmixMixer;
  private readonly optimizer: GradientOptimizer;
  private readonly buffer: ReplayBuffer;
  private readonly batch: ReplayBatch;
  private readonly batchIndices: Int32Array;
  private readonly actions: Int32Array;
  private readonly actInput: Float32Array;
  private readonly batchInput: Float32Array;
  private readonly batchNextInput: Float32Array;
  private readonly teamRewards: Float32Array;
  private readonly teamTerminated: Float32Array;
  private steps = 0;
  private updates = 0;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: QmixConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`qmix: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    if (!(spec.stateDim > 0)) {
      throw new RangeError(
        `qmix: needs a global state for its mixing network (env.spec.stateDim > 0); ${spec.id} has stateDim = ${spec.stateDim}`,
      );
    }
    this.numAgents = spec.numAgents;
    this.numActions = spec.actionSpace.n;
    this.inputSize = spec.obsDim + spec.numAgents;
    const agentOptions = {
      inputSize: this.inputSize,
      hiddenSizes: config.agentHiddenSizes,
      outputSize: this.numActions,
    };
    this.agent = new MLP(agentOptions, rng.fork("agent"));
    this.targetAgent = new MLP(agentOptions, rng.fork("target-agent"));
    const mixerOptions = {
      numAgents: spec.numAgents,
      stateDim: spec.stateDim,
      embedSize: config.mixingEmbedSize,
      hypernetSize: config.hypernetSize,
    };
    this.mixer = new QmixMixer(mixerOptions, rng.fork("mixer"));
    this.targetMixer = new QmixMixer(mixerOptions, rng.fork("target-mixer"));
    this.copyTargets();
    this.optimizer = createQOptimizer(
      [...this.agent.trainableVariables(), ...this.mixer.trainableVariables()],
      config,
    );
    this.buffer = new ReplayBuffer({
      capacity: config.bufferCapacity,
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      actionSize: 1,
      stateDim: spec.stateDim,
    });
    this.batch = this.buffer.createBatch(config.batchSize);
    this.batchIndices = new Int32Array(config.batchSize);
    this.actions = new Int32Array(spec.numAgents);
    this.actInput = new Float32Array(spec.numAgents * this.inputSize);
    this.batchInput = new Float32Array(config.batchSize * spec.numAgents * this.inputSize);
    this.batchNextInput = new Float32Array(config.batchSize * spec.numAgents * this.inputSize);
    this.teamRewards = new Float32Array(config.batchSize);
    this.teamTerminated = new Float32Array(config.batchSize);
  }

  get epsilon(): number {
    return linearEpsilon(this.config, this.steps);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    this.writeInputs(observations, 1, this.actInput);
    const q = tf.tidy(
      () =>
        this.agent
          .apply(tf.tensor2d(this.actInput, [this.numAgents, this.inputSize]))
          .dataSync() as Float32Array,
    );
    const epsilon = options.explore ? this.epsilon : 0;
    return epsilonGreedyInto(q, this.numActions, epsilon, this.rng, this.actions);
  }

  observe(transition: Transition): void {
    this.buffer.add(transition);
    this.steps++;
  }

  update(): Metrics {
    const { config, numAgents, numActions, inputSize } = this;
    if (this.steps < Math.max(config.learningStarts, 1) || this.steps % config.trainEvery !== 0) return {};
    const batch = this.buffer.sample(this.batch, this.rng, this.batchIndices);
    const size = batch.size;
    const rows = size * numAgents;
    this.writeInputs(batch.obs, size, this.batchInput);
    this.writeInputs(batch.nextObs, size, this.batchNextInput);
    for (let b = 0; b < size; b++) {
      let reward = 0;
      let allTerminated = 1;
      for (let i = 0; i < numAgents; i++) {
        reward += batch.rewards[b * numAgents + i];
        if (batch.terminated[b * numAgents + i] === 0) allTerminated = 0;
      }
      this.teamRewards[b] = reward / numAgents;
      this.teamTerminated[b] = allTerminated;
    }
    const stateDim = this.spec.stateDim;
    const targets = tf.tidy(() => {
      const next = tf.tensor2d(this.batchNextInput, [rows, inputSize]);
      const targetQ = this.targetAgent.apply(next);
      const choice = tf.argMax(config.doubleQ ? this.agent.apply(next) : targetQ, 1);
      const chosen = tf.sum(tf.mul(targetQ, tf.cast(tf.oneHot(choice, numActions), "float32")), 1);
      const nextState = tf.tensor2d(batch.nextState, [size, stateDim]);
      const total = this.targetMixer.apply(tf.reshape(chosen, [size, numAgents]), nextState);
      const notDone = tf.sub(1, tf.tensor1d(this.teamTerminated));
      return tf.add(tf.tensor1d(this.teamRewards), tf.mul(tf.mul(total, notDone), config.discount));
    });
    const input = tf.tensor2d(this.batchInput, [rows, inputSize]);
    const state = tf.tensor2d(batch.state, [size, stateDim]);
    const mask = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(batch.actions), "int32"), numActions), "float32"),
    );
    const reads: tf.Tensor[] = [];
    const { loss, gradNorm, read } = this.optimizer.minimize(() => {
      const chosen = tf.reshape(tf.sum(tf.mul(this.agent.apply(input), mask), 1), [size, numAgents]);
      const total = this.mixer.apply(chosen as tf.Tensor2D, state);
      reads.push(tf.keep(tf.mean(total)));
      return tf.mean(tf.square(tf.sub(total, targets)));
    }, reads);
    const meanQTotal = read[0] as number;
    tf.dispose([targets, input, state, mask]);
    this.updates++;
    if (this.updates % config.targetUpdateEvery === 0) this.copyTargets();
    return { "loss/td": loss, "q/total-mean": meanQTotal, "grad/norm": gradNorm, epsilon: this.epsilon };
  }

  state(): LearnerState {
    return {
      algorithm: "qmix",
      steps: this.steps,
      updates: this.updates,
      rng: this.rng.getState(),
      ...encodeModules(this.modules()),
      optimizer: this.optimizer.getState(),
      buffer: this.buffer.state(),
    };
  }

  /** The networks, keyed as in the saved state. */
  private modules() {
    const { agent, targetAgent, mixer, targetMixer } = this;
    return { agent, targetAgent, mixer, targetMixer };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "qmix") throw new RangeError(`qmix.load: the state is of "${state.algorithm}"`);
    loadModules(state, this.modules(), "qmix.load");
    this.optimizer.setState(state.optimizer as AdamState);
    this.buffer.load(state.buffer as ReplayBufferState);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.updates = state.updates as number;
  }

  dispose(): void {
    for (const module of Object.values(this.modules())) module.dispose();
    this.optimizer.dispose();
  }

  private copyTargets(): void {
    this.agent.copyWeightsTo(this.targetAgent);
    this.mixer.copyWeightsTo(this.targetMixer);
  }

  /** [rows × N × obsDim] observations → agent inputs [o_i, one-hot i]. */
  private writeInputs(observations: Float32Array, rows: number, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    for (let row = 0; row < rows * n; row++) {
      const base = row * this.inputSize;
      out.set(observations.subarray(row * obsDim, (row + 1) * obsDim), base);
      out.fill(0, base + obsDim, base + this.inputSize);
      out[base + obsDim + (row % n)] = 1;
    }
  }
}

export const qmixAlgorithm = defineAlgorithm({
  id: "qmix",
  description:
    "QMIX: per-agent Q-networks mixed monotonically by state-conditioned hypernetworks (pymarl defaults).",
  configSchema,
  create: (envSpec, config, rng): Learner =>
    config.agent === "mlp"
      ? new QmixLearner(envSpec, config, rng)
      : new RecurrentQLearner("qmix", envSpec, config, rng),
});
