import { CoordinationGame, createRng } from "@netmarl/envs";
import { checkEnv } from "@netmarl/envs/testing";
import { initBackend } from "@netmarl/graph-nn";
import { beforeAll, describe, expect, it } from "vitest";
import { CueGame } from "./cue-game.fixture.js";
import { fixedPolicyAlgorithm } from "./fixed-policy-learner.js";
import { greedyValueRatio } from "./greedy-value-ratio.fixture.js";
import {
  constantReturns,
  deadNetworkReturn,
  LEARNING_TESTS,
  type LearningTask,
  learningFailure,
  randomReturn,
} from "./learning-evidence.fixture.js";

/** Constant policies' returns per task (MADDPG and PIC share theirs). */
const constantsOf = new Map<LearningTask, ReturnType<typeof constantReturns>>();

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

it("the cue game passes checkEnv, with a static and a dynamic graph", () => {
  expect(() => checkEnv(new CueGame({}, createRng(0)))).not.toThrow();
  expect(() => checkEnv(new CueGame({ dynamicGraph: true, numAgents: 4 }, createRng(0)))).not.toThrow();
});

/**
 * The acceptance check of the learning tests: each one's assertion, given the evaluation return of
 * every constant joint policy of its task (on the same evaluation episodes) and of its learner with
 * a dead network (every float of its state zeroed), must fail. Prints one line per learning test.
 */
describe("no learning test can be passed by a constant joint policy or a dead network", () => {
  it.each(Object.keys(LEARNING_TESTS) as (keyof typeof LEARNING_TESTS)[])("%s", (name) => {
    const test = LEARNING_TESTS[name];
    const constants = constantsOf.get(test.task) ?? constantReturns(test.task);
    constantsOf.set(test.task, constants);
    const baselines = {
      random: randomReturn(test.task),
      bestConstant: Math.max(...constants.map((c) => c.value)),
    };
    const passing = constants.filter((c) => learningFailure(test, c.value, baselines) === undefined);
    const dead = deadNetworkReturn(test);
    const best = constants.reduce((a, b) => (b.value > a.value ? b : a));
    console.log(
      `${name}: ${constants.length} constant joint policies, ${passing.length} pass; best [${best.actions}] ${best.value.toFixed(3)}, random ${baselines.random.toFixed(3)}, dead network ${dead.toFixed(3)} (${learningFailure(test, dead, baselines) === undefined ? "PASSES" : "fails"}); the test needs > ${(Math.max(baselines.random, baselines.bestConstant) + test.margin).toFixed(3)}`,
    );
    expect(passing).toEqual([]);
    expect(learningFailure(test, dead, baselines)).toBeDefined();
  });
});

describe("the coordination-game equilibrium check of tabular-q is NOT evidence against constants", () => {
  it("its optimal constant (everyone plays 0) passes J/J* > 0.8; every other constant fails", () => {
    // Stated so that nobody counts learners.test.ts's J(greedy)/J* check as learning evidence: the
    // game's optimum is a constant joint action.
    const game = new CoordinationGame({ numAgents: 3 }, createRng(0));
    const ratios = Array.from({ length: 8 }, (_, index) => {
      const actions = [(index >> 2) & 1, (index >> 1) & 1, index & 1];
      const policy = fixedPolicyAlgorithm.create(game.spec, { actions }, createRng(0));
      return { actions, ratio: greedyValueRatio(policy, game) };
    });
    console.log(
      `coordination game J/J* of the constants: ${ratios.map((r) => `[${r.actions}] ${r.ratio.toFixed(4)}`).join(", ")}`,
    );
    expect(ratios.filter((r) => r.ratio > 0.8).map((r) => r.actions)).toEqual([[0, 0, 0]]);
  });
});
