/**
 * @netmarl/policies-ltos — LToS, learning to share rewards with graph neighbours (Yi, Li, Wang, Lu).
 * This file is the package's whole public API.
 */

export { SharingNoise, type SharingNoiseKind } from "./exploration/sharing-noise.js";
export {
  fixedLtosAlgorithm,
  type LtosConfig,
  LtosLearner,
  ltosAlgorithm,
  receiverGradients,
} from "./ltos-learner.js";
export { type SharingBatch, SharingReplay, type SharingReplayOptions } from "./replay/sharing-replay.js";
export { SharingLayout, selfishLogit, softmaxRowsInto } from "./sharing/sharing-layout.js";
export { SharingNetwork, type SharingNetworkOptions } from "./sharing/sharing-network.js";
export {
  type TrafficPipelineConfig,
  TrafficRoundPipeline,
  type TrafficRoundResult,
  trafficPipelineConfigSchema,
} from "./traffic/traffic-round-pipeline.js";
