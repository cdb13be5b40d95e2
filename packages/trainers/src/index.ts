/**
 * @netmarl/trainers — the learner contract, the training loop and the baseline learners.
 * This file is the package's whole public API.
 */

export { type AlgorithmDefinition, defineAlgorithm } from "./contracts/algorithm-definition.js";
export type { ActOptions, Learner, LearnerState, Metrics, Transition } from "./contracts/learner.js";
export { FixedPolicyLearner, fixedPolicyAlgorithm, type Policy } from "./learners/fixed-policy-learner.js";
export { RandomLearner, randomAlgorithm } from "./learners/random-learner.js";
export {
  JsonlMetricsSink,
  MemoryMetricsSink,
  type MetricRecord,
  type MetricsSink,
  readJsonl,
} from "./metrics/metrics-sink.js";
export {
  forkRunStreams,
  type RunConfig,
  Runner,
  type RunProgress,
  type RunStreams,
  type RunSummary,
} from "./runner/runner.js";
