import type { Rng } from "../random/rng.js";
import type { Actions, EnvSpec, ResetResult, StepResult } from "./multi-agent-env.js";

/**
 * The influence sources u_i of one agent: `numSources` categorical variables, each taking a value
 * in [0, numValues). Binary sources (a vehicle enters or not) have `numValues = 2`; the warehouse's
 * neighbour robot on one of 3 shared cells or none has `numValues = 4` (value 3 = none).
 */
export interface InfluenceSpec {
  readonly numSources: number;
  readonly numValues: number;
}

/**
 * A single-agent simulator of one agent's region (DIALS' influence-augmented local simulator). The
 * rest of the system reaches the region only through the influence sources, which the caller
 * samples (from an approximate influence predictor) and passes to every `step`.
 */
export interface LocalSimulator {
  /** Spec of the one-agent environment (`numAgents = 1`); observations match the global env's agent. */
  readonly spec: EnvSpec;
  readonly influenceSpec: InfluenceSpec;
  reset(seed?: number): ResetResult;
  /** Advances the region one step with the agent's action and one value per influence source. */
  step(action: Actions, influence: Int32Array): StepResult;
  /** The d-set of the local agent, as {@link LocalView.localState} gives it in the global env. */
  localState(out?: Float32Array): Float32Array;
}

/**
 * Factorised environments (DIALS traffic and warehouse) expose each agent's region: its local
 * state (the predictor's input, the d-set), the current values of its influence sources, and a
 * local simulator of the region.
 */
export interface LocalView {
  /** Size of `localState(i)`. */
  readonly localStateDim: number;
  influenceSpec(agent: number): InfluenceSpec;
  /** Agent i's d-set now (written into `out` when given). */
  localState(agent: number, out?: Float32Array): Float32Array;
  /** The values the influence sources of agent i took at the last step (written into `out` when given). */
  influenceSources(agent: number, out?: Int32Array): Int32Array;
  /** A new local simulator of agent i's region, its randomness drawn from `rng`. */
  createLocalSimulator(agent: number, rng?: Rng): LocalSimulator;
}

/** Narrows an environment to one that also implements {@link LocalView}. */
export function hasLocalView<T extends object>(env: T): env is T & LocalView {
  const candidate = env as Partial<LocalView>;
  return (
    typeof candidate.localState === "function" &&
    typeof candidate.influenceSources === "function" &&
    typeof candidate.createLocalSimulator === "function"
  );
}
