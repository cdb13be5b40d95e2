import { AgentGraph, CoordinationGame, createRng } from "@netmarl/envs";
import { describe, expect, it } from "vitest";
import type { LearnerState } from "../contracts/learner.js";
import { MemoryMetricsSink } from "../metrics/metrics-sink.js";
import { Runner } from "../runner/runner.js";
import { checkLearner } from "../testing/check-learner.js";
import { fixedPolicyAlgorithm } from "./fixed-policy-learner.js";
import { greedyValueRatio } from "./greedy-value-ratio.fixture.js";
import { LEARNING_TESTS, learningFailure, trainAndEvaluate } from "./learning-evidence.fixture.js";
import { randomAlgorithm } from "./random-learner.js";
import { tabularQAlgorithm } from "./tabular-q-learner.js";

const createGame = (rng: ReturnType<typeof createRng>) => new CoordinationGame({ numAgents: 3 }, rng);

describe("learners pass checkLearner", () => {
  it("random and fixed-policy (they never update)", () => {
    expect(() => checkLearner(randomAlgorithm, createGame, { expectUpdates: false })).not.toThrow();
    expect(() =>
      checkLearner(fixedPolicyAlgorithm, createGame, { expectUpdates: false, config: { actions: [1] } }),
    ).not.toThrow();
  });

  it("tabular-q, with and without parameter sharing", () => {
    expect(() => checkLearner(tabularQAlgorithm, createGame)).not.toThrow();
    expect(() =>
      checkLearner(tabularQAlgorithm, createGame, { config: { shareParameters: true } }),
    ).not.toThrow();
  });

  it("checkLearner catches a learner whose load() forgets its state", () => {
    const forgetful = {
      ...tabularQAlgorithm,
      create: (spec: never, config: unknown, rng: never) => {
        const learner = tabularQAlgorithm.create(spec, config, rng);
        learner.load = () => {};
        return learner;
      },
    };
    expect(() => checkLearner(forgetful, createGame, { steps: 3000 })).toThrow(
      /load\(state\(\)\) does not restore the complete state: state\.steps: 3000 vs 0/,
    );
  });

  it("checkLearner catches a state() that leaves out a field (here the Rng), by continuing both copies", () => {
    const withoutRng = {
      ...tabularQAlgorithm,
      create: (spec: never, config: unknown, rng: never) => {
        const learner = tabularQAlgorithm.create(spec, config, rng);
        const state = learner.state.bind(learner);
        const load = learner.load.bind(learner);
        learner.state = () => {
          const { rng: _, ...rest } = state();
          return rest as LearnerState;
        };
        learner.load = (saved) => load({ ...saved, rng: state().rng });
        return learner;
      },
    };
    expect(() => checkLearner(withoutRng, createGame, { steps: 300 })).toThrow(/explores differently/);
  });

  it("checkLearner catches tensor leaks through the countTensors hook", () => {
    let live = 0;
    const leaky = {
      ...tabularQAlgorithm,
      create: (spec: never, config: unknown, rng: never) => {
        const learner = tabularQAlgorithm.create(spec, config, rng);
        const update = learner.update.bind(learner);
        learner.update = () => {
          live++; // one "tensor" never freed per update
          return update();
        };
        return learner;
      },
    };
    expect(() => checkLearner(leaky, createGame, { countTensors: () => live })).toThrow(
      /tensors leak across updates/,
    );
  });
});

describe("tabular Q-learning", () => {
  it("learns the cue game: beats random play and every constant joint policy (fixed seed)", () => {
    // Measured (seeds 1–5, 2 000 steps): 10.0 every seed (the optimum); random 5.03 / 5.17 / 4.93 /
    // 4.80 / 5.03, best constant 5.20 / 5.17 / 5.45 / 5.35 / 5.55 (20 evaluation episodes). The
    // evaluation noise (standard deviation over the 5 seeds' evaluation episodes) is 0.14 for random
    // play and 0.16 for the best constant, so the margin 2 is > 12× it.
    const test = LEARNING_TESTS["tabular-q"];
    expect(learningFailure(test, trainAndEvaluate(test))).toBeUndefined();
  });

  it("settles in a good coordination-game equilibrium: exact J(greedy)/J* > 0.8 (fixed seed)", () => {
    // The optimum here IS a constant (everyone plays 0, J/J* = 1; the other constants score 0.19,
    // 0.42 and 0.77 for one, two and three agents playing 1), so this is not evidence against
    // constant policies (the cue-game test is); it measures which equilibrium independent learners
    // settle in. Measured J(greedy)/J* after 40k steps, seeds 1–8: 0.885, 0.871, 0.866, 0.796,
    // 0.769, 0.769, 0.787, 0.962 (the policy is deterministic and the ratio exact, so no evaluation
    // noise). Seed 3 is pinned; > 0.8 asks for better than the all-ones equilibrium (0.769).
    const game = createGame(createRng(0));
    const runner = new Runner({
      createEnv: createGame,
      createLearner: (spec, rng) => tabularQAlgorithm.create(spec, { epsilonDecaySteps: 20_000 }, rng),
      config: { totalEnvSteps: 40_000, seed: 3 },
    });
    runner.run();
    expect(greedyValueRatio(runner.learner, game)).toBeGreaterThan(0.8);
  });

  it("evaluates without touching its Rng or tables: training does not depend on evalEvery", () => {
    const final = (evalEvery: number) => {
      const sink = new MemoryMetricsSink();
      const runner = new Runner({
        createEnv: createGame,
        createLearner: (spec, rng) => tabularQAlgorithm.create(spec, { epsilonDecaySteps: 2_000 }, rng),
        config: { totalEnvSteps: 3_000, seed: 5, evalEvery, evalEpisodes: 3, updateEvery: 100 },
        sinks: [sink],
      });
      runner.run();
      return { state: runner.learner.state(), updates: sink.records.filter((r) => r.kind === "update") };
    };
    const never = final(0);
    const often = final(250);
    expect(often.state).toEqual(never.state);
    expect(often.updates).toEqual(never.updates);

    // Greedy acting on an observation never seen adds no row and draws nothing.
    const learner = tabularQAlgorithm.create(createGame(createRng(0)).spec, {}, createRng(1));
    const before = JSON.stringify(learner.state());
    const first = Array.from(
      learner.act(new Float32Array(9).fill(0.5), AgentGraph.complete(3), { explore: false }),
    );
    expect(JSON.stringify(learner.state())).toBe(before);
    expect(
      Array.from(learner.act(new Float32Array(9).fill(0.5), AgentGraph.complete(3), { explore: false })),
    ).toEqual(first);
  });

  it("refuses continuous action spaces and bad configs", () => {
    const spec = new CoordinationGame().spec;
    expect(() => tabularQAlgorithm.create(spec, { learningRate: 0 }, createRng(0))).toThrow(
      /tabular-q config: learningRate = 0/,
    );
    expect(() => tabularQAlgorithm.create(spec, { gamma: 0.9 }, createRng(0))).toThrow(/tabular-q config/);
  });
});
