import { describe, expect, it } from "vitest";
import { RolloutBuffer } from "./rollout-buffer.js";
import { type ChunkMinibatch, writeChunkMinibatch } from "./sequence-chunks.js";

function output(length: number, batch: number): ChunkMinibatch {
  return {
    rows: new Int32Array(length * batch),
    firstRows: new Int32Array(batch),
    resets: new Float32Array(length * batch),
  };
}

describe("writeChunkMinibatch (recurrent chunks)", () => {
  // 6 steps × 2 slots, chunks of 3: chunk 0 = slot 0 steps 0–2, 1 = slot 0 steps 3–5,
  // 2 = slot 1 steps 0–2, 3 = slot 1 steps 3–5; rows are step·2 + slot
  const masks = Float32Array.from([
    // step: 0      1      2      3      4      5   (slot 0, slot 1)
    ...[0, 0],
    ...[1, 1],
    ...[1, 0],
    ...[0, 1],
    ...[1, 1],
    ...[1, 1],
  ]);

  it("lays chunks out time-major, starting at the stored state of their first step", () => {
    const out = output(3, 2);
    writeChunkMinibatch([3, 0], { length: 3, steps: 6, slots: 2, masks }, out);
    // step k of chunk b is row k·2 + b: chunk 3 = rows 7, 9, 11; chunk 0 = rows 0, 2, 4
    expect(Array.from(out.rows)).toEqual([7, 0, 9, 2, 11, 4]);
    expect(Array.from(out.firstRows)).toEqual([7, 0]);
  });

  it("marks resets where the masks say an episode starts, also at a chunk's first step", () => {
    const out = output(3, 2);
    writeChunkMinibatch([1, 2], { length: 3, steps: 6, slots: 2, masks }, out);
    // chunk 1 (slot 0, steps 3–5): masks 0, 1, 1; chunk 2 (slot 1, steps 0–2): masks 0, 1, 0
    expect(Array.from(out.rows)).toEqual([6, 1, 8, 3, 10, 5]);
    expect(Array.from(out.resets)).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it("refuses chunks that do not tile the rollout and misshapen outputs", () => {
    expect(() => writeChunkMinibatch([0], { length: 4, steps: 6, slots: 2, masks }, output(4, 1))).toThrow(
      /steps = 6 is not a multiple of the chunk length 4/,
    );
    expect(() => writeChunkMinibatch([0, 1], { length: 3, steps: 6, slots: 2, masks }, output(3, 1))).toThrow(
      /expected 6, 2 and 6/,
    );
  });
});

describe("RolloutBuffer at a time-limit cut", () => {
  // one agent, 3 steps; the episode is cut by the time limit after step 1 (truncated, not terminated)
  function buffer() {
    const b = new RolloutBuffer({ steps: 3, numEnvs: 1, numAgents: 1, obsDim: 1, actionSize: 1 });
    const step = (reward: number, value: number, truncated: number) =>
      b.add({
        obs: [0],
        actions: [0],
        logProbs: [0],
        values: [value],
        rewards: [reward],
        terminated: [0],
        truncated: [truncated],
      });
    step(1, 0.5, 0);
    step(2, 0.25, 1);
    step(4, 1, 0);
    return b;
  }
  const [discount, lambda, last] = [0.9, 0.5, [3]];

  it("without truncation values the cut is terminal (on-policy's use_proper_time_limits = False)", () => {
    const b = buffer();
    b.computeAdvantages(last, discount, lambda);
    const a1 = 2 - 0.25; // δ = r − V: nothing after the cut
    const a0 = 1 + discount * 0.25 - 0.5 + discount * lambda * a1;
    const a2 = 4 + discount * 3 - 1;
    for (const [t, a] of [a0, a1, a2].entries()) expect(b.advantages[t]).toBeCloseTo(a, 6);
  });

  it("`zero-advantage` gives the cut step A = 0 and R = V (on-policy's bad_masks rule)", () => {
    const b = buffer();
    b.computeAdvantages(last, discount, lambda, { truncation: "zero-advantage" });
    expect(b.advantages[1]).toBe(0);
    expect(b.returns[1]).toBeCloseTo(0.25, 7);
    expect(b.advantages[0]).toBeCloseTo(1 + discount * 0.25 - 0.5, 6);
  });
});
