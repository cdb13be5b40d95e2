import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import { CooperativeNavigation } from "./cooperative-navigation.js";
import { CooperativePush } from "./cooperative-push.js";
import { createMpeEnvironment, MPE_SCENARIO_IDS, MPE_SCENARIOS } from "./create-mpe-environment.js";
import { HeterogeneousNavigation } from "./heterogeneous-navigation.js";
import type { MpeEnv } from "./mpe-env.js";
import { PredatorPrey } from "./predator-prey.js";

function randomActions(env: MpeEnv, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: env.numAgents }, () => rng.int(5));
}

/** The k nearest other learners of each learner by true distance, brute force, ties by index. */
function bruteGraph(env: MpeEnv, k: number): number[][] {
  const p = env.snapshot().agentPositions;
  const rows: number[][] = [];
  for (let i = 0; i < env.numAgents; i++) {
    const others = [];
    for (let j = 0; j < env.numAgents; j++)
      if (j !== i) others.push({ j, d: (p[2 * i] - p[2 * j]) ** 2 + (p[2 * i + 1] - p[2 * j + 1]) ** 2 });
    others.sort((a, b) => a.d - b.d || a.j - b.j);
    rows.push(others.slice(0, k).map((o) => o.j));
  }
  return rows;
}

describe("MPE scenarios", () => {
  describe.each(MPE_SCENARIOS.map((entry) => [entry.id, entry] as const))("%s", (_id, entry) => {
    it.each([...entry.picSizes, 1, 4])("passes checkEnv with N = %i", (numAgents) => {
      expect(() => checkEnv(entry.create({ numAgents }, createRng(1)))).not.toThrow();
    });

    it("passes checkEnv at large N (200) with a short trace", () => {
      expect(() => checkEnv(entry.create({ numAgents: 200 }, createRng(1)), { steps: 30 })).not.toThrow();
    });

    it("passes checkEnv with PIC's 5-vector and with continuous actions", () => {
      for (const actionMode of ["pic-vector", "continuous"]) {
        const env = entry.create({ numAgents: entry.picSizes[0], actionMode }, createRng(2));
        expect(env.spec.actionSpace.size).toBe(actionMode === "pic-vector" ? 5 : 2);
        expect(() => checkEnv(env, { steps: 30 })).not.toThrow();
      }
    });

    it("is deterministic by seed, and different seeds give different episodes", () => {
      const run = (seed: number) => {
        const env = entry.create({ numAgents: 30 }, createRng(0));
        const trace = [Array.from(env.reset(seed).obs)];
        for (let t = 0; t < 10; t++) trace.push(Array.from(env.step(randomActions(env, t)).obs));
        trace.push(Array.from(env.reset().obs)); // no seed: continues the generator
        return trace;
      };
      expect(run(5)).toEqual(run(5));
      expect(run(5)[0]).not.toEqual(run(6)[0]);
      const trace = run(5);
      expect(trace[trace.length - 1]).not.toEqual(trace[0]);
    });

    it("snapshot() and restore() reproduce the continuation exactly", () => {
      const env = entry.create({ numAgents: 30 }, createRng(0));
      env.reset(3);
      for (let t = 0; t < 7; t++) env.step(randomActions(env, t));
      const saved = structuredClone(env.snapshot());
      const future: number[][] = [];
      for (let t = 0; t < 5; t++) {
        const step = env.step(randomActions(env, 100 + t));
        future.push([...step.obs, ...step.rewards]);
      }
      const other = entry.create({ numAgents: 30 }, createRng(9));
      other.reset(77);
      other.restore(saved);
      for (let t = 0; t < 5; t++) {
        const step = other.step(randomActions(other, 100 + t));
        expect([...step.obs, ...step.rewards]).toEqual(future[t]);
      }
      // The generator state travels too: both next resets agree.
      expect(Array.from(other.reset().obs)).toEqual(Array.from(env.reset().obs));
    });

    it("graph() is the k-nearest-agents graph of the current positions", () => {
      for (const graphNeighbors of [undefined, 3]) {
        const env = entry.create(
          { numAgents: 40, ...(graphNeighbors ? { graphNeighbors } : {}) },
          createRng(0),
        );
        env.reset(1);
        for (let t = 0; t < 4; t++) {
          if (t > 0) env.step(randomActions(env, t));
          const graph = env.graph();
          const k = graph.degree(0);
          const observed = env as unknown as { numObservedAgents?: number; numObservedPredators?: number };
          expect(k).toBe(graphNeighbors ?? observed.numObservedAgents ?? observed.numObservedPredators);
          const expected = bruteGraph(env, k);
          for (let i = 0; i < env.numAgents; i++)
            expect(Array.from(graph.neighborsOf(i))).toEqual(expected[i]);
        }
      }
    });

    it("refuses bad options and bad actions with clear errors", () => {
      expect(() => entry.create({ numAgents: -3 }, createRng(0))).toThrow(/numAgents = -3/);
      expect(() => entry.create({ numAgents: 2.5 }, createRng(0))).toThrow(/numAgents/);
      expect(() => entry.create({ collisionRule: "soft" }, createRng(0))).toThrow(/collisionRule = "soft"/);
      expect(() => entry.create({ observationSorting: "x" }, createRng(0))).toThrow(
        /observationSorting = "x"/,
      );
      expect(() => entry.create({ actionMode: "joystick" }, createRng(0))).toThrow(/actionMode/);
      expect(() => entry.create({ numAgent: 3 }, createRng(0))).toThrow(/numAgent/);
      const env = entry.create({ numAgents: 5 }, createRng(0));
      expect(() => env.step(new Int32Array(5))).toThrow(
        `${entry.id}.step: the episode is over or never started; call reset()`,
      );
      env.reset(0);
      expect(() => env.step(Int32Array.of(0, 1, 2, 3, 5))).toThrow(
        /actions\[4\] \(agent 4\) = 5 is outside Discrete\(5\)/,
      );
      expect(() => env.step(Int32Array.of(0, 1, 2, 3))).toThrow(/got 4 action entries; expected 5/);
      const continuous = entry.create({ numAgents: 2, actionMode: "continuous" }, createRng(0));
      continuous.reset(0);
      expect(() => continuous.step(Float32Array.of(0, 0, 1.5, 0))).toThrow(/actions\[2\] \(agent 1\) = 1.5/);
      expect(() => env.restore({ ...env.snapshot(), agentPositions: [0, 0] })).toThrow(
        /agentPositions has 2 entries/,
      );
      expect(() => env.restore({ ...env.snapshot(), envId: "mpe/other" })).toThrow(/is of "mpe\/other"/);
      expect(() => env.restore({ ...env.snapshot(), stepCount: 99 })).toThrow(/stepCount = 99/);
    });
  });

  it("lists its ids and refuses unknown ones", () => {
    expect(MPE_SCENARIOS.map((entry) => entry.id)).toEqual([...MPE_SCENARIO_IDS]);
    expect(createMpeEnvironment("mpe/predator-prey", { numAgents: 3 })).toBeInstanceOf(PredatorPrey);
    expect(() => createMpeEnvironment("mpe/simple-tag")).toThrow(
      'createMpeEnvironment: unknown scenario "mpe/simple-tag"; known: mpe/cooperative-navigation, mpe/heterogeneous-navigation, mpe/cooperative-push, mpe/predator-prey',
    );
  });

  it("has the observation sizes of the spec at PIC's sizes", () => {
    for (const n of [15, 30, 100, 200])
      expect(new CooperativeNavigation({ numAgents: n }).spec.obsDim).toBe(26);
    for (const n of [16, 30, 100]) expect(new HeterogeneousNavigation({ numAgents: n }).spec.obsDim).toBe(22);
    expect(new CooperativePush({ numAgents: 15 }).spec.obsDim).toBe(28);
    expect(new CooperativePush({ numAgents: 30 }).spec.obsDim).toBe(18);
    expect(new PredatorPrey({ numAgents: 15 }).spec.obsDim).toBe(34);
    expect(new PredatorPrey({ numAgents: 30 }).spec.obsDim).toBe(44);
    expect(new PredatorPrey({ numAgents: 100 }).spec.obsDim).toBe(44);
    expect(new CooperativeNavigation({ numAgents: 3 }).spec.obsDim).toBe(14);
  });

  it("takes PIC's sizes per N and scales the world radius between them", () => {
    const radius = (n: number) => new CooperativeNavigation({ numAgents: n }).worldRadius;
    expect([15, 30, 100, 200].map(radius)).toEqual([2.2, 3, 5, 7]);
    expect(radius(1000)).toBeCloseTo(7 * Math.sqrt(5), 12);
    expect(new CooperativeNavigation({ numAgents: 15 }).observationSorting).toBe("self-offset");
    expect(new CooperativeNavigation({ numAgents: 200 }).observationSorting).toBe("distance");
    const hetero = new HeterogeneousNavigation({ numAgents: 100 });
    expect([hetero.numTypeA, hetero.agentSize, hetero.worldRadius]).toEqual([50, 0.15, 5]);
    expect(Array.from(hetero.spec.groups!.subarray(48, 52))).toEqual([0, 0, 1, 1]);
    const tag = new PredatorPrey({ numAgents: 100 });
    expect([tag.numPrey, tag.numObstacles, tag.predatorSize, tag.preySize]).toEqual([30, 20, 0.01, 0.005]);
    expect(new PredatorPrey({ numAgents: 15 }).observationSorting).toBe("self-offset");
    const push = new CooperativePush({ numAgents: 30 });
    expect([push.agentSize, push.ballSize, push.numContactFree]).toEqual([0.06, 0.7, 10]);
    expect(push.world.mass[30]).toBe(4);
    expect(Array.from(push.world.collide.subarray(8, 12))).toEqual([0, 0, 1, 1]);
  });

  it("places navigation landmarks on a Poisson disc: inside [−R, R]² and 0.675 apart", () => {
    const env = new CooperativeNavigation({ numAgents: 200 });
    env.reset(4);
    const p = env.snapshot().landmarkPositions;
    for (let a = 0; a < 200; a++) {
      expect(Math.abs(p[2 * a])).toBeLessThanOrEqual(7);
      expect(Math.abs(p[2 * a + 1])).toBeLessThanOrEqual(7);
      for (let b = a + 1; b < 200; b++)
        expect(Math.hypot(p[2 * a] - p[2 * b], p[2 * a + 1] - p[2 * b + 1])).toBeGreaterThan(0.675);
    }
  });

  describe("hand-worked observations and rewards", () => {
    it("navigation: the 'self-offset' quirk orders by |rel − p_self|, 'distance' by |rel|", () => {
      const state = {
        agentPositions: [1, 0, 1.5, 0, 2.2, 0],
        agentVelocities: [0.1, -0.2, 0, 0, 0, 0],
        landmarkPositions: [1, 1, -3, 0, 4, 4],
        stepCount: 0,
      };
      const quirk = new CooperativeNavigation({ numAgents: 3, observationSorting: "self-offset" });
      const plain = new CooperativeNavigation({ numAgents: 3, observationSorting: "distance" });
      const q = Array.from(quirk.restore(state).obs.subarray(0, 14));
      const d = Array.from(plain.restore(state).obs.subarray(0, 14));
      // Agent 0 at (1, 0). Landmarks rel: (0, 1) |1|, (−4, 0) |4|, (3, 4) |5|; keys |rel − p|: √2, 5, √20.
      // Others rel: (0.5, 0) and (1.2, 0); keys |rel − p|: 0.5 and 0.2 → the farther agent first.
      const f = (values: number[]) => values.map((v) => Math.fround(v));
      expect(q).toEqual(f([0.1, -0.2, 1, 0, 0, 1, 3, 4, -4, 0, 1.2, 0, 0.5, 0]));
      expect(d).toEqual(f([0.1, -0.2, 1, 0, 0, 1, -4, 0, 3, 4, 0.5, 0, 1.2, 0]));
      // Reward: nearest agents to the landmarks: 1, 4, |(4, 4) − (2.2, 0)| = √19.24; agents 0–1 collide (0.5 ≥ 0.3? no).
      expect(plain.teamReward()).toBeCloseTo(-(1 + 4 + Math.sqrt(1.8 ** 2 + 16)), 12);
      plain.restore({ ...state, agentPositions: [1, 0, 1.2, 0, 1.45, 0] });
      // Pairs closer than 0.3: (0,1) at 0.2 and (1,2) at 0.25 → 2 pairs, ordered count 4.
      const coverage = 1 + Math.hypot(-3 - 1, 0) + Math.hypot(4 - 1.45, 4);
      expect(plain.teamReward()).toBeCloseTo(-coverage - 4, 12);
    });

    it("heterogeneous navigation: same-type pairs cost 1, cross-type pairs 10 (ordered)", () => {
      const env = new HeterogeneousNavigation({ numAgents: 4, numTypeA: 2, agentSize: 0.1, worldRadius: 2 });
      // A: 0, 1; B: 2, 3 (size 0.05). Thresholds AA 0.2, BB 0.1, AB 0.15.
      env.restore({
        agentPositions: [0, 0, 0.19, 0, 0.19, 0.14, 3, 3.09],
        agentVelocities: new Float64Array(8),
        landmarkPositions: [0, 0, 0.19, 0, 0.19, 0.14, 3, 3.09],
        stepCount: 0,
      });
      // A0–A1 d 0.19 < 0.2 (same); A1–B2 d 0.14 < 0.15 (diff); A0–B2 d 0.236 no; B2–B3 far; B3 alone.
      expect(env.teamReward()).toBeCloseTo(-(2 * 1 + 10 * 2), 12);
    });

    it("cooperative push: −2·|ball − target| − 0.1·min dist + 0.1·touching", () => {
      const env = new CooperativePush({ numAgents: 3 }); // n15 preset: agent 0.02, ball 0.2
      env.restore({
        agentPositions: [0.1, 0, 0.5, 0, -1, 1],
        agentVelocities: new Float64Array(6),
        landmarkPositions: [0, 0, 1, 1],
        stepCount: 0,
      });
      expect(env.teamReward()).toBeCloseTo(-2 * Math.SQRT2 - 0.1 * 0.1 + 0.1 * 1, 12);
    });

    it("predator-prey: −0.1·Σ_pred min_prey dist + 10 per (prey, predator) catch", () => {
      const env = new PredatorPrey({ numAgents: 2, numPrey: 2, numObstacles: 1 }); // n15 preset sizes 0.02/0.01
      env.restore({
        agentPositions: [0, 0, 0.5, 0.5, 0.02, 0, -0.5, 0.5],
        agentVelocities: new Float64Array(8),
        landmarkPositions: [0.9, -0.9],
        stepCount: 0,
      });
      // Predator 0 catches prey 0 (0.02 < 0.03); predator 1's nearest prey is prey 0 at √(0.48² + 0.5²).
      expect(env.teamReward()).toBeCloseTo(-0.1 * (0.02 + Math.hypot(0.48, 0.5)) + 10, 12);
    });

    it("predator-prey: prey flee the nearest predators and turn back near the boundary", () => {
      const env = new PredatorPrey({ numAgents: 1, numPrey: 2, numObstacles: 1 });
      env.restore({
        agentPositions: [0, 0, 0.3, 0, 0.85, -0.95],
        agentVelocities: new Float64Array(6),
        landmarkPositions: [-0.9, 0.9],
        stepCount: 0,
      });
      env.step(Int32Array.of(0));
      const v = env.snapshot().agentVelocities;
      // Prey 1 at (0.3, 0): straight away from the predator: force (4, 0) → v = 0.4.
      expect(v[2]).toBeCloseTo(0.4, 12);
      expect(v[3]).toBeCloseTo(0, 12);
      // Prey 2 at (0.85, −0.95): flight along (0.85, −0.95)/|·| plus push-back (−0.5, +1.5).
      const flight = [0.85 / Math.hypot(0.85, 0.95), -0.95 / Math.hypot(0.85, 0.95)];
      const sum = [flight[0] - 0.5, flight[1] + 1.5];
      const scale = (4 * 0.1) / Math.hypot(sum[0], sum[1]);
      expect(v[4]).toBeCloseTo(sum[0] * scale, 12);
      expect(v[5]).toBeCloseTo(sum[1] * scale, 12);
      expect(v[5]).toBeGreaterThan(0); // it turns back inside
    });

    it("the three action modes give the same force for the same intent", () => {
      const states = ["discrete", "pic-vector", "continuous"].map((actionMode) => {
        const env = new CooperativeNavigation({ numAgents: 2, actionMode: actionMode as "discrete" });
        env.reset(8);
        const actions =
          actionMode === "discrete"
            ? Int32Array.of(1, 4)
            : actionMode === "pic-vector"
              ? Float32Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 1)
              : Float32Array.of(1, 0, 0, -1);
        env.step(actions);
        return Array.from(env.snapshot().agentVelocities);
      });
      expect(states[0]).toEqual([0.5, 0, 0, -0.5]);
      expect(states[1]).toEqual(states[0]);
      expect(states[2]).toEqual(states[0]);
    });
  });
});
