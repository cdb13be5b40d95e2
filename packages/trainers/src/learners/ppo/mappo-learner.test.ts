import { Aloha, CoordinationGame, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { checkLearner } from "../../testing/check-learner.js";
import { LEARNING_TESTS, learningFailure, trainAndEvaluate } from "../learning-evidence.fixture.js";
import { ippoAlgorithm, mappoAlgorithm } from "./mappo-learner.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const game = (rng: Rng) => new CoordinationGame({ numAgents: 3 }, rng);
const aloha = (rng: Rng) => new Aloha({}, rng);

describe("mappo / ippo", () => {
  it.each([mappoAlgorithm, ippoAlgorithm])("$id passes checkLearner", (algorithm) => {
    const small = { rolloutSteps: 50, epochs: 2, hiddenSizes: [16] };
    expect(() =>
      checkLearner(algorithm, game, {
        config: small,
        steps: 200,
        countTensors: () => tf.memory().numTensors,
      }),
    ).not.toThrow();
    expect(() => checkLearner(algorithm, aloha, { config: small, steps: 120 })).not.toThrow();
  });

  // Learning on wasm (fixed seed and backend ⇒ the same numbers), on the cue game (see
  // learning-evidence.fixture.ts for why not the coordination game or Aloha).
  it.each(["mappo", "ippo"] as const)(
    "%s learns the cue game: beats random play and every constant joint policy (fixed seed)",
    async (name) => {
      await initBackend("wasm", { log: false });
      // Measured (seeds 1–5, 3 000 steps, rollouts of 50, wasm, 3–6 s each): MAPPO 10.0 / 10.0 /
      // 8.38 / 10.0 / 8.58, IPPO 10.0 / 10.0 / 10.0 / 8.48 / 10.0. Random ≤ 5.17 and best constant
      // ≤ 5.55 (as for DQN: same task and evaluation episodes), evaluation noise ≤ 0.16 ⇒ margin 2;
      // the worst seed still leads the best constant by 2.8. (3 000 steps with the default 400-step
      // rollouts did not learn: 3.6–6.7.)
      const test = LEARNING_TESTS[name];
      expect(learningFailure(test, trainAndEvaluate(test))).toBeUndefined();
    },
    120_000,
  );

  it("refuses continuous action spaces and bad configs", () => {
    const spec = new CoordinationGame().spec;
    expect(() => mappoAlgorithm.create(spec, { clipRatio: 0 }, null as never)).toThrow(
      /mappo config: clipRatio = 0/,
    );
    expect(() => mappoAlgorithm.create(spec, { rollout: 5 }, null as never)).toThrow(/mappo config/);
  });
});
