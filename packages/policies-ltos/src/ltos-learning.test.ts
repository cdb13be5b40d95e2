import { createRng, isEpisodeOver, PrisonersDilemma, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { type AlgorithmDefinition, dqnAlgorithm, type Learner, Runner } from "@netmarl/trainers";
import { beforeAll, expect, it } from "vitest";
import { fixedLtosAlgorithm, ltosAlgorithm } from "./ltos-learner.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

const createEnv = (rng: Rng) => new PrisonersDilemma({}, rng);
const STEPS = 800;

/** Greedy team return per 10-round episode and cooperation rate over 10 episodes. */
function evaluate(learner: Learner): { episodeReturn: number; cooperation: number } {
  const env = createEnv(createRng(99));
  let total = 0;
  let cooperation = 0;
  let steps = 0;
  for (let episode = 0; episode < 10; episode++) {
    let current = env.reset(episode);
    for (;;) {
      const step = env.step(learner.act(current.obs, env.graph(), { explore: false }));
      total += (step.rewards[0] + step.rewards[1]) / 2;
      cooperation += step.infos.cooperationRate as number;
      steps++;
      if (isEpisodeOver(step)) break;
      current = step;
    }
  }
  return { episodeReturn: total / 10, cooperation: cooperation / steps };
}

function train(definition: AlgorithmDefinition, config: unknown) {
  const runner = new Runner({
    createEnv,
    createLearner: (spec, rng) => definition.create(spec, config, rng),
    config: { totalEnvSteps: STEPS, seed: 0 },
  });
  runner.run();
  const result = evaluate(runner.learner);
  runner.learner.dispose();
  return result;
}

/*
 * Two-agent prisoner's dilemma (R 3, S 0, T 5, P 1; 10 rounds): per-episode team return is 30 when
 * both cooperate (the best constant policy and the optimum), 10 when both defect (the equilibrium of
 * selfish learners; "always defect"), 22.5 in expectation for random play. Tables 4/5 prisoner
 * settings (ε 0.8 while training, selfishness 0.5, …) except γ 0.9 instead of 0.99 and one
 * high-level minibatch of 16 per step instead of 2 000 / 32, so that 800 steps suffice.
 * Measured (wasm, 800 steps, seeds 0, 1, 2; evaluation greedy and deterministic):
 *   LToS        return 30, 30, 30   cooperation 1.00, 1.00, 1.00
 *   fixed-LToS  return 30, 30, 30   cooperation 1.00, 1.00, 1.00
 *   DQN         return 10, 10, 10   cooperation 0.00, 0.00, 0.00
 * At γ 0.99 and 5 000 steps: fixed-LToS 30 (3/3 seeds), DGN 10 (3/3); at 2 000 steps LToS gave 20
 * (cooperation 0.5) on seed 0 and 30 on seed 1, fixed-LToS 10 on seeds 0 and 1: the margin needs
 * about 1 000+ low-level updates. The test runs seed 0 only (time); its margins (20 over DQN, 7.5
 * over random, equal to the best constant policy) are far above the seed-to-seed spread measured.
 */
it("on the prisoner's dilemma, LToS and fixed-LToS (0.5) cooperate where independent DQN defects", () => {
  const sharing = { discount: 0.9, sharingSampleSize: 16, sharingBatchSize: 16, learningStarts: 100 };
  const ltos = train(ltosAlgorithm, sharing);
  const fixed = train(fixedLtosAlgorithm, sharing);
  const dqn = train(dqnAlgorithm, {
    agent: "mlp",
    optimizer: "adam",
    hiddenSizes: [32, 32],
    learningRate: 1e-3,
    discount: 0.9,
    batchSize: 10,
    learningStarts: 100,
    epsilonStart: 0.8,
    epsilonEnd: 0.8,
    targetUpdateEvery: 10,
  });
  const randomPlay = 22.5;
  const bestConstant = 30;
  expect(ltos.episodeReturn).toBeGreaterThan(dqn.episodeReturn + 15);
  expect(ltos.cooperation).toBeGreaterThan(dqn.cooperation + 0.8);
  expect(ltos.episodeReturn).toBeGreaterThan(randomPlay + 5);
  expect(ltos.episodeReturn).toBeGreaterThanOrEqual(bestConstant - 0.5);
  expect(fixed.episodeReturn).toBeGreaterThan(dqn.episodeReturn + 15);
  expect(dqn.episodeReturn).toBeLessThan(randomPlay);
}, 120_000);
