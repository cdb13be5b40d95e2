import { z } from "zod";

/**
 * The replay Q-learning settings DQN/IQL and QMIX share, with pymarl's defaults
 * (`src/config/default.yaml`, `algs/iql.yaml`, `algs/qmix.yaml`; spec §5.4). Spread into a
 * learner's `z.object({ … })`.
 */
export const pymarlQLearningFields = {
  /** Adam step size (pymarl uses RMSprop at 5e-4). */
  learningRate: z.number().gt(0).default(5e-4),
  /** Discount γ. */
  discount: z.number().min(0).max(1).default(0.99),
  /** Minibatch size in transitions (each holds every agent). */
  batchSize: z.number().int().min(1).default(32),
  /** Replay capacity in transitions. */
  bufferCapacity: z.number().int().min(1).default(50_000),
  /** Environment steps before the first update. */
  learningStarts: z.number().int().min(0).default(1_000),
  /** One gradient step every this many environment steps. */
  trainEvery: z.number().int().min(1).default(1),
  /** Hard target copy every this many gradient steps. */
  targetUpdateEvery: z.number().int().min(1).default(200),
  /** ε at the start … */
  epsilonStart: z.number().min(0).max(1).default(1),
  /** … decayed linearly to this … */
  epsilonEnd: z.number().min(0).max(1).default(0.05),
  /** … over this many environment steps. */
  epsilonDecaySteps: z.number().int().min(1).default(50_000),
};
