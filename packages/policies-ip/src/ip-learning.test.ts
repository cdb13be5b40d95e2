import { CooperativeNavigation, NetworkedCoordination } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import {
  type AlgorithmDefinition,
  fixedPolicyAlgorithm,
  MemoryMetricsSink,
  Runner,
  randomAlgorithm,
} from "@netmarl/trainers";
import { beforeAll, describe, expect, it } from "vitest";
import { ipAlgorithm } from "./ip-learner.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

/** Evaluation returns of one fixed-seed run. */
function evaluationReturns(
  algorithm: AlgorithmDefinition,
  createEnv: ConstructorParameters<typeof Runner>[0]["createEnv"],
  config: Record<string, unknown>,
  steps: number,
  evalEvery: number,
  evalEpisodes: number,
  seed: number,
): number[] {
  const sink = new MemoryMetricsSink();
  const runner = new Runner({
    createEnv,
    createLearner: (spec, rng) => algorithm.create(spec, algorithm.parseConfig(config), rng),
    config: { totalEnvSteps: steps, seed, evalEvery, evalEpisodes },
    sinks: [sink],
  });
  runner.run();
  runner.learner.dispose();
  return sink.records.filter((r) => r.kind === "evaluation").map((r) => r["evaluation/return"] as number);
}

describe("IP learning (wasm, fixed seeds)", () => {
  // The appendix's F.1 toy: 3×3 grid, reward −Σ_edges (a_i − a_j)², optimum 0 (both constant joint
  // actions), uniform random play −6 (12 edges × ½). Measured with this config (seeds 1–3): IP
  // evaluates at exactly 0 by step 1500 (sampled actions, 100 episodes); ip-lite / ip-toy run more
  // seeds. The assertion "within 0.5 of 0" is 11.5 below random play.
  it("IP reaches the optimum 0 of the 3×3 grid game (random play −6)", () => {
    const config = {
      hiddenSize: 32,
      batchSize: 32,
      updateEvery: 5,
      gradientSteps: 1,
      learningRateSchedule: "constant",
    };
    const returns = evaluationReturns(
      ipAlgorithm,
      (rng) => new NetworkedCoordination({}, rng),
      config,
      1_500,
      1_500,
      100,
      1,
    );
    expect(returns).toHaveLength(1);
    expect(returns[0]).toBeGreaterThan(-0.5);
  }, 120_000);

  // Cooperative navigation N = 3 (team return, mean over agents, 25 steps). Evaluation noise: the
  // 50-episode evaluation of a fixed policy (random play) over seeds 0–6 has std 4.1 (−136.3 …
  // −148.7); per-episode std ≈ 47. Best constant policy = "no-op" (action 0): −137.3 on seed 0's
  // evaluation episodes, random −136.3; the other constants score −181 … −195. ip-lite (10k steps,
  // 3 seeds) measured −100.7 and −110.0 for two seeds and a collapse (−199.5) for the third, so this
  // test pins the seed. Measured here: IP −116.9 after 5k steps (random −136.3, no-op −137.3), a
  // margin of 19.4; asserted: 3 × 4.1 = 12.3 over the better of random and no-op.
  it("IP beats random play and the best constant policy on cooperative navigation (N = 3)", () => {
    const navigation: ConstructorParameters<typeof Runner>[0]["createEnv"] = (rng) =>
      new CooperativeNavigation({ numAgents: 3 }, rng);
    const config = {
      batchSize: 64,
      updateEvery: 25,
      hiddenSize: 64,
      learningRateSchedule: "linear",
      scheduleSteps: 10_000,
    };
    const [ip] = evaluationReturns(ipAlgorithm, navigation, config, 5_000, 5_000, 50, 0);
    const [random] = evaluationReturns(randomAlgorithm, navigation, {}, 500, 500, 50, 0);
    const [noOp] = evaluationReturns(fixedPolicyAlgorithm, navigation, { actions: [0] }, 500, 500, 50, 0);
    expect(ip).toBeGreaterThan(Math.max(random, noOp) + 3 * 4.1);
  }, 600_000);
});
