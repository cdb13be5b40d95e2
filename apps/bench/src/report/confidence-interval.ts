/** Two-sided 95 % Student-t quantiles t(0.975, df) for df = 1 … 30; above that the normal 1.96. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Mean and 95 % confidence interval of the mean over independent seeds (one value: no width). */
export interface MeanWithInterval {
  mean: number;
  low: number;
  high: number;
  count: number;
}

export function meanWithInterval(values: readonly number[]): MeanWithInterval {
  const count = values.length;
  if (count === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, count };
  const mean = values.reduce((a, b) => a + b, 0) / count;
  if (count === 1) return { mean, low: mean, high: mean, count };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1);
  const t = count - 1 <= T_975.length ? T_975[count - 2] : 1.96;
  const half = (t * Math.sqrt(variance)) / Math.sqrt(count);
  return { mean, low: mean - half, high: mean + half, count };
}
