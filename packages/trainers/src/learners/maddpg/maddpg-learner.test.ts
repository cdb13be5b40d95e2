import { AgentGraph, CooperativeNavigation, CoordinationGame, createRng, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlgorithmDefinition } from "../../contracts/algorithm-definition.js";
import { checkLearner } from "../../testing/check-learner.js";
import { LEARNING_TESTS, learningFailure, trainAndEvaluate } from "../learning-evidence.fixture.js";
import { maddpgAlgorithm, maddpgsAlgorithm, picAlgorithm } from "./maddpg-learner.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const navigation = (rng: Rng) => new CooperativeNavigation({ numAgents: 3 }, rng);

describe("maddpg / maddpgs / pic", () => {
  const small = { batchSize: 32, updateEvery: 25, hiddenSize: 16, bufferCapacity: 1_000 };
  // 140 steps: training rounds at steps 50, 75, …, 125, and checkLearner's leak check (steps 141–160,
  // compared after the 5th and the 20th) spans the round at step 150.
  const steps = 140;
  const countTensors = () => tf.memory().numTensors;

  it("pass checkLearner on cooperative navigation (finite, deterministic, exact state, no tensor leaks)", () => {
    for (const algorithm of [maddpgAlgorithm, maddpgsAlgorithm, picAlgorithm]) {
      expect(() => checkLearner(algorithm, navigation, { config: small, steps, countTensors })).not.toThrow();
    }
  });

  it("pass checkLearner with the non-default update options (soft actions, train noise, target actor, decay)", () => {
    const options = {
      ...small,
      straightThrough: false,
      trainNoise: true,
      useTargetActor: true,
      evaluationNoise: true,
      learningRateSchedule: "linear-second-half",
      scheduleSteps: 200,
    };
    expect(() =>
      checkLearner(picAlgorithm, navigation, {
        config: { ...options, pooling: "mean" },
        steps,
        countTensors,
      }),
    ).not.toThrow();
    expect(() =>
      checkLearner(maddpgsAlgorithm, navigation, { config: options, steps, countTensors }),
    ).not.toThrow();
  });

  it("MADDPGS permutes the agents of every minibatch consistently (obs, next obs, actions); MADDPG does not", () => {
    // Reads the sampled minibatch itself: comparing losses with MADDPG's cannot tell, since the
    // shuffle's draws alone already change every later random number.
    const spec = navigation(createRng(0)).spec;
    const n = spec.numAgents;
    type Sampler = {
      sampleBatch(): void;
      batch: { obs: Float32Array; nextObs: Float32Array; actions: Float32Array; size: number };
      permutation: Int32Array;
      observe(t: unknown): void;
      dispose(): void;
    };
    const slotsOf = (algorithm: AlgorithmDefinition) => {
      const learner = algorithm.create(spec, small, createRng(4)) as unknown as Sampler;
      const obs = new Float32Array(n * spec.obsDim);
      const nextObs = new Float32Array(n * spec.obsDim);
      for (let step = 0; step < 40; step++) {
        // Each agent's first observation entry, next observation entry and action name the agent.
        for (let agent = 0; agent < n; agent++) {
          obs[agent * spec.obsDim] = agent;
          nextObs[agent * spec.obsDim] = 10 + agent;
        }
        learner.observe({
          obs,
          actions: Int32Array.from({ length: n }, (_, agent) => agent),
          rewards: new Float32Array(n),
          nextObs,
          terminated: new Uint8Array(n),
          truncated: new Uint8Array(n),
          graph: AgentGraph.complete(n),
        });
      }
      const rounds: { permutation: number[]; slots: number[][] }[] = [];
      for (let round = 0; round < 4; round++) {
        learner.sampleBatch();
        const { batch } = learner;
        const slots: number[][] = [];
        for (let b = 0; b < batch.size; b++) {
          for (let k = 0; k < n; k++) {
            const row = b * n + k;
            slots.push([
              batch.obs[row * spec.obsDim],
              batch.nextObs[row * spec.obsDim] - 10,
              batch.actions[row],
            ]);
          }
        }
        rounds.push({ permutation: Array.from(learner.permutation), slots });
      }
      learner.dispose();
      return rounds;
    };
    const identity = Array.from({ length: n }, (_, k) => k);
    const shuffled = slotsOf(maddpgsAlgorithm);
    expect(shuffled.some((r) => JSON.stringify(r.permutation) !== JSON.stringify(identity))).toBe(true);
    for (const { permutation, slots } of shuffled) {
      for (const [index, slot] of slots.entries())
        expect(slot).toEqual(Array(3).fill(permutation[index % n]));
    }
    for (const { slots } of slotsOf(maddpgAlgorithm)) {
      for (const [index, slot] of slots.entries()) expect(slot).toEqual(Array(3).fill(index % n));
    }
  });

  it("learning-rate schedules follow PIC: linear from the start, or constant then linear over the second half", () => {
    const spec = navigation(createRng(0)).spec;
    const rates = (schedule: string) => {
      const learner = maddpgAlgorithm.create(
        spec,
        { ...small, learningRateSchedule: schedule, scheduleSteps: 100, updateEvery: 1000 },
        createRng(0),
      ) as unknown as { learningRateFactor: number; observe(t: unknown): void; dispose(): void };
      const env = navigation(createRng(1));
      const first = env.reset(1);
      const obs = first.obs.slice();
      const factors: number[] = [];
      for (let step = 0; step <= 100; step++) {
        if (step % 25 === 0) factors.push(learner.learningRateFactor);
        const result = env.step(new Int32Array(3));
        learner.observe({
          obs,
          actions: new Int32Array(3),
          rewards: result.rewards,
          nextObs: result.obs,
          terminated: result.terminated,
          truncated: result.truncated,
          graph: env.graph(),
        });
        if (result.truncated[0]) env.reset();
      }
      learner.dispose();
      return factors;
    };
    expect(rates("constant")).toEqual([1, 1, 1, 1, 1]);
    expect(rates("linear")).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(rates("linear-second-half")).toEqual([1, 1, 1, 0.5, 0]);
  });

  it("refuses non-discrete action spaces and unknown config fields with clear errors", () => {
    const continuous = new CooperativeNavigation({ numAgents: 3, actionMode: "continuous" }, createRng(0));
    expect(() => maddpgAlgorithm.create(continuous.spec, small, createRng(0))).toThrow(
      /Discrete action space/,
    );
    const game = new CoordinationGame({ numAgents: 3 }, createRng(0));
    expect(() => picAlgorithm.create(game.spec, { ...small, batchsize: 3 }, createRng(0))).toThrow(
      /batchsize/,
    );
    expect(() => maddpgAlgorithm.create(game.spec, { pooling: "max" }, createRng(0))).toThrow(/pooling/);
  });

  // Learning on wasm (fixed seed and backend ⇒ fixed numbers): cooperative navigation N = 3 (PIC's
  // simple_spread_n3), 4 000 steps, then one greedy evaluation of 50 episodes. PIC's structure and
  // update rules; only the budget is shortened: batch 64 (PIC 1024) and a training round every 25
  // steps (PIC 100), lr 1e-2 as PIC. Measured over 5 seeds (wasm, same 50 evaluation episodes per
  // seed for every policy):
  //   best constant joint policy (all 125 tried): "all agents no-op" every seed, −143.6 / −137.7 /
  //     −146.0 / −141.0 / −149.7 (standard deviation 4.6 — the evaluation noise); random −144.5 /
  //     −139.8 / −145.3 / −143.9 / −149.5 (3.5); a dead network plays no-op: −143.6 (seed 1);
  //   MADDPG −124.9 / −122.0 / −117.6 / −120.1 / −124.2: it leads the best constant by 18.7 / 15.7 /
  //     28.4 / 20.9 / 25.5 and random by 19.6 / 17.8 / 27.6 / 23.8 / 25.3;
  //   PIC −107.2 (seed 1; 36.4 over the best constant; the other seeds did not finish in our time).
  // Required margin over both: 14 > 3 × 4.6 (MADDPG's own spread over seeds: 3.0). The old test's
  // +10 over random was within its own stated ±10 noise.
  it.each(["maddpg", "pic"] as const)(
    "%s beats random play and every constant joint policy on cooperative navigation (N = 3, fixed seed)",
    async (name) => {
      await initBackend("wasm", { log: false });
      const test = LEARNING_TESTS[name];
      expect(learningFailure(test, trainAndEvaluate(test))).toBeUndefined();
    },
    120_000,
  );
});
