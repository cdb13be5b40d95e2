import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, isEpisodeOver, MemoryCue, type MultiAgentEnv, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlgorithmDefinition } from "../../contracts/algorithm-definition.js";
import type { Learner, LearnerState, Metrics } from "../../contracts/learner.js";
import { readStateFile, writeStateFile } from "../../persistence/state-file.js";
import { checkLearner } from "../../testing/check-learner.js";
import { dqnAlgorithm } from "../dqn/dqn-learner.js";
import { qmixAlgorithm } from "../qmix/qmix-learner.js";
import type { RecurrentQLearner } from "./recurrent-q-learner.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

const memoryCue = (rng: Rng) => new MemoryCue({ numAgents: 2, length: 4 }, rng);
/** pymarl's defaults at test scale: 4-episode batches, a small GRU, targets every 3 episodes. */
const small = {
  batchSize: 4,
  bufferEpisodes: 12,
  rnnHiddenSize: 8,
  targetUpdateEvery: 3,
  epsilonDecaySteps: 60,
};
const countTensors = () => tf.memory().numTensors;

/** One env step for every learner on the same observation; returns the actions of the first. */
function stepAll(
  env: MultiAgentEnv,
  learners: Learner[],
  obs: Float32Array,
  state: Float32Array | undefined,
  episodeStart = false,
) {
  const graph = env.graph();
  const actions = learners.map((learner) =>
    Array.from(learner.act(obs, graph, { explore: true, episodeStart })),
  );
  const step = env.step(Int32Array.from(actions[0]));
  const metrics: Metrics[] = [];
  for (const learner of learners) {
    learner.observe({
      obs,
      actions: Int32Array.from(actions[0]),
      rewards: step.rewards,
      nextObs: step.obs,
      terminated: step.terminated,
      truncated: step.truncated,
      state,
      nextState: step.state,
      graph,
    });
    metrics.push(learner.update());
  }
  return { actions, step, metrics };
}

/** Drives `learners` for `steps` environment steps on one env (resetting at episode ends). */
function drive(
  env: MultiAgentEnv,
  learners: Learner[],
  steps: number,
  onStep?: (t: number, m: Metrics[], a: number[][]) => void,
) {
  let current = env.reset(11);
  let episodeStart = true;
  for (let t = 0; t < steps; t++) {
    const obs = current.obs.slice();
    const { actions, step, metrics } = stepAll(env, learners, obs, current.state?.slice(), episodeStart);
    onStep?.(t, metrics, actions);
    episodeStart = isEpisodeOver(step);
    current = episodeStart ? env.reset() : step;
  }
  return current;
}

describe("recurrent IQL / QMIX (pymarl's RNN agent on episode batches)", () => {
  it.each([
    ["dqn", dqnAlgorithm],
    ["qmix", qmixAlgorithm],
  ] as [string, AlgorithmDefinition][])(
    "%s passes checkLearner with the RNN agent (the default)",
    (_, algorithm) => {
      expect(() =>
        checkLearner(algorithm, memoryCue, { config: small, steps: 80, countTensors }),
      ).not.toThrow();
    },
  );

  it("trains once per finished episode from the batchSize-th on, copies targets every targetUpdateEvery episodes, and holds ε for an episode", () => {
    const env = memoryCue(createRng(0));
    const learner = dqnAlgorithm.create(env.spec, small, createRng(1)) as RecurrentQLearner;
    const updateSteps: number[] = [];
    const targetCopies: number[] = [];
    const epsilons: number[] = [];
    drive(env, [learner], 60, (t, [metrics]) => {
      epsilons.push(learner.epsilon);
      if (Object.keys(metrics).length === 0) return;
      updateSteps.push(t + 1);
      targetCopies.push(learner.state().lastTargetUpdateEpisode as number);
    });
    // 4-step episodes: the 4th ends at step 16, then one update per episode (pymarl `run.py` 163–179).
    expect(updateSteps).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
    // `episode_num` (0-based) − last copy ≥ 3 ⇒ copies after episodes 3, 6, 9, 12 (0-based 3, 6, 9, …).
    expect(targetCopies).toEqual([3, 3, 3, 6, 6, 6, 9, 9, 9, 12, 12, 12]);
    // ε(t) = 1 − 0.95 · t_episode-start / 60, constant within an episode, 0.05 from step 60 on.
    for (let t = 0; t < 60; t++) {
      const episodeStart = Math.floor((t + 1) / 4) * 4;
      expect(epsilons[t]).toBeCloseTo(Math.max(0.05, 1 - (0.95 * episodeStart) / 60), 10);
    }
    learner.dispose();
  });

  it("resumes exactly from a state file written mid-episode (GRU states, targets, RMSprop, buffer, ε, Rng)", () => {
    const env = memoryCue(createRng(0));
    const original = qmixAlgorithm.create(env.spec, small, createRng(1));
    let current = drive(env, [original], 42); // 10 episodes and 2 steps of the 11th
    // An evaluation step in between gives the greedy stream a hidden state too.
    const evaluationEnv = memoryCue(createRng(5));
    original.act(evaluationEnv.reset(99).obs, evaluationEnv.graph(), { explore: false, episodeStart: true });
    const directory = mkdtempSync(join(tmpdir(), "netmarl-rnn-q-"));
    const path = join(directory, "state.bin");
    writeStateFile(path, original.state());
    const restored = qmixAlgorithm.create(env.spec, small, createRng(2));
    restored.load(readStateFile(path, "test") as LearnerState);
    rmSync(directory, { recursive: true, force: true });
    // The complete state, not only what acting reads: weights, targets, moments, buffer, streams.
    expect(restored.state()).toEqual(original.state());
    const evaluationObs = evaluationEnv.step(new Int32Array(2)).obs.slice();
    expect(Array.from(restored.act(evaluationObs, evaluationEnv.graph(), { explore: false }))).toEqual(
      Array.from(original.act(evaluationObs, evaluationEnv.graph(), { explore: false })),
    );
    // Both continue the 11th episode from its third step on the same observations.
    const tensors = countTensors();
    let updates = 0;
    for (let t = 0; t < 40; t++) {
      const { actions, step, metrics } = stepAll(
        env,
        [original, restored],
        current.obs.slice(),
        current.state?.slice(),
      );
      expect(actions[1]).toEqual(actions[0]);
      expect(metrics[1]).toEqual(metrics[0]);
      if (Object.keys(metrics[0]).length > 0) updates++;
      current = isEpisodeOver(step) ? env.reset() : step;
    }
    expect(updates).toBeGreaterThan(5);
    expect(countTensors()).toBe(tensors);
    original.dispose();
    restored.dispose();
  });

  it("refuses feed-forward-only options with the RNN agent, naming them", () => {
    const spec = memoryCue(createRng(0)).spec;
    expect(() => dqnAlgorithm.create(spec, { shareParameters: false }, createRng(0))).toThrow(
      /shareParameters/,
    );
    expect(() => dqnAlgorithm.create(spec, { tau: 0.01 }, createRng(0))).toThrow(/tau/);
  });
});
