/**
 * @netmarl/influence-sim — DIALS (Suau et al.): approximate influence predictors, per-agent
 * influence-augmented local simulators and parallel per-agent PPO training.
 * This file is the package's whole public API.
 */

export {
  createDialsEnvironment,
  DIALS_VARIANTS,
  type DialsConfig,
  type DialsConfigInput,
  type DialsEnvironment,
  type DialsVariant,
  dialsConfigSchema,
  requireLocalView,
} from "./dials/dials-config.js";
export {
  type ActingPolicy,
  collectInfluenceData,
  evaluateInGlobal,
  trainInGlobal,
} from "./dials/global-simulation.js";
export { LocalAgent, type LocalAgentState, type LocalTrainingReport } from "./dials/local-agent.js";
export {
  type DialsIterationRecord,
  type DialsRunOptions,
  type DialsSummary,
  type InfluenceLossSummary,
  runDials,
} from "./dials/run-dials.js";
export {
  type AgentGroupTask,
  type AgentGroupTaskResult,
  type AgentGroupWork,
  runAgentGroupTask,
} from "./executor/agent-group-task.js";
export {
  type AgentInfluenceResult,
  AgentPhaseError,
  type AgentTrainingResult,
  DIALS_PHASES,
  type DialsExecutor,
  type DialsPhase,
  type ExecutorSetup,
} from "./executor/dials-executor.js";
export { InlineExecutor } from "./executor/inline-executor.js";
export { WorkerExecutor, type WorkerExecutorOptions } from "./executor/worker-executor.js";
export { type InfluenceDataset, validateInfluenceDataset } from "./influence/influence-dataset.js";
export { constantPredictorLoss, influenceLoss } from "./influence/influence-loss.js";
export {
  InfluencePredictor,
  type InfluencePredictorOptions,
  sampleInfluence,
} from "./influence/influence-predictor.js";
export {
  type InfluenceTrainingOptions,
  type InfluenceTrainingReport,
  testInfluenceLoss,
  trainInfluencePredictor,
} from "./influence/train-influence-predictor.js";
export {
  PpoAgent,
  type PpoAgentConfig,
  type PpoAgentState,
  PpoNetwork,
  type PpoUpdateMetrics,
  ppoAgentConfigSchema,
} from "./ppo/ppo-agent.js";
