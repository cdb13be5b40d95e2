/**
 * @netmarl/envs — networked multi-agent environments on flat typed arrays.
 * This file is the package's whole public API.
 */

export {
  COORDINATION_GAME_TIE_MARGINS,
  CoordinationGame,
  type CoordinationGameOptions,
  type CoordinationGameTabularModel,
} from "./coordination-game/coordination-game.js";
export { hasLocalView, type InfluenceSpec, type LocalSimulator, type LocalView } from "./env/local-view.js";
export {
  type Actions,
  type EnvInfos,
  type EnvSpec,
  isEpisodeOver,
  type MultiAgentEnv,
  type ResetResult,
  type StepResult,
} from "./env/multi-agent-env.js";
export { OptionsError, parseOptions } from "./env/parse-options.js";
export { validateActions } from "./env/validate-actions.js";
export { AgentGraph, type FromEdgesOptions } from "./graph/agent-graph.js";
export { createRng, Rng, type RngState, type TypedNumberArray } from "./random/rng.js";
export { Box } from "./spaces/box.js";
export { Discrete } from "./spaces/discrete.js";
export { MultiDiscrete } from "./spaces/multi-discrete.js";
export type { Space } from "./spaces/space.js";
export { EnvWrapper } from "./wrappers/env-wrapper.js";
export { type EpisodeStatistics, RecordEpisodeStatistics } from "./wrappers/record-episode-statistics.js";
export { SyncVectorEnv, type VectorStepResult } from "./wrappers/sync-vector-env.js";
export { TimeLimit } from "./wrappers/time-limit.js";
