import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";

/**
 * The PPO fields MAPPO-family learners share (on-policy `config.py`; spec §5.3), as a zod shape to
 * spread into a learner's schema — override a default with `field.default(value)` where the
 * original of that learner differs (BN-MAPPO: lr 7e-4, 5 epochs).
 */
export const ppoConfigFields = {
  /** Actor Adam step size. */
  learningRate: z.number().gt(0).default(5e-4),
  /** Critic Adam step size. */
  criticLearningRate: z.number().gt(0).default(5e-4),
  /** Discount γ. */
  discount: z.number().min(0).max(1).default(0.99),
  /** GAE λ. */
  gaeLambda: z.number().min(0).max(1).default(0.95),
  /** PPO clip ε (ratio and value). */
  clipRatio: z.number().gt(0).default(0.2),
  /** Passes over each rollout. */
  epochs: z.number().int().min(1).default(15),
  /** Minibatches per pass. */
  numMiniBatches: z.number().int().min(1).default(1),
  /** Entropy bonus coefficient c_H. */
  entropyCoefficient: z.number().min(0).default(0.01),
  /** Weight of the value loss. */
  valueLossCoefficient: z.number().min(0).default(1),
  /** Huber δ of the value loss. */
  huberDelta: z.number().gt(0).default(10),
  /** Clip the value update like the policy ratio. */
  clipValueLoss: z.boolean().default(true),
  /** Global gradient-norm clip. */
  maxGradNorm: z.number().min(0).default(10),
  /** Environment steps per rollout (each holds every agent). */
  rolloutSteps: z.number().int().min(1).default(400),
};

/** Elementwise Huber loss of `error` with threshold δ (PyTorch's `huber_loss` without the mean). */
export function huberLoss(error: tf.Tensor, delta: number): tf.Tensor {
  const absolute = tf.abs(error);
  const quadratic = tf.minimum(absolute, delta);
  return tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(tf.sub(absolute, quadratic), delta));
}
