/**
 * # pymarl's episode Q-learner: IQL and QMIX with recurrent agents (`oxwhirl/pymarl` @ c971afd)
 *
 * One GRU agent shared by all agents ({@link RnnAgent}; `basic_controller.py`) on
 * [o_i, one-hot previous action, one-hot agent id] (lines 77–92; `obs_last_action`, `obs_agent_id`
 * True in `default.yaml` 42–43), its hidden state carried over the episode from zero
 * (`episode_runner.py` 53). Replay holds whole episodes ({@link EpisodeBuffer}); after every finished
 * episode, once ≥ `batchSize` (32) are stored, one gradient step on 32 distinct episodes
 * (`run.py` 163–179, `batch_size_run` 1), unrolled from t = 0 over the longest of them, padded steps
 * masked (`q_learner.py` 37–103):
 *
 *     y_t = r_t + γ (1 − terminated_t) Q̄(o_{t+1}, argmax_a Q(o_{t+1}, a))      (double_q: True)
 *     loss = Σ_t mask_t (Q(o_t, a_t) − y_t)² / Σ_t mask_t
 *
 * per agent for IQL (its own reward and termination), and on Q_tot = Mixer(Q_1 … Q_N, s) with the
 * target mixer for QMIX (the team reward is the agents' mean; the team terminates when all do).
 * RMSprop lr 5e-4, α 0.99, ε 1e-5 (`default.yaml` 33–36; `q_learner.py` 30), gradient norm clipped
 * to 10 (line 102). Targets copied every 200 episodes (line 105: `(episode_num −
 * last_target_update_episode) / target_update_interval ≥ 1`, `episode_num` counting from 0).
 * ε-greedy, ε linear 1 → 0.05 over 50 000 steps (`epsilon_schedules.py` `DecayThenFlatSchedule`
 * "linear"), evaluated at the environment step count when the episode began (`episode_runner.py`
 * passes `t_env`, updated only after an episode, line 101). Evaluation is greedy (`test_greedy`).
 *
 * Deviations: none in the update; unavailable-action masks do not apply (no environment here has
 * them); IQL uses each agent's own reward where pymarl's environments give one team reward.
 */
