import type * as tf from "@tensorflow/tfjs-core";
import { Adam, type AdamState } from "./adam.js";
import type { OptimizerStep } from "./read-scalars.js";
import { RmsProp, type RmsPropState } from "./rms-prop.js";

/** The optimiser fields of the Q-learners' configs (`pymarlQLearningFields` plus `maxGradNorm`). */
export interface QOptimizerConfig {
  optimizer: "rmsprop" | "adam";
  learningRate: number;
  rmspropAlpha: number;
  rmspropEpsilon: number;
  maxGradNorm: number;
}

/** What the Q-learners need of an optimiser: a clipped step, the step size, an exact state. */
export interface GradientOptimizer {
  learningRate: number;
  minimize(loss: () => tf.Scalar, alsoRead?: tf.Tensor[]): OptimizerStep;
  getState(): AdamState | RmsPropState;
  setState(state: AdamState | RmsPropState): void;
  dispose(): void;
}

/** RMSprop (pymarl's α, ε) or Adam over `variables`, with global-norm clipping. */
export function createQOptimizer(
  variables: readonly tf.Variable[],
  config: QOptimizerConfig,
): GradientOptimizer {
  const { learningRate, maxGradNorm } = config;
  if (config.optimizer === "adam") {
    const adam = new Adam(variables, { learningRate, maxGradNorm });
    return adam as GradientOptimizer & Adam;
  }
  return new RmsProp(variables, {
    learningRate,
    alpha: config.rmspropAlpha,
    epsilon: config.rmspropEpsilon,
    maxGradNorm,
  }) as GradientOptimizer & RmsProp;
}
