import { describe, expect, it } from "vitest";
import { CoordinationGame } from "../coordination-game/coordination-game.js";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import type { EpisodeStatistics } from "./record-episode-statistics.js";
import { RecordEpisodeStatistics } from "./record-episode-statistics.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import { TimeLimit } from "./time-limit.js";

describe("wrappers", () => {
  it("TimeLimit truncates early and still passes checkEnv", () => {
    const env = new TimeLimit(new CoordinationGame(), 4);
    expect(env.spec.maxSteps).toBe(4);
    env.reset(0);
    const flags = [0, 1, 2, 3].map(() => env.step(Int32Array.of(1, 1, 1)).truncated[0]);
    expect(flags).toEqual([0, 0, 0, 1]);
    expect(() => checkEnv(new TimeLimit(new CoordinationGame(), 4))).not.toThrow();
    expect(() => new TimeLimit(new CoordinationGame(), 0)).toThrow(/maxSteps/);
  });

  it("RecordEpisodeStatistics reports the episode's returns on its last step only", () => {
    const env = new RecordEpisodeStatistics(new CoordinationGame({ numAgents: 3, flipProbability: 0 }));
    env.reset(0);
    let last: EpisodeStatistics | undefined;
    let meanReturn: number | undefined;
    for (let t = 0; t < 25; t++) {
      const step = env.step(Int32Array.of(0, 0, 0)); // all zeros: reward 3 every step
      last = step.infos.episode; // typed, no cast (it was `unknown`)
      meanReturn = step.infos.episode?.meanReturn;
      if (t < 24) expect(last).toBeUndefined();
    }
    expect(last).toMatchObject({ meanReturn: 75, totalReturn: 225, length: 25 });
    expect(meanReturn).toBe(75);
    expect(Array.from(last!.agentReturns)).toEqual([75, 75, 75]);
  });

  it("SyncVectorEnv steps K copies as one batch, resets finished copies and matches single envs", () => {
    const vector = new SyncVectorEnv(() => new CoordinationGame({ numAgents: 3, maxSteps: 5 }), 4);
    const first = vector.reset(42);
    expect(first.obs.length).toBe(4 * 3 * 3);
    const actions = new Int32Array(4 * 3).fill(1);
    let ended = 0;
    for (let t = 0; t < 5; t++) {
      const step = vector.step(actions);
      ended += step.episodeEnded.reduce((a, b) => a + b, 0);
      if (t === 4) {
        expect(Array.from(step.truncated)).toEqual(new Array(12).fill(1));
        expect(step.finalObs.length).toBe(36);
      }
    }
    expect(ended).toBe(4);

    // Copy k behaves exactly like a single environment reset with seed fork(k) of the batch seed.
    const again = new SyncVectorEnv(() => new CoordinationGame({ numAgents: 5, maxSteps: 5 }), 3);
    const batchFirst = again.reset(42).obs.slice();
    const batchActions = Int32Array.from({ length: 15 }, (_, i) => i % 2);
    const batchNext = again.step(batchActions).obs.slice();
    for (let k = 0; k < 3; k++) {
      const single = new CoordinationGame({ numAgents: 5, maxSteps: 5 });
      const seed = createRng(42).fork(k).nextSeed();
      expect(single.reset(seed).obs).toEqual(batchFirst.subarray(k * 25, (k + 1) * 25));
      expect(single.step(batchActions.subarray(k * 5, k * 5 + 5)).obs).toEqual(
        batchNext.subarray(k * 25, (k + 1) * 25),
      );
    }
    expect(batchFirst).not.toEqual(new Float32Array(75).fill(batchFirst[0])); // copies differ
    expect(() => again.step(new Int32Array(5))).toThrow(/expected 15/);
  });
});
