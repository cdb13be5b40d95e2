import { describe, expect, it } from "vitest";
import { checkEnv } from "../testing/check-env.js";
import { Jungle } from "./jungle.js";

const STAY = 2;
const MOVE_LEFT = 1;
const MOVE_DOWN = 4;
const ATTACK_UP = 5;
const ATTACK_LEFT = 6;

/** A 6×6 map: agents 0, 1, 2 at (2,2), (3,2), (4,2); food at (2,1), directly above agent 0. */
function smallJungle(options = {}) {
  const env = new Jungle({ mapSize: 6, numAgents: 3, numFood: 1, numNeighbors: 2, ...options });
  env.reset(0);
  env.placeUnits([
    [2, 2],
    [3, 2],
    [4, 2],
    [2, 1],
  ]);
  return env;
}

describe("Jungle", () => {
  it.each([
    [{}],
    [{ observation: "full" as const }],
    [{ mapSize: 10, numAgents: 5, numFood: 3, numNeighbors: 2 }],
    [{ mapSize: 40, numAgents: 50, numFood: 20 }],
  ])("passes checkEnv with %j", (options) => {
    expect(() => checkEnv(new Jungle(options))).not.toThrow();
  });

  it("has DGN's sizes: 123-dim observation (869 full), 9 actions, 120 steps", () => {
    const env = new Jungle();
    expect(env.spec.obsDim).toBe(123);
    expect(new Jungle({ observation: "full" }).spec.obsDim).toBe(11 * 11 * 7 + 22);
    expect(env.spec.numAgents).toBe(20);
    expect(env.spec.maxSteps).toBe(120);
    const reset = env.reset(5);
    // Every agent sees itself at the centre; 20 agents and 12 food units sit on distinct cells.
    for (let i = 0; i < 20; i++) expect(reset.obs[i * 123 + 60]).toBe(1);
    const cells = new Set<string>();
    for (let unit = 0; unit < 32; unit++) cells.add(String(env.positionOf(unit)));
    expect(cells.size).toBe(32);
  });

  it("rewards an attack on food and on an agent (hand-worked)", () => {
    const env = smallJungle();
    // Agent 0 attacks up (the food), agent 1 stays, agent 2 attacks left (agent 1).
    const step = env.step(Int32Array.of(ATTACK_UP, STAY, ATTACK_LEFT));
    expect(step.rewards[0]).toBeCloseTo(1 - 0.01, 6);
    expect(step.rewards[1]).toBeCloseTo(-4, 6);
    expect(step.rewards[2]).toBeCloseTo(2 - 0.01, 6);
    expect(env.hpOf(3)).toBe(499); // food
    expect(env.hpOf(1)).toBe(399);
    expect(step.infos).toMatchObject({ foodAttacks: 1, agentAttacks: 1, missedAttacks: 0 });
    // A missed attack (blank cell to the left of agent 0) costs only the penalty.
    const miss = env.step(Int32Array.of(ATTACK_LEFT, STAY, STAY));
    expect(Array.from(miss.rewards).map((r) => Math.round(r * 100) / 100)).toEqual([-0.01, 0, 0]);
  });

  it("applies moves in agent order onto blank cells only", () => {
    const env = smallJungle();
    // Agent 0 moves down first, so agent 1's move left onto (2,2) then succeeds.
    env.step(Int32Array.of(MOVE_DOWN, MOVE_LEFT, MOVE_LEFT));
    expect(env.positionOf(0)).toEqual([2, 3]);
    expect(env.positionOf(1)).toEqual([2, 2]);
    expect(env.positionOf(2)).toEqual([3, 2]);
    // Agent 0 cannot move up into agent 1, agent 1 cannot move up into the food.
    env.step(Int32Array.of(0, 0, STAY));
    expect(env.positionOf(0)).toEqual([2, 3]);
    expect(env.positionOf(1)).toEqual([2, 2]);
    // Off the map is refused too.
    const corner = new Jungle({ mapSize: 3, numAgents: 1, numFood: 0, numNeighbors: 0 });
    corner.reset(0);
    corner.placeUnits([[0, 0]]);
    corner.step(Int32Array.of(MOVE_LEFT));
    expect(corner.positionOf(0)).toEqual([0, 0]);
  });

  it("writes the DGN observation: agents +1, food −1, then [y, x] / mapSize", () => {
    const env = smallJungle();
    const obs = env.observations();
    const own = Array.from(obs.subarray(0, 123));
    const nonZero = own.slice(0, 121).flatMap((v, k) => (v === 0 ? [] : [[k, v]]));
    // centre (5,5) = self; (4,5) = food above; (5,6) = agent 1; (5,7) = agent 2.
    expect(nonZero).toEqual([
      [4 * 11 + 5, -1],
      [5 * 11 + 5, 1],
      [5 * 11 + 6, 1],
      [5 * 11 + 7, 1],
    ]);
    expect(own[121]).toBeCloseTo(2 / 6, 6);
    expect(own[122]).toBeCloseTo(2 / 6, 6);
  });

  it("builds the graph from self + nearest agents, ties by index", () => {
    const env = smallJungle({ numNeighbors: 1 });
    const graph = env.graph();
    expect(Array.from(graph.neighborsOf(0))).toEqual([0, 1]);
    expect(Array.from(graph.neighborsOf(1))).toEqual([1, 0]); // 0 and 2 tie at distance 1: lower index
    expect(Array.from(graph.neighborsOf(2))).toEqual([2, 1]);
    env.step(Int32Array.of(MOVE_DOWN, STAY, STAY));
    expect(Array.from(env.graph().neighborsOf(1))).toEqual([1, 2]); // recomputed after the move
  });

  it("kills an agent whose hp drops below 0 and frees its cell", () => {
    const env = smallJungle({ agentHp: 1 });
    env.step(Int32Array.of(STAY, STAY, ATTACK_LEFT)); // hp 1 → 0: still alive
    expect(env.positionOf(1)).toEqual([3, 2]);
    const step = env.step(Int32Array.of(STAY, STAY, ATTACK_LEFT)); // hp 0 → −1: dead
    expect(env.positionOf(1)).toBeUndefined();
    expect(Array.from(step.terminated)).toEqual([0, 1, 0]);
    expect(step.infos.aliveAgents).toBe(2);
    env.step(Int32Array.of(STAY, STAY, MOVE_LEFT));
    expect(env.positionOf(2)).toEqual([3, 2]);
  });

  it("refuses bad options and actions", () => {
    expect(() => new Jungle({ numAgents: -1 })).toThrow(/numAgents/);
    expect(() => new Jungle({ numFood: -3 })).toThrow(/numFood/);
    expect(() => new Jungle({ mapSize: 5, numAgents: 20 })).toThrow(/do not fit/);
    expect(() => new Jungle({ numAgents: 3, numNeighbors: 3 })).toThrow(/numNeighbors/);
    expect(() => new Jungle({ observation: "pixels" as never })).toThrow(/observation/);
    const env = new Jungle();
    env.reset(0);
    expect(() => env.step(new Int32Array(20).fill(9))).toThrow(/action/);
  });
});
