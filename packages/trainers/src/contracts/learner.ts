import type { AgentGraph } from "@netmarl/envs";

/** Options of {@link Learner.act}. */
export interface ActOptions {
  /** True while training (explore), false for evaluation (greedy / mean action). */
  explore: boolean;
  /**
   * True on the first observation of an episode. Recurrent learners start their memory from zero
   * there; the Runner sets it for training and evaluation episodes (evaluation calls no `observe`,
   * so this is how a learner sees its episode boundaries). Omitted: the episode continues.
   */
  episodeStart?: boolean;
}

/**
 * One environment step as a learner sees it. The arrays belong to the runner and the environment
 * and are reused: a learner copies what it keeps (into its own typed-array buffers).
 */
export interface Transition {
  /** N × obsDim observations before the step. */
  obs: Float32Array;
  /** The actions taken (N × actionSpace.size). */
  actions: Int32Array | Float32Array;
  /** N rewards. */
  rewards: Float32Array;
  /** N × obsDim observations after the step (the final ones when the episode ended). */
  nextObs: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Global state before and after the step, where the environment has one. */
  state?: Float32Array;
  nextState?: Float32Array;
  /** The interaction graph the actions were chosen on. */
  graph: AgentGraph;
}

/** Named scalar metrics, e.g. `{ "loss/policy": 0.12, "loss/value": 0.4 }`. */
export type Metrics = Record<string, number>;

/**
 * A snapshot of a learner: JSON-like data (counters, generator state) with typed arrays for the
 * bulk (weights, buffers). Weights are copies; a replay buffer's rows are views valid until the
 * learner next observes (copying gigabytes per checkpoint would double the memory), so write the
 * state (`writeStateFile`, as checkpoints do) before stepping on.
 */
export type LearnerState = { algorithm: string } & Record<string, unknown>;

/**
 * What every algorithm implements. The runner calls, for each environment step:
 * `act` → env.step → `observe` → `update` (which may do nothing until it has data).
 */
export interface Learner {
  /** Actions of all agents for the current observations. */
  act(observations: Float32Array, graph: AgentGraph, options: ActOptions): Int32Array | Float32Array;
  /** Records one transition. */
  observe(transition: Transition): void;
  /** Learns from what it has observed; returns named metrics (empty when it did not update). */
  update(): Metrics;
  /** Snapshot for checkpoints; `load(state())` restores the learner exactly. */
  state(): LearnerState;
  load(state: LearnerState): void;
  /** Frees tensors and buffers. The learner is unusable afterwards. */
  dispose(): void;
}
