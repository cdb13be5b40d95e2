import { AgentGraph, createRng } from "@netmarl/envs";
import { type BackendName, checkGradients, GraphBatch, initBackend, sampleGumbel } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { IntentionNetwork } from "./intention-network.js";
import { type IpMinibatch, policyLoss, qLoss, softValueTarget, valueLoss } from "./ip-losses.js";
import { NeighbourQ, StateValue } from "./soft-critics.js";

const sizes = { inputSize: 3, numActions: 4, hiddenSize: 6 };

/** Two graphs of 4 agents (a path and a star) with random inputs, actions and noise. */
function minibatch(seed: number): IpMinibatch {
  const rng = createRng(seed);
  const path = AgentGraph.fromEdges(4, [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  const star = AgentGraph.fromEdges(4, [
    [0, 1],
    [0, 2],
    [0, 3],
  ]);
  const rows = 8;
  const x = Float32Array.from({ length: rows * sizes.inputSize }, () => rng.uniform() * 2 - 1);
  const taken = new Float32Array(rows * sizes.numActions);
  for (let r = 0; r < rows; r++) taken[r * sizes.numActions + rng.int(sizes.numActions)] = 1;
  return {
    graph: new GraphBatch([path, star]),
    x: tf.tensor2d(x, [rows, sizes.inputSize]),
    taken: tf.tensor2d(taken, [rows, sizes.numActions]),
    noise: sampleGumbel(rng, [rows, sizes.numActions]) as tf.Tensor2D,
  };
}

/** A few of a module's variables by name, for checkGradients. */
function pick(module: { namedVariables(): [string, tf.Variable][] }, names: string[]) {
  const all = new Map(module.namedVariables());
  return Object.fromEntries(names.map((name) => [name, all.get(name) as tf.Variable]));
}

describe.each(["cpu", "wasm"] as BackendName[])("IP losses: finite differences (%s)", (backend) => {
  it("J_Q, J_V and J_π have the gradients of their forward values", async () => {
    await initBackend(backend, { log: false });
    const rng = createRng(2);
    const policy = new IntentionNetwork({ ...sizes, rounds: 2, variant: "mean-field" }, rng.fork("p"));
    const q = new NeighbourQ(sizes, rng.fork("q"));
    const value = new StateValue(sizes, rng.fork("v"));
    const batch = minibatch(3);
    const target = tf.tensor1d([0.5, -1, 2, 0, 1, -0.5, 0.25, 1.5]);
    // The graph batch builds its index tensors (and their transposes, for gradients) on first use.
    for (const [loss, variables] of [
      [() => policyLoss(policy, q, batch, 0.2), policy.trainableVariables()],
      [() => qLoss(q, batch, target), q.trainableVariables()],
    ] as const) {
      const { value, grads } = tf.variableGrads(loss, variables);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const before = tf.memory().numTensors;
    const qCheck = checkGradients(
      () => qLoss(q, batch, target),
      pick(q, ["neighbourEmbedding/kernel", "mlp/layers.0/kernel", "mlp/layers.2/bias"]),
      rng.fork("fd-q"),
    );
    const soft = softValueTarget(policy, q, batch, 0.2);
    const vCheck = checkGradients(
      () => valueLoss(value, batch.x, soft.target),
      pick(value, ["mlp/layers.0/kernel", "mlp/layers.2/kernel"]),
      rng.fork("fd-v"),
    );
    // The top layer starts at 0.1 × Glorot (PIC's convention), which makes the deeper gradients 10×
    // smaller than float32 central differences resolve; checked at the full Glorot scale instead.
    const top = new Map(policy.namedVariables()).get("top/kernel") as tf.Variable;
    tf.tidy(() => top.assign(tf.mul(top, 10)));
    const piCheck = checkGradients(
      () => policyLoss(policy, q, batch, 0.2, false),
      pick(policy, [
        "initialPolicy/layers.0/kernel",
        "rounds.0/intentionNeighbourKernel",
        "rounds.1/stateSelfKernel",
        "top/kernel",
      ]),
      rng.fork("fd-pi"),
      { epsilon: 3e-3 }, // three ReLU layers deep: a wider step keeps float32 rounding well below 1e-2
    );
    for (const result of [qCheck, vCheck, piCheck]) expect(result.maxRelativeError).toBeLessThan(1e-2);
    tf.dispose([soft.target, soft.entropy]);
    expect(tf.memory().numTensors).toBe(before);
    // The straight-through neighbour sample adds gradient (an agent's effect on its neighbours' Q).
    const policyVariables = policy.trainableVariables();
    const [withNeighbours, without] = [true, false].map((neighbourGradient) => {
      const { value: loss, grads } = tf.variableGrads(
        () => policyLoss(policy, q, batch, 0.2, neighbourGradient),
        policyVariables,
      );
      const norm = tf.tidy(
        () => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0],
      );
      const lossValue = loss.dataSync()[0];
      tf.dispose([loss, ...Object.values(grads)]);
      return { lossValue, norm };
    });
    expect(withNeighbours.lossValue).toBeCloseTo(without.lossValue, 5); // same forward value
    expect(Math.abs(withNeighbours.norm - without.norm)).toBeGreaterThan(1e-6);
    tf.dispose([batch.x, batch.taken, batch.noise, target]);
    batch.graph.dispose();
    for (const module of [policy, q, value]) module.dispose();
  });

  it("the V target is the exact own-action expectation Σ_a q(a)[Q(a) − α log q(a)]", async () => {
    await initBackend(backend, { log: false });
    const rng = createRng(4);
    const policy = new IntentionNetwork({ ...sizes, rounds: 1, variant: "loopy-bp" }, rng.fork("p"));
    const q = new NeighbourQ(sizes, rng.fork("q"));
    const batch = minibatch(6);
    const soft = softValueTarget(policy, q, batch, 0.3);
    const [target, logits, qValues] = tf.tidy(() => {
      const l = policy.logits(batch.graph, batch.x);
      const sample = tf.cast(tf.oneHot(tf.argMax(tf.add(l, batch.noise), 1), sizes.numActions), "float32");
      return [
        soft.target.arraySync(),
        l.arraySync(),
        q.apply(batch.graph, batch.x, sample as tf.Tensor2D).arraySync(),
      ];
    }) as [number[], number[][], number[][]];
    for (let r = 0; r < 8; r++) {
      const max = Math.max(...logits[r]);
      const z = logits[r].reduce((s, v) => s + Math.exp(v - max), 0);
      let expected = 0;
      for (let a = 0; a < sizes.numActions; a++) {
        const logP = logits[r][a] - max - Math.log(z);
        expected += Math.exp(logP) * (qValues[r][a] - 0.3 * logP);
      }
      expect(target[r]).toBeCloseTo(expected, 4);
    }
    tf.dispose([soft.target, soft.entropy, batch.x, batch.taken, batch.noise]);
    batch.graph.dispose();
    policy.dispose();
    q.dispose();
  });
});
