import { describe, expect, it } from "vitest";
import { hasLocalView } from "../env/local-view.js";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import { DialsWarehouse } from "./warehouse.js";
import { influenceCell, OBSERVED_ITEM_CELLS } from "./warehouse-domain.js";
import { WarehouseLocalSimulator } from "./warehouse-local-simulator.js";

const UP = 0;
const RIGHT = 3;
const CENTRE = 12;
/** Local cell index of (row, col) in a 5×5 domain. */
const cell = (row: number, col: number) => row * 5 + col;

describe("DialsWarehouse", () => {
  it.each([[4], [25], [49], [100]])("passes checkEnv with %i learners", (numAgents) => {
    expect(() => checkEnv(new DialsWarehouse({ numAgents }), { steps: 120 })).not.toThrow();
  });

  it("passes checkEnv with the closest-item scripted robots and explicit learners", () => {
    expect(() =>
      checkEnv(new DialsWarehouse({ scriptedPolicy: "closest-item" }), { steps: 120 }),
    ).not.toThrow();
    expect(() => checkEnv(new DialsWarehouse({ learnerIds: [0, 3, 15] }), { steps: 120 })).not.toThrow();
  });

  it("has the DIALS layout: inner learners, (4L+1)² grid, 37-dim observation", () => {
    const env = new DialsWarehouse();
    expect(Array.from(env.learnerIds)).toEqual([5, 6, 9, 10]);
    expect(env.gridSide).toBe(17);
    expect(env.spec.obsDim).toBe(37);
    expect(env.spec.maxSteps).toBe(100);
    const sizes = [25, 49, 100].map((numAgents) => new DialsWarehouse({ numAgents }));
    expect(sizes.map((e) => e.gridSide)).toEqual([29, 37, 49]);
    expect(Array.from(sizes[0].learnerIds.subarray(0, 6))).toEqual([8, 9, 10, 11, 12, 15]);
    // The learner graph links learners whose domains share a border: a 2×2 block is a 4-cycle.
    const graph = env.graph();
    expect(Array.from(graph.neighborsOf(0)).sort()).toEqual([1, 2]);
    expect(Array.from(graph.neighborsOf(3)).sort()).toEqual([1, 2]);
    expect(hasLocalView(env)).toBe(true);
  });

  it("pays waiting time / longest waiting time for a collected item (hand-worked)", () => {
    const env = new DialsWarehouse({ itemProbability: 0 });
    env.reset(0);
    // Learner 0 = robot 5, domain rows 4..8 × cols 4..8. Its robot at local (2,3); items at grid
    // (6,8) = local (2,4) waiting 3 and grid (4,5) = local (0,1) waiting 5. Everyone else at the centre.
    const robots = new Array(16).fill(CENTRE);
    robots[5] = cell(2, 3);
    env.setState(robots, [
      [6, 8, 3],
      [4, 5, 5],
    ]);
    const step = env.step(Int32Array.of(RIGHT, UP, UP, UP));
    // Waiting times become 4 and 6 before the move; robot 5 lands on the first: r = 4 / 6.
    expect(step.rewards[0]).toBeCloseTo(4 / 6, 6);
    expect(Array.from(step.rewards.subarray(1))).toEqual([0, 0, 0]);
    expect(step.infos.itemsCollected).toBe(1);
    expect(env.itemsInDomain(0)).toBe(1);
    // Observation: one-hot at local (2,4), and the remaining item's bit (top row, col 1 → bit 0).
    const obs = Array.from(step.obs.subarray(0, 37));
    expect(obs.flatMap((v, k) => (v === 1 ? [k] : []))).toEqual([cell(2, 4), 25]);
    // Learner 1 (robot 6) shares that cell: the item is gone from its observation too.
    expect(step.obs[37 + 25 + OBSERVED_ITEM_CELLS.indexOf(cell(2, 0))]).toBe(0);
    // The only item of a domain pays 1 when collected: robot 5 steps UP from (1,1) onto it at (0,1).
    const alone = new DialsWarehouse({ itemProbability: 0 });
    alone.reset(0);
    const start = new Array(16).fill(CENTRE);
    start[5] = cell(1, 1);
    alone.setState(start, [[4, 5, 0]]);
    expect(alone.step(Int32Array.of(UP, UP, UP, UP)).rewards[0]).toBe(1);
  });

  it("reads influence sources as the neighbours' positions on the shared border cells", () => {
    const env = new DialsWarehouse({ itemProbability: 0 });
    env.reset(0);
    const robots = new Array(16).fill(CENTRE);
    robots[6] = cell(2, 0); // right neighbour on its left column, row 2 → value 1
    robots[9] = cell(0, 3); // neighbour below on its top row, col 3 → value 2
    robots[4] = cell(1, 4); // left neighbour on its right column, row 1 → value 0
    robots[1] = cell(3, 3); // neighbour above, not on its bottom row → none (3)
    env.setState(robots, []);
    expect(Array.from(env.influenceSources(0))).toEqual([1, 2, 0, 3]);
    // Those values name the cells of learner 0's domain the local simulator clears.
    expect([influenceCell(0, 1), influenceCell(1, 2), influenceCell(2, 0)]).toEqual([
      cell(2, 4),
      cell(4, 3),
      cell(1, 0),
    ]);
    // A learner on the lattice edge has no left/upper neighbour: those sources read none.
    const edge = new DialsWarehouse({ learnerIds: [0] });
    edge.reset(0);
    expect(Array.from(edge.influenceSources(0))).toEqual([3, 3, 3, 3]);
  });

  it("moves scripted robots along networkx's shortest path to the oldest (or closest) item", () => {
    // Robot 0 (scripted) at the centre; items at local (0,1) waiting 2 and (3,4) waiting 5, both 3 steps away.
    for (const [policy, expected] of [
      ["oldest-item", cell(2, 3)], // to (3,4) via (2,3): RIGHT
      ["closest-item", cell(1, 2)], // tie at 3 steps → first row-major, (0,1), via (1,2): UP
    ] as const) {
      const env = new DialsWarehouse({ itemProbability: 0, scriptedPolicy: policy });
      env.reset(0);
      env.setState(new Array(16).fill(CENTRE), [
        [0, 1, 2],
        [3, 4, 5],
      ]);
      env.step(Int32Array.of(UP, UP, UP, UP));
      expect(env.robotCells()[0]).toBe(expected);
    }
  });

  it("refuses illegal moves and bad options", () => {
    const env = new DialsWarehouse({ itemProbability: 0 });
    env.reset(0);
    const robots = new Array(16).fill(CENTRE);
    robots[5] = cell(0, 1); // top border: LEFT/RIGHT not allowed, UP leaves the domain
    env.setState(robots, []);
    env.step(Int32Array.of(RIGHT, UP, UP, UP));
    expect(env.robotCells()[5]).toBe(cell(0, 1));
    env.step(Int32Array.of(UP, UP, UP, UP));
    expect(env.robotCells()[5]).toBe(cell(0, 1));
    expect(() => new DialsWarehouse({ numAgents: 5 })).toThrow(/square/);
    expect(() => new DialsWarehouse({ numAgents: -4 })).toThrow(/numAgents/);
    expect(() => new DialsWarehouse({ learnerIds: [16] })).toThrow(/learnerIds\[0\] = 16/);
    expect(() => new DialsWarehouse({ learnerIds: [1, 1] })).toThrow(/twice/);
    expect(() => new DialsWarehouse({ scriptedPolicy: "greedy" as never })).toThrow(/scriptedPolicy/);
    expect(() => env.step(Int32Array.of(4, 0, 0, 0))).toThrow(/action/);
    expect(() => env.influenceSources(4)).toThrow(/agent = 4/);
  });
});

