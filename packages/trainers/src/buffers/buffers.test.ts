import { AgentGraph, createRng } from "@netmarl/envs";
import { describe, expect, it } from "vitest";
import type { Transition } from "../contracts/learner.js";
import { ReplayBuffer } from "./replay-buffer.js";
import { RolloutBuffer } from "./rollout-buffer.js";

const line = AgentGraph.fromEdges(3, [
  [0, 1],
  [1, 2],
]);

function transition(tag: number): Transition {
  return {
    obs: Float32Array.of(tag, tag, tag + 0.5, tag + 0.5, tag + 0.25, tag + 0.25),
    actions: Int32Array.of(tag % 2, 1, 0),
    rewards: Float32Array.of(tag, 2 * tag, 3 * tag),
    nextObs: Float32Array.of(tag + 1, 0, 0, 0, 0, 0),
    terminated: Uint8Array.of(0, 0, tag % 3 === 0 ? 1 : 0),
    truncated: Uint8Array.of(0, 0, 0),
    state: Float32Array.of(tag),
    nextState: Float32Array.of(tag + 1),
    graph: line,
  };
}

describe("ReplayBuffer", () => {
  const options = { capacity: 4, numAgents: 3, obsDim: 2, actionSize: 1, stateDim: 1, maxNeighbors: 2 };

  it("stores copies, overwrites the oldest first and gathers by index", () => {
    const buffer = new ReplayBuffer(options);
    for (let tag = 1; tag <= 6; tag++) buffer.add(transition(tag)); // slots: 5, 6, 3, 4
    expect(buffer.size).toBe(4);
    const batch = buffer.gather(Int32Array.of(0, 2), buffer.createBatch(2));
    expect(Array.from(batch.rewards)).toEqual([5, 10, 15, 3, 6, 9]);
    expect(Array.from(batch.obs.subarray(0, 2))).toEqual([5, 5]);
    expect(Array.from(batch.terminated)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(Array.from(batch.state)).toEqual([5, 3]);
    expect(Array.from(batch.nextState)).toEqual([6, 4]);
    expect(Array.from(batch.neighbors.subarray(0, 6))).toEqual([1, -1, 0, 2, 1, -1]);
    expect(() => buffer.gather(Int32Array.of(9), buffer.createBatch(1))).toThrow(/index 9 is not stored/);
  });

  it("state() holds only the filled rows; load() into a fresh buffer gathers the same and refuses a mismatch", () => {
    const buffer = new ReplayBuffer(options);
    for (let tag = 1; tag <= 3; tag++) buffer.add(transition(tag));
    const state = buffer.state();
    expect(state.filled).toBe(3);
    expect(state.arrays.obs.length).toBe(3 * 3 * 2);
    expect(state.arrays.rewards.length).toBe(3 * 3);
    const copy = new ReplayBuffer(options);
    copy.load(state);
    const indices = Int32Array.of(2, 0, 1);
    const want = buffer.gather(indices, buffer.createBatch(3));
    const got = copy.gather(indices, copy.createBatch(3));
    for (const key of ["obs", "nextObs", "actions", "rewards", "terminated", "state", "neighbors"] as const) {
      expect(Array.from(got[key])).toEqual(Array.from(want[key]));
    }
    const short = { ...state, arrays: { ...state.arrays, rewards: state.arrays.rewards.subarray(1) } };
    expect(() => new ReplayBuffer(options).load(short)).toThrow(
      /ReplayBuffer.load rewards: 8 entries for 3 rows of 3/,
    );
  });

  it("samples uniformly, and two buffers with equal generators sample the same indices (unified sampling)", () => {
    const a = new ReplayBuffer({ ...options, capacity: 50 });
    const b = new ReplayBuffer({ ...options, capacity: 50 });
    for (let tag = 0; tag < 50; tag++) {
      a.add(transition(tag));
      b.add(transition(tag + 100));
    }
    const shared = createRng(3);
    const indicesA = a.sampleIndices(64, createRng(3));
    const indicesB = b.sampleIndices(64, shared);
    expect(indicesA).toEqual(indicesB);
    const counts = new Array(50).fill(0);
    const rng = createRng(4);
    for (let i = 0; i < 500; i++) for (const index of a.sampleIndices(100, rng)) counts[index]++;
    // 50 000 draws over 50 slots: every slot within ±20 % of 1000 (σ ≈ 31, so ±6σ).
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it("refuses transitions of the wrong shape and graphs wider than maxNeighbors", () => {
    const buffer = new ReplayBuffer(options);
    expect(() => buffer.add({ ...transition(1), rewards: Float32Array.of(1) })).toThrow(
      /rewards has 1 entries; expected 3/,
    );
    expect(() =>
      buffer.add({ ...transition(1), graph: AgentGraph.complete(3, { selfLoops: true }) }),
    ).toThrow(/agent 0 has 3 neighbours; the buffer stores at most maxNeighbors = 2/);
    expect(() => buffer.add({ ...transition(1), state: undefined })).toThrow(/stores a state/);
    expect(() => new ReplayBuffer({ ...options, capacity: 0 })).toThrow(/capacity = 0/);
    expect(() => buffer.sampleIndices(1, createRng(0))).toThrow(/empty/);
  });
});

describe("RolloutBuffer GAE", () => {
  it("matches a hand computation with termination, truncation bootstrap and the last value", () => {
    const buffer = new RolloutBuffer({ steps: 3, numEnvs: 1, numAgents: 2, obsDim: 1, actionSize: 1 });
    const zeros = [0, 0];
    // agent 0: terminates at t = 1; agent 1: truncated at t = 0 with V(final obs) = 4.
    buffer.add({
      obs: zeros,
      actions: zeros,
      logProbs: zeros,
      values: [1, 2],
      rewards: [1, 1],
      terminated: [0, 0],
      truncated: [0, 1],
      truncationValues: [0, 4],
    });
    buffer.add({
      obs: zeros,
      actions: zeros,
      logProbs: zeros,
      values: [2, 3],
      rewards: [0, 2],
      terminated: [1, 0],
      truncated: [0, 0],
    });
    buffer.add({
      obs: zeros,
      actions: zeros,
      logProbs: zeros,
      values: [3, 1],
      rewards: [2, 0],
      terminated: [0, 0],
      truncated: [0, 0],
    });
    const gamma = 0.9;
    const lambda = 0.8;
    buffer.computeAdvantages([5, 6], gamma, lambda);
    // agent 0
    const d2 = 2 + gamma * 5 - 3; // 3.5
    const d1 = 0 + 0 - 2; // terminated → -2
    const d0 = 1 + gamma * 2 - 1; // 1.8
    const a0 = [d0 + gamma * lambda * d1, d1, d2];
    // agent 1
    const e2 = 0 + gamma * 6 - 1; // 4.4
    const e1 = 2 + gamma * 1 - 3; // -0.1
    const e0 = 1 + gamma * 4 - 2; // truncated: bootstrap with 4, no carry → 2.6
    const a1 = [e0, e1 + gamma * lambda * e2, e2];
    const advantages = Array.from(buffer.advantages);
    const expected = [a0[0], a1[0], a0[1], a1[1], a0[2], a1[2]];
    const values = [1, 2, 2, 3, 3, 1];
    for (let i = 0; i < expected.length; i++) {
      expect(advantages[i]).toBeCloseTo(expected[i], 5);
      expect(buffer.returns[i]).toBeCloseTo(expected[i] + values[i], 5);
    }
  });

  it("refuses a step past capacity and a wrong-length field", () => {
    const buffer = new RolloutBuffer({ steps: 1, numEnvs: 2, numAgents: 1, obsDim: 1, actionSize: 1 });
    const two = [0, 0];
    expect(() =>
      buffer.add({
        obs: [0],
        actions: two,
        logProbs: two,
        values: two,
        rewards: two,
        terminated: two,
        truncated: two,
      }),
    ).toThrow(/obs has 1 entries; expected 2/);
    buffer.add({
      obs: two,
      actions: two,
      logProbs: two,
      values: two,
      rewards: two,
      terminated: two,
      truncated: two,
    });
    expect(buffer.full).toBe(true);
    expect(() =>
      buffer.add({
        obs: two,
        actions: two,
        logProbs: two,
        values: two,
        rewards: two,
        terminated: two,
        truncated: two,
      }),
    ).toThrow(/call clear\(\) first/);
  });
});
