import {
  CooperativeNavigation,
  createRng,
  HeterogeneousNavigation,
  NetworkedCoordination,
  type Rng,
} from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { MemoryMetricsSink, Runner } from "@netmarl/trainers";
import { checkLearner } from "@netmarl/trainers/testing";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type IpLearner, ipAlgorithm, ipIndependentAlgorithm } from "./ip-learner.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const small = { hiddenSize: 8, batchSize: 16, updateEvery: 20, gradientSteps: 2, bufferCapacity: 500 };
const countTensors = () => tf.memory().numTensors;
const toy = (rng: Rng) => new NetworkedCoordination({ maxSteps: 3 }, rng);
const navigation = (rng: Rng) => new CooperativeNavigation({ numAgents: 3 }, rng);

describe("ip / ip-independent", () => {
  it.each([
    ["ip (mean-field) on the 3×3 toy", ipAlgorithm, toy, {}],
    [
      "ip (loopy-bp, M = 3, greedy evaluation) on navigation",
      ipAlgorithm,
      navigation,
      { variant: "loopy-bp", rounds: 3, evaluation: "greedy" },
    ],
    [
      "ip-independent on navigation, float16 frames",
      ipIndependentAlgorithm,
      navigation,
      { framePrecision: "float16", learningRateSchedule: "constant" },
    ],
    [
      "ip on heterogeneous navigation (an encoder per agent type), minibatches in chunks",
      ipAlgorithm,
      (rng: Rng) => new HeterogeneousNavigation({ numAgents: 6 }, rng),
      { maxChunkRows: 40 },
    ],
  ] as const)("passes checkLearner: %s", (_name, algorithm, env, extra) => {
    expect(() =>
      checkLearner(algorithm, env, { config: { ...small, ...extra }, steps: 150, countTensors }),
    ).not.toThrow();
  });

  it("trains the same however often it is evaluated (evaluation samples from its own stream)", () => {
    const updates = (evalEvery: number) => {
      const sink = new MemoryMetricsSink();
      const runner = new Runner({
        createEnv: navigation,
        createLearner: (spec, rng) => ipAlgorithm.create(spec, ipAlgorithm.parseConfig(small), rng),
        config: { totalEnvSteps: 300, seed: 2, evalEvery, evalEpisodes: 2 },
        sinks: [sink],
      });
      runner.run();
      runner.learner.dispose();
      return sink.records.filter((record) => record.kind === "update");
    };
    const withoutEvaluation = updates(0);
    expect(withoutEvaluation.length).toBeGreaterThan(5);
    expect(updates(50)).toEqual(withoutEvaluation);
  });

  it("takes the same steps when a minibatch is split into chunks (wasm's memory limit at N = 200)", () => {
    const run = (maxChunkRows: number) => {
      const sink = new MemoryMetricsSink();
      const runner = new Runner({
        createEnv: navigation,
        createLearner: (spec, rng) =>
          ipAlgorithm.create(spec, ipAlgorithm.parseConfig({ ...small, maxChunkRows }), rng),
        config: { totalEnvSteps: 200, seed: 4 },
        sinks: [sink],
      });
      runner.run();
      runner.learner.dispose();
      return sink.records.filter((record) => record.kind === "update");
    };
    const whole = run(1_000_000);
    const chunked = run(3 * 5); // 16 graphs of 3 agents in pieces of 5, 5, 5, 1 graphs
    expect(chunked.length).toBe(whole.length);
    whole.forEach((record, i) => {
      for (const key of ["loss/q", "loss/value", "loss/policy", "policy/entropy"]) {
        expect(chunked[i][key] as number).toBeCloseTo(record[key] as number, 3);
      }
    });
  });

  it("keeps the tensor count flat over many updates", () => {
    const env = navigation(createRng(3));
    const learner = ipAlgorithm.create(
      env.spec,
      ipAlgorithm.parseConfig({ ...small, updateEvery: 5 }),
      createRng(4),
    );
    let reset = env.reset();
    let counted = 0;
    for (let step = 1; step <= 400; step++) {
      const obs = reset.obs.slice();
      const actions = learner.act(obs, env.graph(), { explore: true });
      const graph = env.graph();
      const result = env.step(actions);
      learner.observe({
        obs,
        actions,
        rewards: result.rewards,
        nextObs: result.obs,
        terminated: result.terminated,
        truncated: result.truncated,
        graph,
      });
      learner.update();
      reset = result.truncated[0] === 1 ? env.reset() : { obs: result.obs, infos: result.infos };
      if (step === 100) counted = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(counted);
    learner.dispose();
  });

  it("refuses bad input with one-line errors naming the value", () => {
    const spec = navigation(createRng(1)).spec;
    expect(() =>
      ipAlgorithm.create(spec, ipAlgorithm.parseConfig({ maxNeighbors: 5 }), createRng(1)),
    ).toThrow(/maxNeighbors = 5 is larger than N − 1 = 2/);
    const continuous = new CooperativeNavigation({ numAgents: 3, actionMode: "continuous" }, createRng(1))
      .spec;
    expect(() => ipAlgorithm.create(continuous, ipAlgorithm.parseConfig({}), createRng(1))).toThrow(
      /the discrete head needs a Discrete action space/,
    );
    // The paper's N = 200 replay in float32 is refused on a machine with 16 GiB, with the figures.
    const n200 = new CooperativeNavigation({ numAgents: 200 }, createRng(1)).spec;
    expect(() =>
      ipAlgorithm.create(n200, ipAlgorithm.parseConfig({ memoryLimitGiB: 16 }), createRng(1)),
    ).toThrow(
      /bufferCapacity = 1000000 at N = 200, obsDim = 26 needs 22\.9 GiB of replay; the limit is 16\.0 GiB .*framePrecision: "float16" \(12\.9 GiB\)/,
    );
    // The environment's k (F.2's ablation knob) above N − 1 is refused by the environment itself.
    expect(() => new CooperativeNavigation({ numAgents: 3, graphNeighbors: 3 }, createRng(1))).toThrow(
      /graphNeighbors = 3 is larger than N − 1 = 2/,
    );
    // An environment whose graph has no edge: nothing to propagate over.
    const lonely = new NetworkedCoordination({ numAgents: 3, edges: [[0, 1]] }, createRng(1));
    const learner = ipAlgorithm.create(
      lonely.spec,
      ipAlgorithm.parseConfig(small),
      createRng(1),
    ) as IpLearner;
    const empty = {
      ...lonely.graph(),
      numAgents: 3,
      numEdges: 0,
      offsets: new Int32Array(4),
      neighbors: new Int32Array(0),
    };
    expect(() => learner.act(lonely.reset().obs, empty as never, { explore: true })).toThrow(
      /the environment's graph has no edges; intention propagation needs neighbours/,
    );
    expect(() => learner.act(lonely.reset().obs, undefined as never, { explore: true })).toThrow(
      /no agent graph/,
    );
    learner.dispose();
    expect(() => ipAlgorithm.parseConfig({ variant: "gcn" })).toThrow(/variant/);
  });
});
