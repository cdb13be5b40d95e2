import type { Rng } from "@netmarl/envs";

/** Index of the largest of `values[offset … offset + length)` (the first on ties). */
export function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/** A draw from softmax(`logits[offset … offset + length)`) with the given generator. */
export function sampleCategorical(logits: Float32Array, offset: number, length: number, rng: Rng): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, logits[offset + i]);
  let total = 0;
  for (let i = 0; i < length; i++) total += Math.exp(logits[offset + i] - max);
  let target = rng.uniform() * total;
  for (let i = 0; i < length; i++) {
    target -= Math.exp(logits[offset + i] - max);
    if (target < 0) return i;
  }
  return length - 1;
}

/** ε decayed linearly from `epsilonStart` to `epsilonEnd` over `epsilonDecaySteps` steps. */
export function linearEpsilon(
  config: { epsilonStart: number; epsilonEnd: number; epsilonDecaySteps: number },
  steps: number,
): number {
  const progress = Math.min(1, steps / config.epsilonDecaySteps);
  return config.epsilonStart + (config.epsilonEnd - config.epsilonStart) * progress;
}

/**
 * ε-greedy over each agent's row of `q` (N × numActions) into `actions`: with probability ε a
 * uniform action, else the argmax. No draw at all when ε = 0, so greedy acting leaves `rng` as is.
 */
export function epsilonGreedyInto(
  q: Float32Array,
  numActions: number,
  epsilon: number,
  rng: Rng,
  actions: Int32Array,
): Int32Array {
  for (let agent = 0; agent < actions.length; agent++) {
    actions[agent] =
      epsilon > 0 && rng.uniform() < epsilon
        ? rng.int(numActions)
        : argmax(q, agent * numActions, numActions);
  }
  return actions;
}
