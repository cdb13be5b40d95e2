/**
 * @netmarl/policies-ip — Intention Propagation (Qu et al., ICLR 2021).
 * This file is the package's whole public API.
 */

export {
  INTENTION_VARIANTS,
  IntentionNetwork,
  type IntentionNetworkOptions,
  type IntentionVariant,
} from "./intention-network.js";
export { type IpConfig, IpLearner, ipAlgorithm, ipIndependentAlgorithm } from "./ip-learner.js";
export { type IpMinibatch, policyLoss, qLoss, softValueTarget, valueLoss } from "./ip-losses.js";
export { decodeHalves, fromHalf, toHalf } from "./replay/half-float.js";
export {
  type FrameBatch,
  type FramePrecision,
  SharedFrameReplay,
  type SharedFrameReplayOptions,
  type SharedFrameReplayState,
} from "./replay/shared-frame-replay.js";
export { type CriticSizes, NeighbourQ, StateValue } from "./soft-critics.js";
