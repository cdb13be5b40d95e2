import { createRng, MemoryCue } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { beforeAll, describe, expect, it } from "vitest";
import { mappoAlgorithm } from "../learners/ppo/mappo-learner.js";
import { ValueNormalizer, type ValueNormalizerState } from "./value-normalizer.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

/** The debiased statistics written out: weights β^(k−i) over the batches' means and mean squares. */
function direct(batches: number[][], beta: number) {
  let weights = 0;
  let mean = 0;
  let meanSquare = 0;
  batches.forEach((batch, i) => {
    const w = beta ** (batches.length - 1 - i);
    weights += w;
    mean += (w * batch.reduce((a, b) => a + b, 0)) / batch.length;
    meanSquare += (w * batch.reduce((a, b) => a + b * b, 0)) / batch.length;
  });
  mean /= weights;
  return { mean, variance: Math.max(meanSquare / weights - mean * mean, 1e-2) };
}

describe("ValueNormalizer (on-policy ValueNorm, BNPG PopArt)", () => {
  const batches = [
    [1, 2, 3, 10],
    [-4, 0.5],
    [7, 7, 8, 9, 30],
  ];

  it.each([0.99999, 0.9, 0.5])("matches the direct computation of the debiased moments (β = %s)", (beta) => {
    const normalizer = new ValueNormalizer(beta);
    for (const batch of batches) normalizer.update(batch);
    const expected = direct(batches, beta);
    const { mean, variance } = normalizer.statistics();
    expect(mean).toBeCloseTo(expected.mean, 6);
    expect(variance).toBeCloseTo(expected.variance, 5);
    const values = [-3, 0, 12];
    const normalised = normalizer.normalise(values);
    for (const [k, v] of normalised.entries())
      expect(v).toBeCloseTo((values[k] - mean) / Math.sqrt(variance), 5);
    for (const [k, v] of normalizer.denormalise(normalised).entries()) expect(v).toBeCloseTo(values[k], 4);
  });

  it("floors the variance at 1e-2 (valuenorm.py line 35) and starts from mean 0", () => {
    const normalizer = new ValueNormalizer();
    expect(normalizer.statistics()).toEqual({ mean: 0, variance: 1e-2 });
    normalizer.update([5, 5, 5]);
    const { mean, variance } = normalizer.statistics();
    expect(mean).toBeCloseTo(5, 4);
    expect(variance).toBe(1e-2);
  });

  // one MAPPO update with 2 epochs × 2 minibatches: ValueNorm is updated once per minibatch
  // (`r_mappo.py` line 65), BNPG's PopArt at both of its calls (its `r_mappo.py` lines 63–64)
  it.each([
    ["value-norm", 4],
    ["popart", 8],
  ] as const)(
    "MAPPO with %s folds %i minibatches of returns into the statistics per update",
    (mode, count) => {
      const env = new MemoryCue({}, createRng(0));
      const learner = mappoAlgorithm.create(
        env.spec,
        { valueNormalization: mode, rolloutSteps: 8, epochs: 2, numMiniBatches: 2, hiddenSizes: [4] },
        createRng(1),
      );
      let current = env.reset(2);
      for (let t = 0; t < 8; t++) {
        const obs = current.obs.slice();
        const actions = learner.act(obs, env.graph(), { explore: true }).slice();
        const step = env.step(actions);
        learner.observe({
          ...step,
          obs,
          actions,
          nextObs: step.obs,
          state: current.state,
          nextState: step.state,
          graph: env.graph(),
        });
        current = step.terminated[0] === 1 ? env.reset() : step;
      }
      learner.update();
      const state = learner.state().normalizer as ValueNormalizerState;
      expect(state.debiasingTerm).toBeCloseTo(1 - 0.99999 ** count, 12);
      learner.dispose();
    },
  );
});
