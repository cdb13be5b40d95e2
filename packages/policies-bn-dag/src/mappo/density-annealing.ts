/**
 * The DAG-density schedule of BN-MAPPO (spec §3.5; BNPG `BN_MAPPO_SMAC/onpolicy/runner/shared/
 * smac_runner.py::run`): the regulariser α·|ρ(G) − η| pulls the open ratio ρ towards η.
 * η ("threshold") starts at 1; from 40 % of the updates, every
 * `decayInterval = max(⌊U·0.6/numDecay/2⌋, 1)` updates η ← max(η − 1/numDecay, 0) (η reaches 0
 * around 70 %); α starts at `initialWeight` and from 70 %, every
 * `alphaInterval = max(⌊U·0.2/numDecay/2⌋, 1)` updates α ← min(α + (target − initial)/alphaInterval, 1).
 * U = total updates (the runner's `episodes`); update index k counts from 0 like `episode`.
 */
export interface DensityAnnealingOptions {
  /** α₀ (`--alpha`: 0.1 on 6h_vs_8z, 0.05 on MMM2). */
  initialWeight: number;
  /** α's target (1 on 6h_vs_8z, 0.5 otherwise). */
  targetWeight: number;
  /** num_decay = 40. */
  numDecay: number;
}

export interface DensitySchedulePoint {
  /** η, the target open ratio. */
  threshold: number;
  /** α, the regulariser's weight. */
  weight: number;
}

/** η and α in force during update `update` (0-based) of `totalUpdates`, replaying the runner's loop. */
export function densitySchedule(
  update: number,
  totalUpdates: number,
  options: DensityAnnealingOptions,
): DensitySchedulePoint {
  const { numDecay, initialWeight, targetWeight } = options;
  const decayInterval = Math.max(Math.floor((totalUpdates * 0.6) / numDecay / 2), 1);
  const alphaInterval = Math.max(Math.floor((totalUpdates * 0.2) / numDecay / 2), 1);
  let threshold = 1;
  let weight = initialWeight;
  for (let episode = 0; episode <= update; episode++) {
    if (episode / totalUpdates >= 0.4 && episode % decayInterval === 0)
      threshold = Math.max(threshold - 1 / numDecay, 0);
    if (episode / totalUpdates >= 0.7 && episode % alphaInterval === 0)
      weight = Math.min(weight + (targetWeight - initialWeight) / alphaInterval, 1);
  }
  return { threshold, weight };
}
