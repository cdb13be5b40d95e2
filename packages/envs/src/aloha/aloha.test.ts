import { describe, expect, it } from "vitest";
import { checkEnv } from "../testing/check-env.js";
import { Aloha } from "./aloha.js";

const ORIGINAL_ADJACENCY = [
  [1, 5],
  [0, 2, 6],
  [1, 3, 7],
  [2, 4, 8],
  [3, 5, 9],
  [0, 4, 6],
  [1, 5, 7],
  [2, 6, 8],
  [3, 7, 9],
  [4, 8],
];

describe("Aloha", () => {
  it.each([
    [{}],
    [{ numAgents: 4 }],
    [{ numAgents: 30 }],
    [{ numAgents: 7, layout: "ring" as const }],
    [{ numAgents: 3, edges: [[0, 1] as [number, number]] }],
  ])("passes checkEnv with %j", (options) => {
    expect(() => checkEnv(new Aloha(options))).not.toThrow();
  });

  it("uses the original adjacency for 10 islands, 4–5 edge included", () => {
    const graph = new Aloha().graph();
    for (let i = 0; i < 10; i++)
      expect(Array.from(graph.neighborsOf(i)).sort((a, b) => a - b)).toEqual(ORIGINAL_ADJACENCY[i]);
    expect(graph.hasNeighbor(4, 5)).toBe(true);
  });

  it("pays +0.1 for a lone transmission and −10 per colliding transmitter (hand-worked)", () => {
    const env = new Aloha({ arrivalProbability: 0 });
    env.reset(1);
    env.setBacklogs([1, 1, 0, 2, 1, 1, 1, 1, 1, 1]);
    // Transmitters 0, 1, 2, 3, 9. 0 and 1 are neighbours: both collide (−20), queues unchanged.
    // 2 has an empty queue: it gets nothing, but its attempt still counts for its neighbours, so
    // 3 (neighbours 2, 4, 8) collides too (−10). 9 (neighbours 4, 8, both idle) succeeds: +0.1 and
    // its backlog goes 1 → 0. Team reward −30 + 0.1 to everyone.
    const actions = Int32Array.of(1, 1, 1, 1, 0, 0, 0, 0, 0, 1);
    const step = env.step(actions);
    expect(step.rewards[0]).toBeCloseTo(-30 + 0.1, 5);
    expect(Array.from(step.rewards).every((r) => r === step.rewards[0])).toBe(true);
    expect(Array.from(env.getBacklogs())).toEqual([1, 1, 0, 2, 1, 1, 1, 1, 1, 0]);
    expect(step.infos.collisions).toBe(3);
    expect(step.infos.transmitted).toBe(1);
    expect(Array.from(step.obs)).toEqual([1, 1, 0, 2, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(step.state!)).toEqual([1, 1, 0, 2, 1, 1, 1, 1, 1, 0]);
  });

  it("adds arrivals with probability 0.6, clips at 5 and truncates after 20 steps", () => {
    const env = new Aloha();
    env.reset(3);
    let arrivals = 0;
    let draws = 0;
    for (let episode = 0; episode < 200; episode++) {
      env.reset();
      for (let t = 0; t < 20; t++) {
        const before = env.getBacklogs();
        const step = env.step(new Int32Array(10)); // everyone waits: backlogs change only by arrivals
        const after = env.getBacklogs();
        for (let i = 0; i < 10; i++) {
          expect(after[i]).toBeLessThanOrEqual(5);
          if (before[i] < 5) {
            arrivals += after[i] - before[i];
            draws++;
          }
        }
        expect(step.rewards[0]).toBe(0);
        expect(step.truncated[0]).toBe(t === 19 ? 1 : 0);
      }
      expect(() => env.step(new Int32Array(10))).toThrow(/call reset/);
    }
    expect(arrivals / draws).toBeGreaterThan(0.57);
    expect(arrivals / draws).toBeLessThan(0.63);
  });

  it("refuses unknown layouts, self-loops, odd casec sizes and bad actions", () => {
    expect(() => new Aloha({ layout: "grid" as never })).toThrow(/layout/);
    expect(() => new Aloha({ numAgents: 3, edges: [[1, 1]] })).toThrow(/self-loop/);
    expect(() => new Aloha({ numAgents: 3, edges: [[0, 3]] })).toThrow(/edges.*agent index/);
    expect(() => new Aloha({ numAgents: 7 })).toThrow(/even numAgents/);
    expect(() => new Aloha({ numAgents: -2 })).toThrow(/numAgents/);
    expect(() => new Aloha({ initialBacklog: 6 })).toThrow(/initialBacklog/);
    const env = new Aloha();
    env.reset(0);
    expect(() => env.step(Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 2))).toThrow(/action/);
  });
});
