import { describe, expect, it } from "vitest";
import { aggregateAcrossEnvironments } from "./aggregate-across-environments.js";
import type { ExperimentReport } from "./aggregate-suite.js";

const experiment = (environmentName: string, algorithmName: string, finals: number[]) =>
  ({
    environmentName,
    algorithmName,
    seedEvaluations: finals.map((value, seed) => ({ seed, points: [{ envSteps: 10, return: value }] })),
  }) as unknown as ExperimentReport;

describe("aggregateAcrossEnvironments", () => {
  it("min-max normalises per environment and pools each algorithm's runs across environments", () => {
    const rows = aggregateAcrossEnvironments([
      experiment("a", "random", [0, 0, 0]),
      experiment("a", "good", [10, 10, 10]),
      experiment("b", "random", [-100, -100, -100]),
      experiment("b", "good", [-50, -50, -50]),
      experiment("b", "only-b", [-75, -75, -75]),
    ]);
    expect(rows.map((r) => r.algorithmName)).toEqual(["random", "good"]); // only-b ran on one environment
    expect(rows[0]).toMatchObject({ environments: ["a", "b"], runs: 6 });
    expect(rows[0].normalisedIqm).toEqual({ estimate: 0, low: 0, high: 0 });
    expect(rows[1].normalisedIqm).toEqual({ estimate: 1, low: 1, high: 1 });
  });

  it("gives an interval from resampling seeds within each environment", () => {
    const [row] = aggregateAcrossEnvironments([
      experiment("a", "x", [0, 5, 10]),
      experiment("a", "y", [0, 10, 10]),
      experiment("b", "x", [1, 2, 3]),
      experiment("b", "y", [1, 3, 3]),
    ]);
    expect(row.algorithmName).toBe("x");
    expect(row.normalisedIqm.low).toBeLessThan(row.normalisedIqm.estimate);
    expect(row.normalisedIqm.high).toBeGreaterThan(row.normalisedIqm.estimate);
  });
});
