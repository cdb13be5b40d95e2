/**
 * @netmarl/envs — networked multi-agent environments on flat typed arrays.
 * This file is the package's whole public API.
 */

export { ALOHA_LAYOUTS, Aloha, type AlohaLayout, type AlohaOptions } from "./aloha/aloha.js";
export {
  COORDINATION_GAME_TIE_MARGINS,
  CoordinationGame,
  type CoordinationGameOptions,
  type CoordinationGameTabularModel,
} from "./coordination-game/coordination-game.js";
export { closestMatch, didYouMean } from "./env/closest-match.js";
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
export { AgentGraphSnapshot } from "./graph/agent-graph-snapshot.js";
export { circlePositions, layoutPositions } from "./graph/graph-replay.js";
export {
  buildLayoutGraph,
  GRAPH_LAYOUTS,
  type GraphLayout,
  type LayoutOptions,
} from "./graph/layout-graph.js";
export { JUNGLE_ACTION_OFFSETS, JUNGLE_FIRST_ATTACK, Jungle, type JungleOptions } from "./jungle/jungle.js";
export { MemoryCue, type MemoryCueOptions } from "./memory-cue/memory-cue.js";
export {
  COOPERATIVE_NAVIGATION_PRESETS,
  CooperativeNavigation,
  type CooperativeNavigationOptions,
} from "./mpe/cooperative-navigation.js";
export {
  COOPERATIVE_PUSH_PRESETS,
  CooperativePush,
  type CooperativePushOptions,
} from "./mpe/cooperative-push.js";
export {
  createMpeEnvironment,
  MPE_SCENARIO_IDS,
  MPE_SCENARIOS,
  type MpeScenarioEntry,
  type MpeScenarioId,
} from "./mpe/create-mpe-environment.js";
export {
  HETEROGENEOUS_NAVIGATION_PRESETS,
  HeterogeneousNavigation,
  type HeterogeneousNavigationOptions,
} from "./mpe/heterogeneous-navigation.js";
export { type MpeActionMode, MpeEnv, type MpeObservationSorting, type MpeSnapshot } from "./mpe/mpe-env.js";
export { type CollisionRule, contactCutoff, MPE_PHYSICS, MpeWorld } from "./mpe/mpe-world.js";
export { PREDATOR_PREY_PRESETS, PredatorPrey, type PredatorPreyOptions } from "./mpe/predator-prey.js";
export {
  NetworkedCoordination,
  type NetworkedCoordinationOptions,
} from "./networked-coordination/networked-coordination.js";
export { writeFileAtomic } from "./persistence/write-file-atomic.js";
export {
  PRISONERS_DILEMMA_ACTIONS,
  PRISONERS_DILEMMA_LAYOUTS,
  PrisonersDilemma,
  type PrisonersDilemmaLayout,
  type PrisonersDilemmaOptions,
} from "./prisoners-dilemma/prisoners-dilemma.js";
export { createRng, Rng, type RngState, type TypedNumberArray } from "./random/rng.js";
export {
  ReplayFileSink,
  type ReplayFileSinkOptions,
  type ReplaySink,
} from "./replay/replay-file-sink.js";
export { sameReplayGraph, toReplayGraph } from "./replay/replay-graph.js";
export { isReplayableEnv, type ReplayableEnv } from "./replay/replayable.js";
export { Box } from "./spaces/box.js";
export { Discrete } from "./spaces/discrete.js";
export { MultiDiscrete } from "./spaces/multi-discrete.js";
export type { Space } from "./spaces/space.js";
export {
  type CityFlowConfig,
  type FlowSpec,
  parseCityFlowConfig,
  parseFlows,
  parseRoadnet,
  type RoadnetSpec,
  type VehicleParameters,
} from "./traffic/cityflow-files.js";
export { CityFlowFormatError } from "./traffic/cityflow-format-error.js";
export {
  buildCityFlowRoadnetLog,
  type CityFlowRoadnetLog,
  formatCityFlowReplayLine,
} from "./traffic/cityflow-replay.js";
export {
  DialsLocalSimulator,
  DialsTrafficEnv,
  type DialsTrafficOptions,
} from "./traffic/dials-traffic-env.js";
export {
  type GridScenario,
  type GridScenarioOptions,
  generateGridScenario,
  parseGridSize,
} from "./traffic/grid-scenario.js";
export {
  type CityFlowScenario,
  createEngineFromScenario,
  loadCityFlowScenario,
  loadRoadnetAndFlows,
} from "./traffic/load-cityflow-scenario.js";
export { type CityFlowReplayFiles, RecordCityFlowReplay } from "./traffic/record-cityflow-replay.js";
export { RoadNetwork } from "./traffic/road-network.js";
export { SignalControlEnv, type SignalControlOptions } from "./traffic/signal-control-env.js";
export {
  type RunningVehicleArrays,
  TrafficEngine,
  type TrafficEngineOptions,
} from "./traffic/traffic-engine.js";
export { DialsWarehouse, type DialsWarehouseOptions } from "./warehouse/warehouse.js";
export {
  WarehouseLocalSimulator,
  type WarehouseLocalSimulatorOptions,
} from "./warehouse/warehouse-local-simulator.js";
export { EnvWrapper, findInWrappedEnvs } from "./wrappers/env-wrapper.js";
export {
  ENV_GRAPH_OVERLAY,
  type OverlayContext,
  RecordEpisode,
  type RecordEpisodeOptions,
} from "./wrappers/record-episode.js";
export {
  type EpisodeStatistics,
  type EpisodeStatisticsStepResult,
  RecordEpisodeStatistics,
} from "./wrappers/record-episode-statistics.js";
export { SyncVectorEnv, type VectorStepResult } from "./wrappers/sync-vector-env.js";
export { TimeLimit } from "./wrappers/time-limit.js";
