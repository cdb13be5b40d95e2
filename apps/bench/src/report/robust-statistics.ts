import { createRng } from "@netmarl/envs";

/**
 * Robust aggregates over runs, as rliable (Agarwal et al., NeurIPS 2021) and marl-eval (Gorsane
 * et al., 2022) recommend next to mean ± t-interval: the interquartile mean with a stratified
 * bootstrap confidence interval, and performance profiles.
 */

/** Interquartile mean: the mean of the middle half, as scipy's `trim_mean(x, 0.25)` (rliable's IQM). */
export function interquartileMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * 0.25);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

export interface BootstrapInterval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap 95 % interval of `statistic` over runs, resampling runs with replacement
 * *within each stratum* (a task), so every resample keeps each task's number of runs. Seeded:
 * the same runs give the same interval.
 */
export function stratifiedBootstrapInterval(
  strata: readonly (readonly number[])[],
  statistic: (values: readonly number[]) => number,
  options: { resamples?: number; seed?: number } = {},
): BootstrapInterval {
  const all = strata.flat();
  const estimate = statistic(all);
  if (all.length < 2) return { estimate, low: estimate, high: estimate };
  const rng = createRng(options.seed ?? 0);
  const resamples = options.resamples ?? 2_000;
  const draws = new Float64Array(resamples);
  const sample = new Array<number>(all.length);
  for (let r = 0; r < resamples; r++) {
    let k = 0;
    for (const stratum of strata) {
      for (let i = 0; i < stratum.length; i++) sample[k++] = stratum[rng.int(stratum.length)];
    }
    draws[r] = statistic(sample);
  }
  draws.sort();
  return { estimate, low: quantile(draws, 0.025), high: quantile(draws, 0.975) };
}

/**
 * Performance profile: for each threshold τ, the fraction of runs whose score exceeds τ (rliable's
 * run-score distribution).
 */
export function performanceProfile(
  scores: readonly number[],
  thresholds: readonly number[],
): { threshold: number; fraction: number }[] {
  return thresholds.map((threshold) => ({
    threshold,
    fraction: scores.length === 0 ? Number.NaN : scores.filter((s) => s > threshold).length / scores.length,
  }));
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}
