/**
 * @netmarl/trainers — the learner contract, the training loop and the baseline learners.
 * This file is the package's whole public API.
 */

export { writeFileAtomic } from "@netmarl/envs";
export {
  EpisodeBuffer,
  type EpisodeBufferOptions,
  type EpisodeBufferState,
} from "./buffers/episode-buffer.js";
export { type ReplayBatch, ReplayBuffer, type ReplayBufferOptions } from "./buffers/replay-buffer.js";
export { RolloutBuffer, type RolloutBufferOptions, type RolloutStep } from "./buffers/rollout-buffer.js";
export { type ChunkMinibatch, writeChunkMinibatch } from "./buffers/sequence-chunks.js";
export { type AlgorithmDefinition, defineAlgorithm } from "./contracts/algorithm-definition.js";
export type { ActOptions, Learner, LearnerState, Metrics, Transition } from "./contracts/learner.js";
export { epsilonGreedyInto } from "./learners/action-selection.js";
export { type DgnConfig, DgnLearner, dgnAlgorithm } from "./learners/dgn/dgn-learner.js";
export { type DgnForward, DgnNetwork, type DgnNetworkOptions } from "./learners/dgn/dgn-network.js";
export { NeighbourRows } from "./learners/dgn/neighbour-rows.js";
export { type DqnConfig, DqnLearner, dqnAlgorithm } from "./learners/dqn/dqn-learner.js";
export { FixedPolicyLearner, fixedPolicyAlgorithm, type Policy } from "./learners/fixed-policy-learner.js";
export {
  type CentralisedCritic,
  type CriticApplyOptions,
  type CriticOptions,
  GraphCritic,
  type GraphCriticOptions,
  MlpCritic,
} from "./learners/maddpg/centralised-critics.js";
export {
  type MaddpgConfig,
  MaddpgLearner,
  type MaddpgVariant,
  maddpgAlgorithm,
  maddpgsAlgorithm,
  type PicConfig,
  picAlgorithm,
} from "./learners/maddpg/maddpg-learner.js";
export {
  ippoAlgorithm,
  type MappoConfig,
  MappoLearner,
  mappoAlgorithm,
  rmappoAlgorithm,
} from "./learners/ppo/mappo-learner.js";
export { huberLoss, ppoConfigFields } from "./learners/ppo/ppo-config-fields.js";
export { type QmixConfig, QmixLearner, qmixAlgorithm } from "./learners/qmix/qmix-learner.js";
export { QmixMixer, type QmixMixerOptions } from "./learners/qmix/qmix-mixer.js";
export { RandomLearner, randomAlgorithm } from "./learners/random-learner.js";
export { type RecurrentQConfig, RecurrentQLearner } from "./learners/recurrent-q/recurrent-q-learner.js";
export { RnnAgent, type RnnAgentOptions } from "./learners/recurrent-q/rnn-agent.js";
export { type TabularQConfig, TabularQLearner, tabularQAlgorithm } from "./learners/tabular-q-learner.js";
export { CsvMetricsSink, type MetricsCsvRow, readMetricsCsv } from "./metrics/csv-metrics-sink.js";
export {
  JsonlMetricsSink,
  MemoryMetricsSink,
  type MetricRecord,
  type MetricsSink,
  readJsonl,
} from "./metrics/metrics-sink.js";
export { Adam, type AdamOptions, type AdamState } from "./optim/adam.js";
export {
  LEARNING_RATE_SCHEDULES,
  type LearningRateSchedule,
  learningRateFactor,
} from "./optim/learning-rate-schedule.js";
export { RmsProp, type RmsPropOptions, type RmsPropState } from "./optim/rms-prop.js";
export { softUpdate } from "./optim/soft-update.js";
export { ValueNormalizer, type ValueNormalizerState } from "./optim/value-normalizer.js";
export {
  type EncodedWeight,
  encodeModules,
  encodeModuleWeights,
  loadModules,
  loadModuleWeights,
} from "./persistence/module-weights.js";
export { readStateFile, type StateArray, writeStateFile } from "./persistence/state-file.js";
export { decodeTypedArrayInto, encodeTypedArray } from "./persistence/typed-array-codec.js";
export { loadRunCheckpoint, type RunCheckpoint } from "./runner/run-checkpoint.js";
export {
  forkRunStreams,
  type RunConfig,
  Runner,
  type RunnerOptions,
  type RunProgress,
  type RunStreams,
  type RunSummary,
} from "./runner/runner.js";
