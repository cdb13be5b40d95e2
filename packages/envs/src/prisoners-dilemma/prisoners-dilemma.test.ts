import { describe, expect, it } from "vitest";
import { checkEnv } from "../testing/check-env.js";
import { PRISONERS_DILEMMA_ACTIONS, PrisonersDilemma } from "./prisoners-dilemma.js";

const { cooperate: COOPERATE, defect: DEFECT } = PRISONERS_DILEMMA_ACTIONS;

describe("PrisonersDilemma", () => {
  it.each([
    [{}],
    [{ numAgents: 5, layout: "ring" as const }],
    [{ numAgents: 16, layout: "grid" as const }],
    [{ numAgents: 6, layout: "grid" as const, gridColumns: 3, rewardAggregation: "mean" as const }],
    [
      {
        numAgents: 4,
        edges: [
          [0, 1],
          [0, 2],
          [0, 3],
        ] as Array<[number, number]>,
      },
    ],
  ])("passes checkEnv with %j", (options) => {
    expect(() => checkEnv(new PrisonersDilemma(options))).not.toThrow();
  });

  it("pays R, S, T, P in the two-agent game", () => {
    const env = new PrisonersDilemma();
    env.reset(0);
    const cases: Array<[number, number, number, number]> = [
      [COOPERATE, COOPERATE, 3, 3],
      [COOPERATE, DEFECT, 0, 5],
      [DEFECT, COOPERATE, 5, 0],
      [DEFECT, DEFECT, 1, 1],
    ];
    for (const [a, b, ra, rb] of cases) {
      const step = env.step(Int32Array.of(a, b));
      expect(Array.from(step.rewards)).toEqual([ra, rb]);
    }
  });

  it("sums payoffs over neighbours on a line and observes their last actions (hand-worked round)", () => {
    // Line 0 – 1 – 2. Agent 1 defects against two cooperators: T + T = 10; agents 0 and 2 get S = 0.
    const env = new PrisonersDilemma({ numAgents: 3 });
    const reset = env.reset(0);
    expect(env.spec.obsDim).toBe(2);
    expect(Array.from(reset.obs)).toEqual([0, 0, 0, 0, 0, 0]); // nothing played yet
    const first = env.step(Int32Array.of(COOPERATE, DEFECT, COOPERATE));
    expect(Array.from(first.rewards)).toEqual([0, 10, 0]);
    // Agent 0 sees [agent 1 = D, pad]; agent 1 sees [C, C]; agent 2 sees [D, pad].
    expect(Array.from(first.obs)).toEqual([-1, 0, 1, 1, -1, 0]);
    expect(Array.from(first.state!)).toEqual([1, -1, 1]);
    expect(first.infos.cooperationRate).toBeCloseTo(2 / 3, 6);
    // Round 2: everyone defects: agents 0 and 2 get P = 1, agent 1 gets 2P = 2.
    const second = env.step(Int32Array.of(DEFECT, DEFECT, DEFECT));
    expect(Array.from(second.rewards)).toEqual([1, 2, 1]);
    const mean = new PrisonersDilemma({ numAgents: 3, rewardAggregation: "mean" });
    mean.reset(0);
    expect(Array.from(mean.step(Int32Array.of(COOPERATE, DEFECT, COOPERATE)).rewards)).toEqual([0, 5, 0]);
  });

  it("takes configurable payoffs and truncates after maxSteps", () => {
    const env = new PrisonersDilemma({ reward: 2, temptation: 4, sucker: -1, punishment: 0, maxSteps: 3 });
    env.reset(0);
    expect(Array.from(env.step(Int32Array.of(0, 1)).rewards)).toEqual([-1, 4]);
    expect(env.step(Int32Array.of(0, 0)).truncated[0]).toBe(0);
    expect(env.step(Int32Array.of(1, 1)).truncated[0]).toBe(1);
    expect(() => env.step(Int32Array.of(0, 0))).toThrow(/call reset/);
  });

  it("refuses bad options and actions", () => {
    expect(() => new PrisonersDilemma({ layout: "star" as never })).toThrow(/layout/);
    expect(() => new PrisonersDilemma({ numAgents: 3, edges: [[2, 2]] })).toThrow(/self-loop/);
    expect(() => new PrisonersDilemma({ numAgents: 5, layout: "grid" })).toThrow(/gridColumns/);
    expect(() => new PrisonersDilemma({ numAgents: 1 })).toThrow(/numAgents/);
    expect(() => new PrisonersDilemma({ numAgents: 3, edges: [] })).toThrow(/no edge/);
    const env = new PrisonersDilemma();
    env.reset(0);
    expect(() => env.step(Int32Array.of(0, 2))).toThrow(/action/);
  });
});