describe("WarehouseLocalSimulator", () => {
  /**
   * Runs the global warehouse with uniformly random learner actions and replays agent `agent`'s
   * actions and recorded influence sources into its local simulator, reset with the same seed.
   * Returns the number of steps where the local observation or reward differed.
   */
  function replayMismatches(numAgents: number, agent: number, episodes: number): number {
    const env = new DialsWarehouse({ numAgents });
    const local = env.createLocalSimulator(agent);
    const policy = createRng(99);
    const actions = new Int32Array(numAgents);
    const influence = new Int32Array(4);
    let mismatches = 0;
    for (let episode = 0; episode < episodes; episode++) {
      const globalReset = episode === 0 ? env.reset(7) : env.reset();
      const localReset = episode === 0 ? local.reset(7) : local.reset();
      expect(Array.from(localReset.obs)).toEqual(
        Array.from(globalReset.obs.subarray(agent * 37, agent * 37 + 37)),
      );
      for (let t = 0; t < 100; t++) {
        for (let i = 0; i < numAgents; i++) actions[i] = policy.int(4);
        const global = env.step(actions);
        env.influenceSources(agent, influence);
        const step = local.step(Int32Array.of(actions[agent]), influence);
        const sameObs = step.obs.every((v, k) => v === global.obs[agent * 37 + k]);
        if (!sameObs || step.rewards[0] !== global.rewards[agent]) mismatches++;
      }
    }
    return mismatches;
  }

  it("passes the same observations and rewards as the global domain when fed its influence sources", () => {
    expect(replayMismatches(4, 0, 5)).toBe(0);
    expect(replayMismatches(25, 12, 3)).toBe(0);
  });

  it("reproduces the domain's item and reward statistics with influence sampled from a tabular predictor", () => {
    // A fitted influence predictor in miniature: P(source s = v | the 3 shared item bits before the
    // step), counted on a global run; the local simulator (own seed, so its spawns are independent
    // of the global run) samples the sources from it. 30 000 steps each.
    // Tolerance: mean items in the domain within 5 % (≈ 2.85 items, tight), mean reward per step
    // within 20 % (a collection happens on ~2 % of steps, so its standard error is ≈ 5 %).
    const agent = 0;
    const episodes = 300;
    const env = new DialsWarehouse();
    const policy = createRng(99);
    const actions = new Int32Array(4);
    const influence = new Int32Array(4);
    const before = new Float32Array(37);
    const sharedBits = [0, 1, 2, 3].map((s) =>
      [0, 1, 2].map((v) => 25 + OBSERVED_ITEM_CELLS.indexOf(influenceCell(s, v))),
    );
    const context = (obs: Float32Array, s: number) =>
      sharedBits[s].reduce((code, bit) => code * 2 + (obs[bit] > 0 ? 1 : 0), 0);
    const counts = new Float64Array(4 * 8 * 4);
    let globalReward = 0;
    let globalItems = 0;
    env.reset(7);
    for (let episode = 0; episode < episodes; episode++) {
      if (episode > 0) env.reset();
      for (let t = 0; t < 100; t++) {
        env.localState(agent, before);
        for (let i = 0; i < 4; i++) actions[i] = policy.int(4);
        globalReward += env.step(actions).rewards[agent];
        globalItems += env.itemsInDomain(agent);
        env.influenceSources(agent, influence);
        for (let s = 0; s < 4; s++) counts[(s * 8 + context(before, s)) * 4 + influence[s]]++;
      }
    }
    const local = env.createLocalSimulator(agent) as WarehouseLocalSimulator;
    const sampler = createRng(5);
    const probabilities = new Float64Array(4);
    let localReward = 0;
    let localItems = 0;
    local.reset(123);
    for (let episode = 0; episode < episodes; episode++) {
      if (episode > 0) local.reset();
      for (let t = 0; t < 100; t++) {
        local.localState(before);
        for (let s = 0; s < 4; s++) {
          const row = (s * 8 + context(before, s)) * 4;
          for (let v = 0; v < 4; v++) probabilities[v] = counts[row + v] + 1e-3;
          influence[s] = sampler.choice(probabilities);
        }
        localReward += local.step(Int32Array.of(policy.int(4)), influence).rewards[0];
        localItems += local.itemCount();
      }
    }
    const steps = episodes * 100;
    expect(Math.abs(localItems / globalItems - 1)).toBeLessThan(0.05);
    expect(Math.abs(localReward / globalReward - 1)).toBeLessThan(0.2);
    expect(globalItems / steps).toBeGreaterThan(1); // the domain is not trivially empty
  });

  it("removes the items under sampled neighbours and refuses bad influence", () => {
    // p = 1: all 12 shelf cells fill at reset (waiting 0) and refill as soon as they are emptied.
    const local = new WarehouseLocalSimulator({ itemProbability: 1 });
    local.reset(0);
    expect(local.itemCount()).toBe(12);
    // Step 1: robot UP to (1,2); the right neighbour stands on the shared cell of row 1 (value 0)
    // and takes the item at (1,4), which respawns with waiting time 0.
    local.step(Int32Array.of(UP), Int32Array.of(0, 3, 3, 3));
    // Steps 2–3: RIGHT, RIGHT onto (1,4). Its item waited 2, the untouched ones 3: r = 2/3
    // (it would be 3/3 had the neighbour not removed it).
    local.step(Int32Array.of(RIGHT), Int32Array.of(3, 3, 3, 3));
    expect(local.step(Int32Array.of(RIGHT), Int32Array.of(3, 3, 3, 3)).rewards[0]).toBeCloseTo(2 / 3, 6);
    const empty = new WarehouseLocalSimulator({ itemProbability: 0 });
    empty.reset(0);
    expect(() => empty.step(Int32Array.of(UP), Int32Array.of(0, 1, 4, 3))).toThrow(/influence\[2\] = 4/);
    expect(() => empty.step(Int32Array.of(UP), Int32Array.of(0, 1))).toThrow(/influence must hold 4/);
    expect(() => empty.step(Int32Array.of(7), Int32Array.of(3, 3, 3, 3))).toThrow(/action/);
  });

  it("pays the global reward rule in the local domain (hand-worked)", () => {
    // With p = 1 all 12 shelf cells fill at reset (waiting 0). Step 1: the robot goes UP to (1,2)
    // and the right neighbour (value 0) takes the item at (1,4); every item waits 1 now.
    const local = new WarehouseLocalSimulator({ itemProbability: 1 });
    local.reset(0);
    expect(local.step(Int32Array.of(UP), Int32Array.of(0, 3, 3, 3)).rewards[0]).toBe(0);
    // Step 2: the robot reaches (0,2), whose item waited 2; the respawned (1,4) item waited 1: r = 2/2.
    expect(local.step(Int32Array.of(UP), Int32Array.of(3, 3, 3, 3)).rewards[0]).toBe(1);
    // Step 3: it stays (UP is off the domain); the item that respawned under it waits 1 of max 3.
    expect(local.step(Int32Array.of(UP), Int32Array.of(3, 3, 3, 3)).rewards[0]).toBeCloseTo(1 / 3, 6);
  });
});
