import { describe, expect, it } from "vitest";
import { interquartileMean, performanceProfile, stratifiedBootstrapInterval } from "./robust-statistics.js";

describe("robust statistics", () => {
  it("interquartile mean trims a quarter at each end (scipy trim_mean 0.25)", () => {
    expect(interquartileMean([1, 2, 3, 4, 100, -100, 5, 6])).toBe(3.5); // middle four of eight
    expect(interquartileMean([1, 2, 3])).toBe(2); // floor(0.75) = 0 trimmed
    expect(interquartileMean([7])).toBe(7);
  });

  it("stratified bootstrap: seeded, covers the estimate, resamples within strata", () => {
    const strata = [
      [1, 2, 3, 4, 5],
      [10, 11, 12, 13, 14],
    ];
    const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const a = stratifiedBootstrapInterval(strata, mean, { seed: 1 });
    expect(a).toEqual(stratifiedBootstrapInterval(strata, mean, { seed: 1 }));
    expect(a.estimate).toBe(7.5);
    expect(a.low).toBeLessThan(7.5);
    expect(a.high).toBeGreaterThan(7.5);
    // Each resample keeps five runs of each task, so its mean stays within [5.5, 9.5].
    expect(a.low).toBeGreaterThanOrEqual(5.5);
    expect(a.high).toBeLessThanOrEqual(9.5);
    expect(stratifiedBootstrapInterval([[4]], mean)).toEqual({ estimate: 4, low: 4, high: 4 });
  });

  it("performance profile: fraction of runs above each threshold", () => {
    expect(performanceProfile([1, 2, 3, 4], [0, 2, 4])).toEqual([
      { threshold: 0, fraction: 1 },
      { threshold: 2, fraction: 0.5 },
      { threshold: 4, fraction: 0 },
    ]);
  });
});
