import { Aloha, CoordinationGame, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlgorithmDefinition } from "../../contracts/algorithm-definition.js";
import { Runner } from "../../runner/runner.js";
import { checkLearner } from "../../testing/check-learner.js";
import { randomAlgorithm } from "../random-learner.js";
import { ippoAlgorithm, mappoAlgorithm } from "./mappo-learner.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const game = (rng: Rng) => new CoordinationGame({ numAgents: 3 }, rng);
const aloha = (rng: Rng) => new Aloha({}, rng);

function evaluate(
  createEnv: (rng: Rng) => CoordinationGame | Aloha,
  algorithm: AlgorithmDefinition,
  config: unknown,
  steps: number,
) {
  const runner = new Runner({
    createEnv,
    createLearner: (spec, rng) => algorithm.create(spec, config, rng),
    config: { totalEnvSteps: steps, seed: 1, evalEvery: steps, evalEpisodes: 20 },
  });
  const result = runner.run().lastEvaluationReturn;
  runner.learner.dispose();
  return result;
}

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

  // Learning runs on wasm (about 4× faster than cpu here; a fixed seed and backend give fixed numbers).
  it("MAPPO learns the coordination game well beyond random play (fixed seed)", async () => {
    await initBackend("wasm", { log: false });
    // Measured 41.8 after 20k steps; random play earns ≈ 24 (the optimum ≈ 55).
    const learned = evaluate(game, mappoAlgorithm, { discount: 0.95, epochs: 5 }, 20_000);
    const random = evaluate(game, randomAlgorithm, {}, 25);
    expect(learned - random).toBeGreaterThan(12);
  }, 120_000);

  it("MAPPO and IPPO learn Aloha well beyond random play (fixed seed)", async () => {
    await initBackend("wasm", { log: false });
    // Random transmission collides constantly (≈ −870 per episode); both reach the collision-free
    // "wait" policy (return 0, measured) within 10k steps.
    const random = evaluate(aloha, randomAlgorithm, {}, 20);
    expect(random).toBeLessThan(-300);
    expect(evaluate(aloha, mappoAlgorithm, { epochs: 5 }, 10_000)).toBeGreaterThan(-50);
    expect(evaluate(aloha, ippoAlgorithm, { epochs: 5 }, 10_000)).toBeGreaterThan(-50);
  }, 120_000);

  it("refuses continuous action spaces and bad configs", () => {
    const spec = new CoordinationGame().spec;
    expect(() => mappoAlgorithm.create(spec, { clipRatio: 0 }, null as never)).toThrow(
      /mappo config: clipRatio = 0/,
    );
    expect(() => mappoAlgorithm.create(spec, { rollout: 5 }, null as never)).toThrow(/mappo config/);
  });
});
