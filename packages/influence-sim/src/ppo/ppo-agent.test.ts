import { createRng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { PpoAgent, ppoAgentConfigSchema } from "./ppo-agent.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

// A one-step bandit: action 1 pays 1, action 0 pays 0; every step ends its episode.
const config = ppoAgentConfigSchema.parse({
  hiddenSizes: [16, 16],
  learningRate: 1e-2,
  rolloutSteps: 8,
  memorySize: 32,
  batchSize: 8,
  scheduleSteps: 10_000,
});
const observation = Float32Array.of(1, 0, 1, 0);

function play(agent: PpoAgent, steps: number): number {
  let paid = 0;
  for (let t = 0; t < steps; t++) {
    const action = agent.act(observation);
    agent.observe(observation, action, action, true);
    paid += action;
    if ((t + 1) % config.rolloutSteps === 0) agent.endRollout(observation);
  }
  return paid / steps;
}

describe("PpoAgent", () => {
  it("learns a bandit; no tensors left; state() / load() continue exactly", () => {
    const before = tf.memory().numTensors;
    const agent = new PpoAgent(4, 2, config, createRng(1));
    const start = play(agent, 64);
    play(agent, 256);
    // measured: 0.67 of the first 64 actions pay, 1.00 of 64 after 320 steps (10 updates)
    const end = play(agent, 64);
    expect(end).toBeGreaterThan(Math.max(0.9, start));
    const copy = new PpoAgent(4, 2, config, createRng(99));
    copy.load(agent.state());
    play(agent, 40);
    play(copy, 40);
    expect(copy.state().weights).toEqual(agent.state().weights);
    expect(copy.steps).toBe(agent.steps);
    agent.dispose();
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("recurrent: the GRU policy remembers a cue across steps, which no feed-forward policy can", () => {
    // Two-step episodes: step 0 shows a cue bit, step 1 a blank; at step 1 the action equal to the
    // cue pays 1. A memoryless policy earns 0.5 per episode at best.
    const recurrentConfig = {
      ...config,
      recurrent: true,
      sequenceLength: 2,
      hiddenSizes: [16, 16] as [number, number],
    };
    const before = tf.memory().numTensors;
    const agent = new PpoAgent(2, 2, recurrentConfig, createRng(2));
    const cueRng = createRng(3);
    const blank = Float32Array.of(0, 0);
    const play = (episodes: number) => {
      let paid = 0;
      for (let e = 0; e < episodes; e++) {
        const cue = cueRng.uniform() < 0.5 ? 1 : 0;
        const shown = Float32Array.of(1, cue);
        const first = agent.act(shown);
        agent.observe(shown, first, 0, false);
        const second = agent.act(blank);
        const reward = second === cue ? 1 : 0;
        agent.observe(blank, second, reward, true);
        paid += reward;
        if ((e + 1) % 4 === 0) agent.endRollout(shown);
      }
      return paid / episodes;
    };
    const start = play(64);
    play(384);
    const end = play(64);
    // measured: 0.59 of the first 64 episodes paid, 0.98 of 64 after 512 (64 updates)
    expect(end).toBeGreaterThan(Math.max(0.8, start));
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses a memory that is not a whole number of rollouts", () => {
    expect(() => new PpoAgent(4, 2, { ...config, memorySize: 30 }, createRng(1))).toThrow(
      /memorySize = 30 is not a multiple of rolloutSteps = 8/,
    );
  });
});
