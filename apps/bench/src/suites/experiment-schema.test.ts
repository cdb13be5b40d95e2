import { describe, expect, it } from "vitest";
import { experimentFolder, parseSuite } from "./experiment-schema.js";
import { SUITES } from "./suite-registry.js";

const experiment = {
  env: { id: "coordination-game", options: { numAgents: 3 } },
  algorithm: { id: "random" },
  run: { steps: 100 },
  seeds: [0],
};
const suite = { name: "demo", description: "d", figure: "f", experiments: [experiment] };

describe("suite schema", () => {
  it("accepts a valid suite and fills defaults", () => {
    const parsed = parseSuite(suite);
    expect(parsed.experiments[0].run).toEqual({ steps: 100, evalEvery: 0, evalEpisodes: 10 });
    expect(parsed.experiments[0].algorithm.config).toEqual({});
    expect(SUITES.map((s) => s.name)).toContain("quick");
  });

  it("names the bad field, the value and the expectation", () => {
    const bad = { ...suite, experiments: [{ ...experiment, run: { steps: 0 } }] };
    expect(() => parseSuite(bad)).toThrow(/experiments\.0\.run\.steps = 0: Too small/);
    expect(() => parseSuite({ ...suite, experiments: [{ ...experiment, seeds: [] }] })).toThrow(
      /experiments\.0\.seeds/,
    );
    expect(() => parseSuite({ ...suite, name: "Has Space" })).toThrow(
      /name = "Has Space": expected lower-case/,
    );
    expect(() => parseSuite({ ...suite, experiments: [{ ...experiment, extra: 1 }] })).toThrow(
      /extra|Unrecognized/,
    );
    expect(() => parseSuite({ ...suite, description: undefined })).toThrow(/description missing/);
  });

  it("refuses two experiments writing to the same folder", () => {
    const twice = {
      ...suite,
      experiments: [experiment, { ...experiment, env: { ...experiment.env, options: { numAgents: 5 } } }],
    };
    expect(() => parseSuite(twice)).toThrow(
      /experiments\.0 and experiments\.1 both write to coordination-game-v1\/random/,
    );
    const named = { ...suite, experiments: [experiment, { ...experiment, name: "five" }] };
    expect(parseSuite(named).experiments.map(experimentFolder)).toEqual([
      "coordination-game-v1/random",
      "coordination-game-v1/random~five",
    ]);
    expect(
      experimentFolder({
        ...experiment,
        env: { id: "mpe/cooperative-navigation", options: {} },
        name: undefined,
      } as never),
    ).toBe("mpe_cooperative-navigation/random");
  });
});

describe("versioned environment ids", () => {
  it("records the versioned id for an old name, and keeps versioned ids as they are", () => {
    const suite = parseSuite({
      name: "versions",
      description: "d",
      figure: "f",
      experiments: [
        { env: { id: "coordination-game" }, algorithm: { id: "random" }, run: { steps: 10 }, seeds: [0] },
        {
          env: { id: "mpe/cooperative-navigation-v1" },
          algorithm: { id: "random" },
          run: { steps: 10 },
          seeds: [0],
        },
      ],
    });
    expect(suite.experiments.map((e) => e.env.id)).toEqual([
      "coordination-game-v1",
      "mpe/cooperative-navigation-v1",
    ]);
    expect(suite.experiments.map(experimentFolder)).toEqual([
      "coordination-game-v1/random",
      "mpe_cooperative-navigation-v1/random",
    ]);
  });
});
