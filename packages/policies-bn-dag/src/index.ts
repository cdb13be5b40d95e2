/**
 * @netmarl/policies-bn-dag — Bayesian-network joint policies (Chen & Zhang, ICML 2023).
 * This file is the package's whole public API.
 */

export {
  BayesianNetworkDag,
  DAG_KINDS,
  type DagKind,
  topologicalOrderInto,
} from "./dag/bayesian-network-dag.js";
export { BnActor, type BnActorOptions } from "./mappo/bn-actor.js";
export {
  type BnMappoConfig,
  BnMappoLearner,
  bnMappoAlgorithm,
  bnMappoConfigSchema,
} from "./mappo/bn-mappo-learner.js";
export {
  ContextAwareDagGenerator,
  type ContextAwareDagOptions,
  type DagGenerator,
  DummyDagGenerator,
} from "./mappo/dag-generator.js";
export {
  type DensityAnnealingOptions,
  type DensitySchedulePoint,
  densitySchedule,
} from "./mappo/density-annealing.js";
export { exactPriceOfAnarchy } from "./mappo/exact-price-of-anarchy.js";
export {
  bestResponseObjective,
  type DeviationInformation,
  evaluatePolicy,
  nashGap,
  optimalObjective,
  type PolicyEvaluation,
} from "./tabular/exact-evaluation.js";
export { solveLinearSystem } from "./tabular/linear-solve.js";
export { exactPolicyGradient } from "./tabular/policy-gradient.js";
export { TabularBnPolicy } from "./tabular/tabular-bn-policy.js";
export {
  checkTabularGame,
  MAX_TABULAR_AGENTS,
  type TabularGame,
  tabularGameFromModel,
} from "./tabular/tabular-game.js";
export {
  type TabularBnTrainingOptions,
  type TabularBnTrainingResult,
  trainTabularBnPolicy,
} from "./tabular/train-tabular-bn.js";
