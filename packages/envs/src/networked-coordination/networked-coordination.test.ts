import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import { NetworkedCoordination } from "./networked-coordination.js";

describe("NetworkedCoordination", () => {
  it.each([
    [{}],
    [{ numAgents: 5, layout: "ring" as const, reward: "local" as const, maxSteps: 3 }],
    [{ numAgents: 6, layout: "grid" as const, gridColumns: 3 }],
    [
      {
        numAgents: 3,
        edges: [
          [0, 1],
          [1, 2],
        ] as Array<[number, number]>,
      },
    ],
  ])("passes checkEnv with %j", (options) => {
    expect(() => checkEnv(new NetworkedCoordination(options))).not.toThrow();
  });

  it("is the appendix's 3 × 3 grid: 12 edges, optimum 0 at both constant joint actions", () => {
    const env = new NetworkedCoordination();
    expect(env.numAgents).toBe(9);
    expect(env.numEdges).toBe(12);
    for (const bit of [0, 1]) {
      env.reset();
      const step = env.step(new Int32Array(9).fill(bit));
      expect(Array.from(step.rewards)).toEqual(new Array(9).fill(0));
      expect(step.truncated[0]).toBe(1);
    }
  });

  it("pays −Σ_edges (a_i − a_j)² to every agent; local rewards sum to it", () => {
    // Checkerboard on the 3 × 3 grid: every one of the 12 edges disagrees.
    const checkerboard = Int32Array.from({ length: 9 }, (_, i) => (Math.floor(i / 3) + (i % 3)) % 2);
    const team = new NetworkedCoordination();
    team.reset();
    expect(Array.from(team.step(checkerboard).rewards)).toEqual(new Array(9).fill(-12));
    const local = new NetworkedCoordination({ reward: "local" });
    local.reset();
    const rewards = local.step(checkerboard).rewards;
    expect(rewards.reduce((a, b) => a + b, 0)).toBe(-12);
    expect(rewards[4]).toBe(-2); // the centre has 4 edges, half of each is its own
  });

  it("scores −E/2 on average under uniform random play", () => {
    const env = new NetworkedCoordination();
    const rng = createRng(3);
    const actions = new Int32Array(9);
    let total = 0;
    const episodes = 20_000;
    for (let e = 0; e < episodes; e++) {
      env.reset();
      for (let i = 0; i < 9; i++) actions[i] = rng.uniform() < 0.5 ? 0 : 1;
      total += env.step(actions).rewards[0];
    }
    expect(total / episodes).toBeCloseTo(-6, 1);
  });

  it("refuses a graph without edges and a grid that does not divide N, naming the field", () => {
    expect(() => new NetworkedCoordination({ numAgents: 2, edges: [] })).toThrow(
      /edges: the graph has no edge/,
    );
    expect(() => new NetworkedCoordination({ numAgents: 10, gridColumns: 3 })).toThrow(
      /gridColumns dividing numAgents = 10/,
    );
    expect(() => new NetworkedCoordination({ numAgents: 3, edges: [[0, 0]] })).toThrow(/edges: .*self-loop/);
  });
});