import type { AgentGraph, EnvSpec, Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { type Module, stopGradient } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { EpisodeBuffer, type EpisodeBufferState } from "../../buffers/episode-buffer.js";
import type { ActOptions, Learner, LearnerState, Metrics, Transition } from "../../contracts/learner.js";
import type { AdamState } from "../../optim/adam.js";
import {
  createQOptimizer,
  type GradientOptimizer,
  type QOptimizerConfig,
} from "../../optim/create-optimizer.js";
import type { RmsPropState } from "../../optim/rms-prop.js";
import { encodeModules, loadModules } from "../../persistence/module-weights.js";
import { epsilonGreedyInto, linearEpsilon } from "../action-selection.js";
import { QmixMixer } from "../qmix/qmix-mixer.js";
import { RnnAgent } from "./rnn-agent.js";

/** The config fields the recurrent learner reads (a subset of DQN's and QMIX's schemas). */
export interface RecurrentQConfig extends QOptimizerConfig {
  rnnHiddenSize: number;
  lastActionInput: boolean;
  bufferEpisodes: number;
  discount: number;
  batchSize: number;
  targetUpdateEvery: number;
  epsilonStart: number;
  epsilonEnd: number;
  epsilonDecaySteps: number;
  doubleQ: boolean;
  /** QMIX only: mixer widths. */
  mixingEmbedSize?: number;
  hypernetSize?: number;
}

/** The hidden state and previous actions of one acting stream (training or evaluation). */
interface ActingStream {
  /** [N, rnnHiddenSize]; zeros at the start of an episode (always one tensor, so counts stay flat). */
  hidden: tf.Tensor2D;
  previousActions: Int32Array;
  /** True before the episode's first step: zero hidden state, no previous action. */
  fresh: boolean;
}

export class RecurrentQLearner implements Learner {
  private readonly numAgents: number;
  private readonly numActions: number;
  private readonly obsDim: number;
  private readonly inputSize: number;
  private readonly agent: RnnAgent;
  private readonly targetAgent: RnnAgent;
  private readonly mixer: QmixMixer | null;
  private readonly targetMixer: QmixMixer | null;
  private readonly optimizer: GradientOptimizer;
  private readonly buffer: EpisodeBuffer;
  private readonly streams: { training: ActingStream; evaluation: ActingStream };
  private readonly actions: Int32Array;
  private readonly actInput: Float32Array;
  private readonly batchIndices: Int32Array;
  /** Batch arrays for the longest episodes (`maxSteps`); each update uses a prefix. */
  private readonly scratch: {
    inputs: Float32Array;
    actions: Int32Array;
    rewards: Float32Array;
    notDone: Float32Array;
    mask: Float32Array;
    states: Float32Array;
  };
  private steps = 0;
  private episodes = 0;
  private stepsAtEpisodeStart = 0;
  private updates = 0;
  private lastTargetUpdateEpisode = 0;
  private trainPending = false;

  constructor(
    private readonly algorithm: "dqn" | "qmix",
    private readonly spec: EnvSpec,
    private readonly config: RecurrentQConfig,
    private rng: Rng,
  ) {
    if (spec.actionSpace.kind !== "discrete") {
      throw new RangeError(`${algorithm}: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    }
    const mixing = algorithm === "qmix";
    if (mixing && !(spec.stateDim > 0)) {
      throw new RangeError(
        `qmix: needs a global state for its mixing network (env.spec.stateDim > 0); ${spec.id} has stateDim = ${spec.stateDim}`,
      );
    }
    this.numAgents = spec.numAgents;
    this.numActions = spec.actionSpace.n;
    this.obsDim = spec.obsDim;
    this.inputSize = spec.obsDim + (config.lastActionInput ? this.numActions : 0) + spec.numAgents;
    const agentOptions = {
      inputSize: this.inputSize,
      hiddenSize: config.rnnHiddenSize,
      numActions: this.numActions,
    };
    this.agent = new RnnAgent(agentOptions, rng.fork("agent"));
    this.targetAgent = new RnnAgent(agentOptions, rng.fork("target-agent"));
    if (mixing) {
      const mixerOptions = {
        numAgents: spec.numAgents,
        stateDim: spec.stateDim,
        embedSize: config.mixingEmbedSize ?? 32,
        hypernetSize: config.hypernetSize ?? 64,
      };
      this.mixer = new QmixMixer(mixerOptions, rng.fork("mixer"));
      this.targetMixer = new QmixMixer(mixerOptions, rng.fork("target-mixer"));
    } else {
      this.mixer = null;
      this.targetMixer = null;
    }
    this.copyTargets();
    this.optimizer = createQOptimizer(
      [...this.agent.trainableVariables(), ...(this.mixer?.trainableVariables() ?? [])],
      config,
    );
    this.buffer = new EpisodeBuffer({
      capacity: config.bufferEpisodes,
      maxLength: spec.maxSteps,
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      stateDim: mixing ? spec.stateDim : 0,
    });
    const stream = (): ActingStream => ({
      hidden: tf.zeros([spec.numAgents, config.rnnHiddenSize]),
      previousActions: new Int32Array(spec.numAgents),
      fresh: true,
    });
    this.streams = { training: stream(), evaluation: stream() };
    this.actions = new Int32Array(spec.numAgents);
    this.actInput = new Float32Array(spec.numAgents * this.inputSize);
    this.batchIndices = new Int32Array(config.batchSize);
    const rows = config.batchSize * spec.numAgents;
    const length = spec.maxSteps;
    this.scratch = {
      inputs: new Float32Array((length + 1) * rows * this.inputSize),
      actions: new Int32Array(length * rows),
      rewards: new Float32Array(length * rows),
      notDone: new Float32Array(length * rows),
      mask: new Float32Array(length * rows),
      states: new Float32Array((length + 1) * config.batchSize * (mixing ? spec.stateDim : 0)),
    };
  }

  /** ε of the current training episode (pymarl evaluates the schedule at the episode's first step). */
  get epsilon(): number {
    return linearEpsilon(this.config, this.stepsAtEpisodeStart);
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    // Training and evaluation episodes interleave (the runner evaluates mid-episode): one memory each.
    const stream = options.explore ? this.streams.training : this.streams.evaluation;
    if (options.episodeStart) this.resetStream(stream);
    this.writeStepInputs(observations, stream);
    const previous = stream.hidden;
    const q = tf.tidy(() => {
      const inputs = tf.tensor2d(this.actInput, [this.numAgents, this.inputSize]);
      const result = this.agent.step(inputs, previous);
      stream.hidden = tf.keep(result.hidden);
      return result.q.dataSync() as Float32Array;
    });
    previous.dispose();
    epsilonGreedyInto(q, this.numActions, options.explore ? this.epsilon : 0, this.rng, this.actions);
    stream.previousActions.set(this.actions);
    stream.fresh = false;
    return this.actions;
  }

  observe(transition: Transition): void {
    this.steps++;
    if (!this.buffer.add(transition)) return;
    this.episodes++;
    this.stepsAtEpisodeStart = this.steps;
    this.trainPending = true;
    this.resetStream(this.streams.training);
  }

  update(): Metrics {
    if (!this.trainPending) return {};
    this.trainPending = false;
    const { config } = this;
    if (this.buffer.size < config.batchSize) return {};
    const metrics = this.train();
    this.updates++;
    // pymarl's `episode_num` is the 0-based index of the episode just finished.
    const episodeNumber = this.episodes - 1;
    if (episodeNumber - this.lastTargetUpdateEpisode >= config.targetUpdateEvery) {
      this.copyTargets();
      this.lastTargetUpdateEpisode = episodeNumber;
    }
    return { ...metrics, epsilon: this.epsilon };
  }

  state(): LearnerState {
    const { training, evaluation } = this.streams;
    return {
      algorithm: this.algorithm,
      agentKind: "rnn",
      steps: this.steps,
      episodes: this.episodes,
      stepsAtEpisodeStart: this.stepsAtEpisodeStart,
      updates: this.updates,
      lastTargetUpdateEpisode: this.lastTargetUpdateEpisode,
      trainPending: this.trainPending,
      rng: this.rng.getState(),
      ...encodeModules(this.modules()),
      optimizer: this.optimizer.getState(),
      buffer: this.buffer.state(),
      training: encodeStream(training),
      evaluation: encodeStream(evaluation),
    };
  }

  load(state: LearnerState): void {
    const where = `${this.algorithm}.load`;
    if (state.algorithm !== this.algorithm || state.agentKind !== "rnn") {
      throw new RangeError(
        `${where}: the state is of "${state.algorithm}" with agent ${String(state.agentKind ?? "mlp")}; expected "${this.algorithm}" with agent "rnn"`,
      );
    }
    loadModules(state, this.modules(), where);
    this.optimizer.setState(state.optimizer as AdamState | RmsPropState);
    this.buffer.load(state.buffer as EpisodeBufferState);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.episodes = state.episodes as number;
    this.stepsAtEpisodeStart = state.stepsAtEpisodeStart as number;
    this.updates = state.updates as number;
    this.lastTargetUpdateEpisode = state.lastTargetUpdateEpisode as number;
    this.trainPending = state.trainPending as boolean;
    this.decodeStream(state.training as EncodedStream, this.streams.training, `${where} training`);
    this.decodeStream(state.evaluation as EncodedStream, this.streams.evaluation, `${where} evaluation`);
  }

  dispose(): void {
    for (const module of Object.values(this.modules())) module.dispose();
    this.optimizer.dispose();
    for (const stream of Object.values(this.streams)) stream.hidden.dispose();
  }

  /** The networks, keyed as in the saved state. */
  private modules(): Record<string, Module> {
    const { agent, targetAgent, mixer, targetMixer } = this;
    return mixer === null || targetMixer === null
      ? { agent, targetAgent }
      : { agent, targetAgent, mixer, targetMixer };
  }

  private copyTargets(): void {
    this.agent.copyWeightsTo(this.targetAgent);
    if (this.mixer !== null && this.targetMixer !== null) this.mixer.copyWeightsTo(this.targetMixer);
  }

  private resetStream(stream: ActingStream): void {
    stream.hidden.dispose();
    stream.hidden = tf.zeros([this.numAgents, this.config.rnnHiddenSize]);
    stream.previousActions.fill(0);
    stream.fresh = true;
  }

  private decodeStream(encoded: EncodedStream, stream: ActingStream, where: string): void {
    const expected = this.numAgents * this.config.rnnHiddenSize;
    if (!(encoded?.hidden instanceof Float32Array) || encoded.hidden.length !== expected) {
      throw new RangeError(`${where}: the hidden state must be a Float32Array of ${expected} entries`);
    }
    stream.hidden.dispose();
    stream.hidden = tf.tensor2d(encoded.hidden, [this.numAgents, this.config.rnnHiddenSize]);
    stream.previousActions.set(encoded.previousActions);
    stream.fresh = encoded.fresh;
  }

  /** [o_i, one-hot previous action, one-hot i] of every agent for one acting step. */
  private writeStepInputs(observations: Float32Array, stream: ActingStream): void {
    const { numAgents: n, obsDim, inputSize } = this;
    const out = this.actInput;
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const base = i * inputSize;
      out.set(observations.subarray(i * obsDim, (i + 1) * obsDim), base);
      if (this.config.lastActionInput && !stream.fresh) out[base + obsDim + stream.previousActions[i]] = 1;
      out[base + inputSize - n + i] = 1;
    }
  }

  /**
   * One gradient step on `batchSize` distinct episodes: inputs [T + 1, B·N, in] with T the longest
   * sampled episode, Q unrolled from t = 0 by the online and the target agent, the TD loss on the
   * filled steps.
   */
  private train(): Metrics {
    const { config, numAgents: n, numActions, inputSize, obsDim } = this;
    const batch = config.batchSize;
    const indices = this.buffer.sampleIndices(batch, this.rng, this.batchIndices);
    const { episodes: stored, lengths, maxLength } = this.buffer;
    let time = 0;
    for (let b = 0; b < batch; b++) time = Math.max(time, lengths[indices[b]]);
    const rows = batch * n;
    const mixing = this.mixer !== null;
    const stateDim = mixing ? this.spec.stateDim : 0;
    const scratch = this.scratch;
    const targetRows = time * (mixing ? batch : rows);
    const inputs = scratch.inputs.subarray(0, (time + 1) * rows * inputSize).fill(0);
    const actions = scratch.actions.subarray(0, time * rows).fill(0);
    const rewards = scratch.rewards.subarray(0, targetRows).fill(0);
    const notDone = scratch.notDone.subarray(0, targetRows).fill(0);
    const mask = scratch.mask.subarray(0, targetRows).fill(0);
    const states = scratch.states.subarray(0, (time + 1) * batch * stateDim).fill(0);
    for (let b = 0; b < batch; b++) {
      const e = indices[b];
      const length = lengths[e];
      for (let t = 0; t <= time; t++) {
        if (t <= length) {
          const obsBase = (e * (maxLength + 1) + t) * n * obsDim;
          for (let i = 0; i < n; i++) {
            const base = (t * rows + b * n + i) * inputSize;
            inputs.set(stored.obs.subarray(obsBase + i * obsDim, obsBase + (i + 1) * obsDim), base);
            if (config.lastActionInput && t > 0) {
              inputs[base + obsDim + stored.actions[(e * maxLength + t - 1) * n + i]] = 1;
            }
            inputs[base + inputSize - n + i] = 1;
          }
          const stateBase = (e * (maxLength + 1) + t) * stateDim;
          states.set(stored.states.subarray(stateBase, stateBase + stateDim), (t * batch + b) * stateDim);
        }
        if (t >= length) continue;
        let teamReward = 0;
        let allTerminated = 1;
        for (let i = 0; i < n; i++) {
          const k = (e * maxLength + t) * n + i;
          actions[t * rows + b * n + i] = stored.actions[k];
          teamReward += stored.rewards[k];
          if (stored.terminated[k] === 0) allTerminated = 0;
          if (!mixing) {
            rewards[t * rows + b * n + i] = stored.rewards[k];
            notDone[t * rows + b * n + i] = 1 - stored.terminated[k];
            mask[t * rows + b * n + i] = 1;
          }
        }
        if (mixing) {
          rewards[t * batch + b] = teamReward / n;
          notDone[t * batch + b] = 1 - allTerminated;
          mask[t * batch + b] = 1;
        }
      }
    }

    const input = tf.tensor3d(inputs, [time + 1, rows, inputSize]);
    // Target-agent Q at t = 1 … T (no gradient); the online unroll inside the loss serves both the
    // taken actions' Q (t < T) and, detached, the double-Q argmax (t ≥ 1): one online unroll per update.
    const nextTargetQ = tf.tidy(() =>
      tf.slice(this.targetAgent.unroll(input), [1, 0, 0], [time, rows, numActions]),
    );
    const rewardTensor = tf.tensor1d(rewards);
    const notDoneTensor = tf.tensor1d(notDone);
    const actionMask = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.tensor1d(actions, "int32"), numActions), "float32"),
    );
    const stepMask = tf.tensor1d(mask);
    const currentStates = mixing
      ? tf.tensor2d(states.subarray(0, time * batch * stateDim), [time * batch, stateDim])
      : null;
    const nextStates = mixing
      ? tf.tensor2d(states.subarray(batch * stateDim, (time + 1) * batch * stateDim), [
          time * batch,
          stateDim,
        ])
      : null;
    const reads: tf.Tensor[] = [];
    const { loss, gradNorm, read } = this.optimizer.minimize(() => {
      const all = this.agent.unroll(input);
      const q = tf.slice(all, [0, 0, 0], [time, rows, numActions]);
      const greedySource = config.doubleQ
        ? stopGradient(tf.slice(all, [1, 0, 0], [time, rows, numActions]))
        : nextTargetQ;
      const choice = tf.cast(tf.oneHot(tf.argMax(greedySource, 2), numActions), "float32");
      let next = tf.sum(tf.mul(nextTargetQ, choice), 2); // [T, B·N]
      let chosen = tf.sum(tf.mul(tf.reshape(q, [time * rows, numActions]), actionMask), 1);
      if (this.mixer !== null && this.targetMixer !== null && currentStates !== null && nextStates !== null) {
        next = this.targetMixer.apply(tf.reshape(next, [time * batch, n]) as tf.Tensor2D, nextStates);
        chosen = this.mixer.apply(tf.reshape(chosen, [time * batch, n]) as tf.Tensor2D, currentStates);
      }
      const targets = stopGradient(
        tf.add(rewardTensor, tf.mul(tf.mul(tf.reshape(next, [-1]), notDoneTensor), config.discount)),
      );
      const filled = tf.sum(stepMask);
      reads.push(tf.keep(tf.div(tf.sum(tf.mul(chosen, stepMask)), filled)));
      const error = tf.mul(tf.sub(chosen, targets), stepMask);
      return tf.div(tf.sum(tf.square(error)), filled) as tf.Scalar;
    }, reads);
    const meanQ = read[0] as number;
    tf.dispose([input, nextTargetQ, rewardTensor, notDoneTensor, actionMask, stepMask]);
    currentStates?.dispose();
    nextStates?.dispose();
    return { "loss/td": loss, [mixing ? "q/total-mean" : "q/mean"]: meanQ, "grad/norm": gradNorm };
  }
}

/** An acting stream in a saved state. */
interface EncodedStream {
  hidden: Float32Array;
  previousActions: Int32Array;
  fresh: boolean;
}

function encodeStream(stream: ActingStream): EncodedStream {
  return {
    hidden: Float32Array.from(stream.hidden.dataSync()),
    previousActions: stream.previousActions.slice(),
    fresh: stream.fresh,
  };
}
