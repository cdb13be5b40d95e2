import type { AgentGraph } from "../graph/agent-graph.js";
import type { Box } from "../spaces/box.js";
import type { Space } from "../spaces/space.js";

/** What a learner needs to know about an environment before it sees one step. */
export interface EnvSpec {
  /** Registry id, e.g. `coordination-game`. */
  readonly id: string;
  /** Number of agents N. */
  readonly numAgents: number;
  /** Entries of one agent's observation (padded to the largest where agents differ). */
  readonly obsDim: number;
  /** One agent's observation space (`Box([obsDim], …)`). */
  readonly observationSpace: Box;
  /** One agent's action space; a step takes N × `actionSpace.size` entries. */
  readonly actionSpace: Space;
  /** Entries of the global state, or 0 when the environment has none. */
  readonly stateDim: number;
  /** Steps after which an episode is truncated. */
  readonly maxSteps: number;
  /** Group (agent type) index of each agent, for heterogeneous environments. */
  readonly groups?: Int32Array;
}

/** Extra per-step information; keys are documented by each environment. */
export type EnvInfos = Record<string, unknown>;

/** Actions of all agents, flat: `Int32Array` for discrete spaces, `Float32Array` for `Box`. */
export type Actions = Int32Array | Float32Array | ArrayLike<number>;

export interface ResetResult {
  /** N × obsDim observations, agent-major. */
  readonly obs: Float32Array;
  /** Global state (stateDim entries) where the environment has one. */
  readonly state?: Float32Array;
  readonly infos: EnvInfos;
}

export interface StepResult extends ResetResult {
  /** One reward per agent. */
  readonly rewards: Float32Array;
  /** 1 where the agent's episode ended inside the MDP. */
  readonly terminated: Uint8Array;
  /** 1 where the agent's episode was cut (time limit). */
  readonly truncated: Uint8Array;
}

/**
 * The PettingZoo *parallel* API, array-first. Environments reuse their output buffers: the arrays
 * of a result stay valid until the next `step`/`reset` — copy what you keep.
 */
export interface MultiAgentEnv {
  readonly spec: EnvSpec;
  /** Starts an episode; a seed re-seeds the environment's generator, no seed continues its stream. */
  reset(seed?: number): ResetResult;
  /** Advances all agents at once. Invalid actions are refused with a `RangeError` naming the entry. */
  step(actions: Actions): StepResult;
  /**
   * The current interaction graph (static or recomputed each step). Like the step results, a
   * dynamic graph's arrays may be rewritten by the next `step`: keep a copy
   * (`AgentGraphSnapshot`) if you need the graph the actions were chosen on.
   */
  graph(): AgentGraph;
  close?(): void;
}

/** True when every agent's episode has ended (terminated or truncated). */
export function isEpisodeOver(result: Pick<StepResult, "terminated" | "truncated">): boolean {
  for (let i = 0; i < result.terminated.length; i++) {
    if (result.terminated[i] === 0 && result.truncated[i] === 0) return false;
  }
  return true;
}
