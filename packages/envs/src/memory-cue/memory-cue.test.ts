import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { checkEnv } from "../testing/check-env.js";
import { MemoryCue } from "./memory-cue.js";

/** Mean return of a policy that sees (cue at t = 0, current observation) and may remember. */
function meanReturn(
  env: MemoryCue,
  choose: (cue: number, obs: Float32Array, agent: number) => number,
  episodes: number,
): number {
  const actions = new Int32Array(env.numAgents);
  const cues = new Int32Array(env.numAgents);
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset().obs;
    for (let i = 0; i < env.numAgents; i++) cues[i] = obs[i * 3 + 1] === 1 ? 1 : 0;
    for (;;) {
      for (let i = 0; i < env.numAgents; i++) actions[i] = choose(cues[i], obs.subarray(i * 3, i * 3 + 3), i);
      const step = env.step(actions);
      total += step.rewards[0];
      obs = step.obs;
      if (step.terminated[0] === 1) break;
    }
  }
  return total / episodes;
}

describe("MemoryCue", () => {
  it.each([[{}], [{ numAgents: 3, length: 2, reward: "individual" as const }], [{ length: 7 }]])(
    "passes checkEnv with %j",
    (options) => {
      expect(() => checkEnv(new MemoryCue(options, createRng(1)))).not.toThrow();
    },
  );

  it("shows the cue only at t = 0 and the query flag only at the last step; terminates there", () => {
    const env = new MemoryCue({ numAgents: 2, length: 3 }, createRng(4));
    const first = Array.from(env.reset().obs);
    expect(first[0] + first[1]).toBe(1);
    expect(first[3] + first[4]).toBe(1);
    expect(first[2]).toBe(0);
    const middle = env.step(new Int32Array(2));
    expect(Array.from(middle.obs)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(middle.terminated[0]).toBe(0);
    const query = env.step(new Int32Array(2));
    expect(Array.from(query.obs)).toEqual([0, 0, 1, 0, 0, 1]);
    expect(Array.from(query.rewards)).toEqual([0, 0]);
    const last = env.step(new Int32Array(2));
    expect(last.terminated[0]).toBe(1);
    expect(last.truncated[0]).toBe(0);
  });

  it("pays 1 with memory and 0.5 to every constant and every memoryless policy", () => {
    const env = new MemoryCue({ numAgents: 2, length: 4 }, createRng(7));
    expect(meanReturn(env, (cue) => cue, 200)).toBe(1);
    for (const constant of [0, 1]) {
      expect(meanReturn(env, () => constant, 4000)).toBeCloseTo(0.5, 1);
    }
    // the best a policy of the current observation can do: it never sees the cue when scored
    const rng = createRng(9);
    expect(meanReturn(env, () => (rng.uniform() < 0.5 ? 0 : 1), 4000)).toBeCloseTo(0.5, 1);
  });

  it("pays each agent its own hit with individual rewards; the same seed gives the same cues", () => {
    const env = new MemoryCue({ numAgents: 2, length: 2, reward: "individual" });
    const a = Array.from(env.reset(5).obs);
    env.step(new Int32Array(2));
    const step = env.step(Int32Array.from([a[1] === 1 ? 1 : 0, a[4] === 1 ? 0 : 1]));
    expect(Array.from(step.rewards)).toEqual([1, 0]);
    expect(Array.from(env.reset(5).obs)).toEqual(a);
  });

  it("refuses bad options naming the field", () => {
    expect(() => new MemoryCue({ length: 1 })).toThrow(/length/);
  });
});
