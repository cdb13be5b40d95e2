import { AgentGraph, Aloha, createRng, Jungle, type Rng } from "@netmarl/envs";
import { GraphBatch, initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { checkLearner } from "../../testing/check-learner.js";
import {
  EVERY_STEP_DGN,
  LEARNING_TESTS,
  learningFailure,
  trainAndEvaluate,
} from "../learning-evidence.fixture.js";
import { dgnAlgorithm } from "./dgn-learner.js";
import { DgnNetwork } from "./dgn-network.js";
import { NeighbourRows } from "./neighbour-rows.js";
import { attentionKl, relationAttention } from "./relation-attention.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const aloha = (rng: Rng) => new Aloha({}, rng);
const smallJungle = (rng: Rng) =>
  new Jungle({ mapSize: 8, numAgents: 4, numFood: 2, maxSteps: 15, agentHp: 3 }, rng);
// the every-step schedule (mutli_jungle.py's every-3rd-step default: schedules.test.ts)
const small = {
  ...EVERY_STEP_DGN,
  encoderSizes: [16],
  numHeads: 2,
  headSize: 4,
  batchSize: 4,
  learningStarts: 30,
  learningRate: 1e-3,
};

/** Values of a [rows, cols] weight as nested arrays. */
function matrix(variable: tf.Variable): number[][] {
  return variable.arraySync() as number[][];
}
function vector(variable: tf.Variable | undefined): number[] {
  return variable ? (variable.arraySync() as number[]) : [];
}
function dense(x: number[], w: number[][], b: number[], relu: boolean): number[] {
  return w[0].map((_, o) => {
    let s = b[o] ?? 0;
    for (let i = 0; i < x.length; i++) s += x[i] * w[i][o];
    return relu ? Math.max(0, s) : s;
  });
}

describe("dgn", () => {
  it("passes checkLearner on Aloha (static graph) and a small jungle (dynamic graph, DGN+R on)", () => {
    const countTensors = () => tf.memory().numTensors;
    expect(() => checkLearner(dgnAlgorithm, aloha, { config: small, steps: 80, countTensors })).not.toThrow();
    expect(() =>
      checkLearner(dgnAlgorithm, smallJungle, {
        config: { ...small, relationRegularizer: true, doubleDqn: true },
        steps: 70,
        countTensors,
      }),
    ).not.toThrow();
  });

  it("reports the relation loss only with relationRegularizer, and refuses non-discrete or bad configs", () => {
    const env = aloha(createRng(0));
    const learner = dgnAlgorithm.create(
      env.spec,
      { ...small, learningStarts: 1, relationRegularizer: true },
      createRng(1),
    );
    let obs = env.reset(0).obs.slice();
    let metrics = {};
    for (let t = 0; t < 3; t++) {
      const graph = env.graph();
      const actions = learner.act(obs, graph, { explore: true }).slice();
      const step = env.step(actions);
      learner.observe({
        obs,
        actions,
        rewards: step.rewards,
        nextObs: step.obs,
        terminated: step.terminated,
        truncated: step.truncated,
        graph,
      });
      metrics = learner.update();
      obs = step.obs.slice();
    }
    expect(Object.keys(metrics)).toContain("loss/relation");
    expect(Number.isFinite((metrics as Record<string, number>)["loss/relation"])).toBe(true);
    learner.dispose();
    expect(() => dgnAlgorithm.parseConfig({ numHeads: 0 })).toThrow(/numHeads/);
    expect(() => dgnAlgorithm.parseConfig({ relationRegulariser: true })).toThrow(/relationRegulariser/);
  });

  it("refuses a graph wider than maxNeighbors with an error naming the field", () => {
    const env = aloha(createRng(0));
    const learner = dgnAlgorithm.create(env.spec, { ...small, maxNeighbors: 2 }, createRng(1));
    // Island 1 of the original layout hears 0, 2 and 6.
    expect(() => learner.act(env.reset(0).obs, env.graph(), { explore: false })).toThrow(/maxNeighbors = 2/);
    learner.dispose();
  });

  it("drops self-loops from neighbour rows and offsets batched graphs by b·N", () => {
    // Jungle-style rows (self first) for 3 agents: 0 hears {0, 1}, 1 hears {1, 0, 2}, 2 hears {2}.
    const withSelf = AgentGraph.fromEdges(
      3,
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [2, 1],
        [2, 2],
      ],
      { directed: true, allowSelfLoops: true },
    );
    const rows = new Int32Array(2 * 3 * 2);
    NeighbourRows.writeRows(withSelf, 2, rows, 0);
    NeighbourRows.writeRows(withSelf, 2, rows, 1);
    expect(Array.from(rows.subarray(0, 6))).toEqual([1, -1, 0, 2, -1, -1]);
    const graph = new NeighbourRows(3, 2, 2).toGraph(rows, 2);
    expect(Array.from(graph.offsets)).toEqual([0, 1, 3, 3, 4, 6, 6]);
    expect(Array.from(graph.neighbors)).toEqual([1, 0, 2, 4, 3, 5]);
  });

  it("aggregates with the post-softmax attention weights (direct computation from the weights)", () => {
    // 3 agents on a path 0 – 1 – 2; one kernel of 2 heads × 3; hand-computed in plain numbers.
    const numHeads = 2;
    const headSize = 3;
    const network = new DgnNetwork(
      { obsDim: 2, numActions: 2, encoderSizes: [4], numLayers: 1, numHeads, headSize },
      createRng(3),
    );
    const graph = AgentGraph.fromEdges(3, [
      [0, 1],
      [1, 2],
    ]);
    const obs = [
      [0.3, -1.2],
      [1.5, 0.4],
      [-0.7, 0.9],
    ];
    const batch = new GraphBatch([graph]);
    const { levels } = tf.tidy(() => {
      const f = network.forward(batch, tf.tensor2d(obs));
      return { levels: f.levels.map((l) => l.arraySync() as number[][]) };
    });
    const enc = network.encoder.layers[0];
    const h = obs.map((o) => dense(o, matrix(enc.kernel), vector(enc.bias), true));
    expect(levels[0][1][2]).toBeCloseTo(h[1][2], 5);
    const kernel = network.kernels[0];
    const project = (layer: typeof kernel.query) =>
      h.map((x) => dense(x, matrix(layer.kernel), vector(layer.bias), true));
    const [q, k, v] = [project(kernel.query), project(kernel.key), project(kernel.value)];
    const neighbourhoods = [
      [0, 1],
      [1, 0, 2],
      [2, 1],
    ];
    const post: number[][] = [];
    const pre: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const mixedPost: number[] = [];
      const mixedPre: number[] = [];
      for (let head = 0; head < numHeads; head++) {
        const slice = (x: number[]) => x.slice(head * headSize, (head + 1) * headSize);
        const scores = neighbourhoods[i].map(
          (j) => slice(q[i]).reduce((s, qi, d) => s + qi * slice(k[j])[d], 0) / Math.sqrt(headSize),
        );
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let d = 0; d < headSize; d++) {
          mixedPost.push(neighbourhoods[i].reduce((s, j, n) => s + (exps[n] / total) * slice(v[j])[d], 0));
          mixedPre.push(neighbourhoods[i].reduce((s, j, n) => s + scores[n] * slice(v[j])[d], 0));
        }
      }
      post.push(dense(mixedPost, matrix(kernel.output.kernel), vector(kernel.output.bias), true));
      pre.push(dense(mixedPre, matrix(kernel.output.kernel), vector(kernel.output.bias), true));
    }
    let preDifference = 0;
    for (let i = 0; i < 3; i++) {
      for (let d = 0; d < 4; d++) {
        expect(levels[1][i][d]).toBeCloseTo(post[i][d], 5);
        preDifference = Math.max(preDifference, Math.abs(levels[1][i][d] - pre[i][d]));
      }
    }
    // The TF bug (aggregating with the raw scores) would give visibly different features.
    expect(preDifference).toBeGreaterThan(1e-3);

    // relationAttention returns the same distribution in log form: rows sum to 1 over real slots.
    const weights = tf.tidy(() => {
      const hTensor = tf.tensor2d(h);
      const attention = relationAttention(kernel, batch, hTensor);
      const kl = attentionKl(attention, attention).dataSync()[0];
      const other = relationAttention(kernel, batch, tf.mul(hTensor, 2) as tf.Tensor2D);
      return {
        probabilities: tf.mul(tf.exp(attention.logWeights), attention.mask).arraySync() as number[][][],
        selfKl: kl,
        otherKl: attentionKl(other, attention).dataSync()[0],
      };
    });
    expect(weights.selfKl).toBeCloseTo(0, 6);
    expect(weights.otherKl).toBeGreaterThan(0);
    for (let head = 0; head < numHeads; head++) {
      const sum = weights.probabilities[1].reduce((s, slot) => s + slot[head], 0);
      expect(sum).toBeCloseTo(1, 5);
      expect(weights.probabilities[0][2][head]).toBe(0); // padding slot of a 2-neighbourhood
    }
    batch.dispose();
    network.dispose();
  });

  // Learning on wasm (fixed seed and backend ⇒ the same numbers), on the cue game with a ring graph
  // re-drawn every step (dynamic, as in the jungle): see learning-evidence.fixture.ts for why not
  // Aloha, whose best constant (+6.3) beats what DGN learned there ("wait", 0.0).
  it("learns the cue game on a dynamic graph: beats random play and every constant joint policy (fixed seed)", async () => {
    await initBackend("wasm", { log: false });
    // Measured (seeds 1–5, 800 steps, wasm, 6–11 s each): 10.0 every seed (the optimum). Random:
    // 4.80 / 5.13 / 5.08 / 4.65 / 4.70; best constant: 5.33 / 5.37 / 5.33 / 5.13 / 5.25 (20
    // evaluation episodes; the graph's draws change the cue stream, hence other values than for DQN).
    // Evaluation noise 0.22 (random), 0.09 (best constant) over the 5 seeds ⇒ the margin 2 is 9× it.
    const test = LEARNING_TESTS.dgn;
    expect(learningFailure(test, trainAndEvaluate(test))).toBeUndefined();
  }, 120_000);
});
