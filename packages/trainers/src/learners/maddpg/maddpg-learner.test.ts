import { AgentGraph, CooperativeNavigation, CoordinationGame, createRng, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { AlgorithmDefinition } from "../../contracts/algorithm-definition.js";
import { MemoryMetricsSink } from "../../metrics/metrics-sink.js";
import { Runner } from "../../runner/runner.js";
import { checkLearner } from "../../testing/check-learner.js";
import { randomAlgorithm } from "../random-learner.js";
import { maddpgAlgorithm, maddpgsAlgorithm, picAlgorithm } from "./maddpg-learner.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const navigation = (rng: Rng) => new CooperativeNavigation({ numAgents: 3 }, rng);

/** Evaluation returns (team return, mean over agents) of one fixed-seed run. */
function evaluationReturns(
  algorithm: AlgorithmDefinition,
  config: unknown,
  steps: number,
  evalEvery: number,
  seed: number,
): number[] {
  const sink = new MemoryMetricsSink();
  const runner = new Runner({
    createEnv: navigation,
    createLearner: (spec, rng) => algorithm.create(spec, config, rng),
    config: { totalEnvSteps: steps, seed, evalEvery, evalEpisodes: 50 },
    sinks: [sink],
  });
  runner.run();
  runner.learner.dispose();
  return sink.records.filter((r) => r.kind === "evaluation").map((r) => r["evaluation/return"] as number);
}

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

  // Learning runs: wasm backend, fixed seed ⇒ fixed numbers on this machine class. Cooperative
  // navigation N = 3 (PIC's simple_spread_n3), 4 000 environment steps with 50-episode evaluations
  // every 500 steps; the criterion of the issue is the last evaluation against the FIRST one. PIC's
  // structure and update rules; only the budget is shortened: batch 64 (PIC 1024) and a training
  // round every 25 steps (PIC 100), lr 1e-2 as PIC.
  // Measured (seed 1 / 2 / 3), first → last evaluation return:
  //   MADDPG −166.3 → −128.6 / −148.1 → −120.0 / −149.7 → −117.4  (+37.7 / +28.1 / +32.3), ≈ 9 s
  //   PIC    −147.4 → −114.7 / −152.4 → −111.6 / −142.1 → −110.6  (+32.7 / +40.8 / +31.5), ≈ 17 s
  // The test asserts > +15 on seed 1: the fixed seed makes the run deterministic, and even the other
  // seeds clear the bar by ≥ 13, so a harmless numeric change (op order, a backend patch) cannot
  // flip it while a broken update (no learning: ≈ ±10 evaluation noise) fails it.
  const learningConfig = { batchSize: 64, updateEvery: 25 };

  // Random play on the same evaluation episodes (the evaluation stream depends on the seed only).
  // Measured (wasm, seed 1): random −143.8; MADDPG −166.3 → −128.6; PIC −147.4 → −114.7.
  const randomReturn = () => evaluationReturns(randomAlgorithm, {}, 500, 500, 1)[0];

  it("MADDPG beats random play and its own first evaluation on cooperative navigation (N = 3, fixed seed)", async () => {
    await initBackend("wasm", { log: false });
    const returns = evaluationReturns(maddpgAlgorithm, learningConfig, 4_000, 500, 1);
    const random = randomReturn();
    expect(returns).toHaveLength(8);
    expect(returns[returns.length - 1] - returns[0]).toBeGreaterThan(15);
    expect(returns[returns.length - 1] - random).toBeGreaterThan(10);
  }, 60_000);

  it("PIC beats random play and its own first evaluation on cooperative navigation (N = 3, fixed seed)", async () => {
    await initBackend("wasm", { log: false });
    const returns = evaluationReturns(picAlgorithm, learningConfig, 4_000, 500, 1);
    const random = randomReturn();
    expect(returns).toHaveLength(8);
    expect(returns[returns.length - 1] - returns[0]).toBeGreaterThan(15);
    expect(returns[returns.length - 1] - random).toBeGreaterThan(15);
  }, 60_000);
});
