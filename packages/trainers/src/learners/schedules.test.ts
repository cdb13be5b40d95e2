import {
  CooperativeNavigation,
  createRng,
  isEpisodeOver,
  type MultiAgentEnv,
  PrisonersDilemma,
} from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { beforeAll, describe, expect, it } from "vitest";
import { ReplayBuffer } from "../buffers/replay-buffer.js";
import type { Learner, Metrics } from "../contracts/learner.js";
import { learningRateFactor } from "../optim/learning-rate-schedule.js";
import { dgnAlgorithm } from "./dgn/dgn-learner.js";
import { maddpgAlgorithm, picAlgorithm } from "./maddpg/maddpg-learner.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

/** Runs `learner` for `steps` steps with fixed actions, calling `onUpdate` after each `update()`. */
function drive(
  env: MultiAgentEnv,
  learner: Learner,
  steps: number,
  onUpdate: (t: number, m: Metrics) => void,
) {
  let current = env.reset(3);
  const actions = new Int32Array(env.spec.numAgents);
  for (let t = 1; t <= steps; t++) {
    const obs = current.obs.slice();
    const graph = env.graph();
    learner.act(obs, graph, { explore: true });
    const step = env.step(actions);
    learner.observe({
      obs,
      actions,
      rewards: step.rewards,
      nextObs: step.obs,
      terminated: step.terminated,
      truncated: step.truncated,
      graph,
    });
    onUpdate(t, learner.update());
    current = isEpisodeOver(step) ? env.reset() : step;
  }
}

describe("PIC / MADDPG defaults as main_vec.py and eval.py run them", () => {
  it("decay the learning rate linearly to 0 over the run: lr(t) = lr₀ (1 − t / 1.5M)", () => {
    for (const algorithm of [maddpgAlgorithm, picAlgorithm]) {
      const config = algorithm.parseConfig({}) as Record<string, unknown>;
      expect(config).toMatchObject({
        learningRateSchedule: "linear",
        scheduleSteps: 1_500_000,
        evaluationNoise: true,
        sampleWithoutReplacement: true,
      });
    }
    for (const [step, factor] of [
      [0, 1],
      [25, 1 - 25 / 1.5e6],
      [750_000, 0.5],
      [1_500_000, 0],
      [2_000_000, 0],
    ]) {
      expect(learningRateFactor("linear", step, 1_500_000)).toBeCloseTo(factor, 12);
    }
  });

  it("evaluate with Gumbel-sampled actions and train on minibatches of distinct transitions", () => {
    const env = new CooperativeNavigation({ numAgents: 3 }, createRng(0));
    const config = {
      batchSize: 40,
      updateEvery: 50,
      hiddenSize: 8,
      bufferCapacity: 100,
      actorUpdates: 1,
      criticUpdates: 1,
    };
    const learner = maddpgAlgorithm.create(env.spec, config, createRng(1));
    const rngBefore = JSON.stringify(learner.state().rng);
    learner.act(env.reset(0).obs, env.graph(), { explore: false });
    // A greedy (argmax) evaluation draws nothing; eval.py's `action_noise=True` draws Gumbel noise.
    expect(JSON.stringify(learner.state().rng)).not.toBe(rngBefore);
    let updates = 0;
    drive(env, learner, 50, (_, metrics) => {
      if (Object.keys(metrics).length === 0) return;
      updates++;
      // The indices of the last minibatch: 40 of the 50 stored, all different (`random.sample`).
      const indices = (learner as unknown as { batchIndices: Int32Array }).batchIndices;
      expect(new Set(indices).size).toBe(40);
    });
    expect(updates).toBe(1);
    learner.dispose();
  });

  it("ReplayBuffer draws distinct indices without replacement, a permutation when the batch is the buffer", () => {
    const buffer = new ReplayBuffer({ capacity: 20, numAgents: 1, obsDim: 1, actionSize: 1 });
    const one = Float32Array.of(0);
    const transition = {
      obs: one,
      actions: Int32Array.of(0),
      rewards: one,
      nextObs: one,
      terminated: Uint8Array.of(0),
      truncated: Uint8Array.of(0),
      graph: new PrisonersDilemma().graph(),
    };
    for (let i = 0; i < 12; i++) buffer.add(transition);
    const rng = createRng(5);
    const counts = new Int32Array(12);
    for (let draw = 0; draw < 600; draw++) {
      const indices = buffer.sampleIndices(12, rng, new Int32Array(12), true);
      expect([...indices].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      const some = buffer.sampleIndices(3, rng, new Int32Array(3), true);
      expect(new Set(some).size).toBe(3);
      for (const index of some) counts[index]++;
    }
    // Uniform: each index is in 3/12 of the 600 three-element draws, 150 ± 3σ (σ ≈ 10.6).
    for (const count of counts) expect(Math.abs(count - 150)).toBeLessThan(35);
    expect(() => buffer.sampleIndices(13, rng, new Int32Array(13), true)).toThrow(
      /13 distinct indices from 12/,
    );
  });
});

describe("DGN's jungle schedule (mutli_jungle.py)", () => {
  it("stores and trains at every 3rd step of an episode from the trainFromEpisode-th episode on, ε decayed before each episode", () => {
    const env = new PrisonersDilemma({}, createRng(0)); // 2 agents, 10-step episodes
    const config = {
      encoderSizes: [8],
      numLayers: 1,
      numHeads: 1,
      headSize: 4,
      batchSize: 2,
      trainFromEpisode: 3,
    };
    const learner = dgnAlgorithm.create(env.spec, config, createRng(1)) as Learner & { epsilon: number };
    expect(dgnAlgorithm.parseConfig({})).toMatchObject({
      storeEvery: 3,
      trainEvery: 3,
      trainFromEpisode: 200,
      learningStarts: 0,
      batchSize: 10,
      sampleWithoutReplacement: true,
      epsilonStart: 0.6,
      epsilonDecay: 0.996,
    });
    const updateSteps: number[] = [];
    const epsilons: number[] = [];
    drive(env, learner, 40, (t, metrics) => {
      if (Object.keys(metrics).length > 0) updateSteps.push(t);
      if (t % 10 === 5) epsilons.push(learner.epsilon);
    });
    // Episodes 3 and 4 are steps 21–30 and 31–40; their steps 3, 6, 9.
    expect(updateSteps).toEqual([23, 26, 29, 33, 36, 39]);
    expect((learner.state().buffer as { filled: number }).filled).toBe(12);
    // ε of episode k (1-based) = 0.6 · 0.996^k (`alpha *= 0.996` before the episode).
    expect(epsilons).toEqual([1, 2, 3, 4].map((k) => 0.6 * 0.996 ** k));
    learner.dispose();
  });
});
