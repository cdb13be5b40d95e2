import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import { CoordinationGame } from "./coordination-game.js";

describe("CoordinationGame", () => {
  it.each([2, 3, 5, 10])("passes checkEnv with N = %i", (numAgents) => {
    expect(() => checkEnv(new CoordinationGame({ numAgents }))).not.toThrow();
  });

  it("pays the original's reward table (N = 5, l = 2)", () => {
    const game = new CoordinationGame({ numAgents: 5 });
    const byOnes = [0, 1, 2, 3, 4, 5].map((ones) => game.rewardOfState(2 ** ones - 1));
    // ones: 0 → |5-0| > 2, more zeros → 3; 1 → |4-1| > 2 → 3; 2 → |3-2| ≤ 2, c0 ≥ c1 → 0;
    // 3 → |2-3| ≤ 2, c0 < c1 → 1; 4 → |1-4| > 2, more ones → 2; 5 → 2.
    expect(byOnes).toEqual([3, 3, 0, 1, 2, 2]);
    const three = new CoordinationGame({ numAgents: 3 });
    expect([0, 1, 3, 7].map((s) => three.rewardOfState(s))).toEqual([3, 0, 1, 2]);
  });

  it("indexes states with agent 0 as the most significant bit", () => {
    const game = new CoordinationGame({ numAgents: 3, flipProbability: 0 });
    game.reset(1);
    const step = game.step(Int32Array.of(1, 0, 0));
    expect(game.stateIndex()).toBe(4);
    expect(Array.from(step.state!)).toEqual([1, 0, 0]);
    expect(Array.from(step.obs)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(Array.from(step.rewards)).toEqual([0, 0, 0]); // one 1, two 0s: |2-1| ≤ 1 and c0 > c1 → 0
  });

  it("flips an agent's bit with probability ε and truncates after 25 steps", () => {
    const game = new CoordinationGame({ numAgents: 2 }, createRng(0));
    game.reset(7);
    let flips = 0;
    let steps = 0;
    for (let episode = 0; episode < 400; episode++) {
      game.reset();
      for (let t = 0; t < 25; t++) {
        const step = game.step(Int32Array.of(1, 1));
        flips += 1 - step.state![0] + (1 - step.state![1]);
        steps++;
        expect(step.truncated[0]).toBe(t === 24 ? 1 : 0);
      }
      expect(() => game.step(Int32Array.of(1, 1))).toThrow(/call reset/);
    }
    const rate = flips / (2 * steps);
    expect(rate).toBeGreaterThan(0.09);
    expect(rate).toBeLessThan(0.11);
  });

  it("resets each bit to 0 with probability 1/N", () => {
    const game = new CoordinationGame({ numAgents: 5 });
    game.reset(3);
    let zeros = 0;
    for (let i = 0; i < 4000; i++) zeros += game.reset().state!.reduce((acc, bit) => acc + (1 - bit), 0);
    expect(zeros / (4000 * 5)).toBeCloseTo(0.2, 1);
  });

  it("exposes exact tables that agree with its own sampling", () => {
    const game = new CoordinationGame({ numAgents: 3 });
    const model = game.tabularModel();
    expect(model.numStates).toBe(8);
    for (let a = 0; a < 8; a++) {
      const row = model.transition.subarray(a * 8, a * 8 + 8);
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      expect(row[a]).toBeCloseTo(0.9 ** 3, 12);
    }
    expect(model.transition[0b110 * 8 + 0b010]).toBeCloseTo(0.1 * 0.9 * 0.9, 12);
    expect(model.initialDistribution.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(model.referenceInitialWeights.reduce((x, y) => x + y, 0)).toBeCloseTo(8 / 3, 12);
    expect(Array.from(model.stateReward)).toEqual([3, 0, 0, 1, 0, 1, 1, 2]);

    // Empirical P(s' | a = 0b110) from the environment matches the table.
    game.reset(11);
    const counts = new Float64Array(8);
    const trials = 40_000;
    for (let i = 0; i < trials; i++) {
      if (i % 25 === 0) game.reset();
      game.step(Int32Array.of(1, 1, 0));
      counts[game.stateIndex()]++;
    }
    for (let s = 0; s < 8; s++) expect(counts[s] / trials).toBeCloseTo(model.transition[0b110 * 8 + s], 2);
  });

  it("refuses bad options with the field, the value and the expectation", () => {
    expect(() => new CoordinationGame({ numAgents: 1 })).toThrow(/numAgents = 1: Too small/);
    expect(() => new CoordinationGame({ numAgents: 4 })).toThrow(
      /numAgents = 4 has no tie margin.*pass tieMargin/,
    );
    expect(new CoordinationGame({ numAgents: 4, tieMargin: 1 }).tieMargin).toBe(1);
    expect(() => new CoordinationGame({ flipProbability: 2 })).toThrow(/flipProbability = 2/);
    expect(() => new CoordinationGame({ agents: 3 } as never)).toThrow(/agents|Unrecognized/);
  });
});
