import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentGraph, createRng } from "@netmarl/envs";
import type { Transition } from "@netmarl/trainers";
import { readStateFile, writeStateFile } from "@netmarl/trainers";
import { describe, expect, it } from "vitest";
import { fromHalf, toHalf } from "./half-float.js";
import {
  SharedFrameReplay,
  type SharedFrameReplayOptions,
  type SharedFrameReplayState,
} from "./shared-frame-replay.js";

const N = 3;
const OBS = 2;
const ring = AgentGraph.fromEdges(N, [
  [0, 1],
  [1, 2],
  [2, 0],
]);

/** Episodes of `length` steps whose observations encode (episode, step) so reads can be checked. */
function* episodes(count: number, length: number): Generator<Transition & { id: number }> {
  let id = 0;
  for (let e = 0; e < count; e++) {
    for (let t = 0; t < length; t++) {
      const frame = (step: number) =>
        Float32Array.from({ length: N * OBS }, (_, k) => e * 1000 + step + k / 100);
      const last = t === length - 1;
      yield {
        id: id++,
        obs: frame(t),
        nextObs: frame(t + 1),
        actions: Int32Array.from({ length: N }, (_, i) => (e + t + i) % 5),
        rewards: Float32Array.from({ length: N }, (_, i) => -(e + t) - i),
        terminated: new Uint8Array(N),
        truncated: new Uint8Array(N).fill(last ? 1 : 0),
        graph: ring,
      };
    }
  }
}

const options = (
  capacity: number,
  precision: "float32" | "float16" = "float32",
): SharedFrameReplayOptions => ({
  capacity,
  numAgents: N,
  obsDim: OBS,
  maxNeighbors: 2,
  episodeLength: 5,
  precision,
});

/** Every sampled row is one of the added transitions, read back whole. */
function expectConsistent(replay: SharedFrameReplay, batchSize: number, seed: number) {
  const batch = replay.sample(replay.createBatch(batchSize), createRng(seed));
  for (let b = 0; b < batchSize; b++) {
    const first = batch.obs[b * N * OBS];
    const episode = Math.floor(first / 1000);
    const step = Math.round(first - episode * 1000);
    expect(batch.nextObs[b * N * OBS]).toBeCloseTo(first + 1, 2);
    expect(batch.actions[b * N]).toBe((episode + step) % 5);
    expect(batch.rewards[b * N + 1]).toBe(-(episode + step) - 1);
    expect(Array.from(batch.neighbors.subarray(b * N * 2, b * N * 2 + 2))).toEqual([1, 2]);
  }
  return batch;
}

describe("SharedFrameReplay", () => {
  it("stores one frame per step plus one per episode, and reads every transition back whole", () => {
    const replay = new SharedFrameReplay(options(100));
    for (const transition of episodes(10, 5)) replay.add(transition);
    expect(replay.size).toBe(50);
    expect(replay.state().framesUsed).toBe(60); // 50 next observations + 10 episode starts
    expectConsistent(replay, 50, 1);
  });

  it("wraps both rings without ever reading an overwritten frame", () => {
    const replay = new SharedFrameReplay(options(40));
    for (const transition of episodes(53, 5)) replay.add(transition);
    expect(replay.size).toBe(40);
    for (let seed = 0; seed < 20; seed++) expectConsistent(replay, 30, seed);
    // Episodes shorter than planned use more frames: the oldest transitions make room.
    const short = new SharedFrameReplay(options(40));
    for (const transition of episodes(200, 1)) short.add(transition);
    expect(short.size).toBeLessThanOrEqual(40);
    expect(short.size).toBeGreaterThan(20);
    expectConsistent(short, 20, 3);
  });

  it("samples without replacement, deterministically for a given Rng state", () => {
    const replay = new SharedFrameReplay(options(64));
    for (const transition of episodes(12, 5)) replay.add(transition);
    const a = replay.sample(replay.createBatch(60), createRng(9));
    const firsts = new Set(Array.from({ length: 60 }, (_, b) => a.obs[b * N * OBS]));
    expect(firsts.size).toBe(60);
    const again = replay.sample(replay.createBatch(60), createRng(9));
    expect(again.obs).toEqual(a.obs);
    expect(() => replay.sample(replay.createBatch(61), createRng(1))).toThrow(/61 distinct of 60/);
  });

  it("restores exactly through a state file", () => {
    const scratch = mkdtempSync(join(tmpdir(), "netmarl-ip-replay-"));
    try {
      for (const precision of ["float32", "float16"] as const) {
        const replay = new SharedFrameReplay(options(40, precision));
        for (const transition of episodes(11, 5)) replay.add(transition);
        const path = join(scratch, `${precision}.bin`);
        writeStateFile(path, replay.state());
        const restored = new SharedFrameReplay(options(40, precision));
        restored.load(readStateFile(path, "replay") as SharedFrameReplayState);
        expect(restored.sample(restored.createBatch(30), createRng(4))).toEqual(
          replay.sample(replay.createBatch(30), createRng(4)),
        );
        const more = [...episodes(13, 5)].slice(-5);
        for (const transition of more) {
          replay.add(transition);
          restored.add(transition);
        }
        expect(restored.state()).toEqual(replay.state());
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("float16 frames round to the nearest half and halve the frame memory", () => {
    for (const value of [0, 1, -2.5, 0.1, 1234.5678, 6e-5, -3e-7, 65504]) {
      const half = fromHalf(toHalf(value));
      expect(Math.abs(half - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 2 ** -11, 2 ** -25));
    }
    expect(fromHalf(toHalf(1e6))).toBe(Number.POSITIVE_INFINITY);
    // One episode: its observations (< 6) keep float16's spacing below the checks' 0.005.
    const replay = new SharedFrameReplay(options(40, "float16"));
    for (const transition of episodes(1, 5)) replay.add(transition);
    expectConsistent(replay, 5, 2);
    // The paper's N = 200 setting: obsDim 26, k = 5, 1e6 transitions of 25-step episodes.
    const paper = { capacity: 1_000_000, numAgents: 200, obsDim: 26, maxNeighbors: 5, episodeLength: 25 };
    const full = SharedFrameReplay.bytesFor({ ...paper, precision: "float32" }) / 2 ** 30;
    const half = SharedFrameReplay.bytesFor({ ...paper, precision: "float16" }) / 2 ** 30;
    expect(full).toBeCloseTo(22.4, 1); // vs 2 × 1e6 × 200 × 26 × 4 B = 38.7 GiB for obs and next obs apart
    expect(half).toBeCloseTo(12.3, 1);
  });
});
