import { createRng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { Adam } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { InfluenceDataset } from "./influence-dataset.js";
import { constantPredictorLoss, encodeTargets, influenceLoss } from "./influence-loss.js";
import { InfluencePredictor, sampleInfluence } from "./influence-predictor.js";
import { trainInfluencePredictor } from "./train-influence-predictor.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

const bits = (rng: ReturnType<typeof createRng>, size: number) =>
  Float32Array.from({ length: size }, () => (rng.uniform() < 0.3 ? 1 : 0));

describe("InfluencePredictor", () => {
  it("GRU: stepwise prediction carries the hidden state, equals the unrolled logits, and resets", () => {
    const predictor = new InfluencePredictor(
      { inputSize: 5, numSources: 2, numValues: 4, hiddenSize: 8, recurrent: true },
      createRng(1),
    );
    const rng = createRng(2);
    const inputs = [bits(rng, 5), bits(rng, 5), bits(rng, 5)];
    const before = tf.memory().numTensors;
    const stepwise = inputs.map((x) => Array.from(predictor.predict(x, new Float32Array(8))));
    // the same input at a later step gives a different distribution: the state is carried
    const again = Array.from(predictor.predict(inputs[0], new Float32Array(8)));
    expect(again).not.toEqual(stepwise[0]);
    predictor.resetState();
    expect(Array.from(predictor.predict(inputs[0], new Float32Array(8)))).toEqual(stepwise[0]);
    predictor.resetState();
    expect(tf.memory().numTensors).toBe(before);
    const logits = tf.tidy(() => {
      const sequence = tf.tensor3d(
        inputs.flatMap((x) => Array.from(x)),
        [3, 1, 5],
      );
      return tf.softmax(tf.reshape(predictor.logits(sequence), [3, 2, 4]));
    });
    const unrolled = logits.arraySync() as number[][][];
    logits.dispose();
    for (let t = 0; t < 3; t++) {
      for (let k = 0; k < 8; k++)
        expect(stepwise[t][k]).toBeCloseTo(unrolled[t][Math.floor(k / 4)][k % 4], 5);
    }
    predictor.dispose();
  });

  it("FNN: binary sources give [1 − p, p] per source, stateless; sampling follows the probabilities", () => {
    const predictor = new InfluencePredictor(
      { inputSize: 6, numSources: 3, numValues: 2, hiddenSize: 4, recurrent: false },
      createRng(3),
    );
    const x = bits(createRng(4), 6);
    const first = Array.from(predictor.predict(x, new Float32Array(6)));
    expect(Array.from(predictor.predict(x, new Float32Array(6)))).toEqual(first);
    for (let s = 0; s < 3; s++) expect(first[2 * s] + first[2 * s + 1]).toBeCloseTo(1, 6);
    const ones = new Float64Array(3);
    const out = new Int32Array(3);
    const rng = createRng(5);
    for (let i = 0; i < 4000; i++) {
      sampleInfluence(Float32Array.from(first), 2, rng, out);
      for (let s = 0; s < 3; s++) ones[s] += out[s];
    }
    for (let s = 0; s < 3; s++) expect(ones[s] / 4000).toBeCloseTo(first[2 * s + 1], 1);
    expect(() => predictor.predict(new Float32Array(5), new Float32Array(6))).toThrow(
      /input has 5 values; expected 6/,
    );
    predictor.dispose();
  });

  it("losses: BCE and CE match their definitions; the constant predictor's loss is the entropy of the frequencies", () => {
    const logits = tf.tensor2d([[0.3, -1.2]]);
    const y = tf.tensor2d([[1, 0]]);
    const bce = influenceLoss(logits, y, 2, 2);
    const expected = (-Math.log(1 / (1 + Math.exp(-0.3))) - Math.log(1 - 1 / (1 + Math.exp(1.2)))) / 2;
    expect(bce.dataSync()[0]).toBeCloseTo(expected, 5);
    const categorical = tf.tensor2d([[1, 2, 3]]);
    const oneHot = tf.tensor2d(encodeTargets(Int32Array.of(2), [0], 1, 3), [1, 3]);
    const ce = influenceLoss(categorical, oneHot, 1, 3);
    expect(ce.dataSync()[0]).toBeCloseTo(-(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))), 5);
    tf.dispose([logits, y, bce, categorical, oneHot, ce]);
    // a source that is 1 a quarter of the time: H = −(¼ ln ¼ + ¾ ln ¾) on a test set with the same rate
    const targets = Int32Array.from({ length: 8 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const loss = constantPredictorLoss(targets, [0, 1, 2, 3], [4, 5, 6, 7], 1, 2);
    expect(loss).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
  });

  it("refuses a dataset without a test set and one whose sizes disagree", () => {
    const predictor = new InfluencePredictor(
      { inputSize: 2, numSources: 1, numValues: 2, hiddenSize: 2, recurrent: true },
      createRng(6),
    );
    const adam = new Adam(predictor.trainableVariables(), { learningRate: 1e-3 });
    const dataset: InfluenceDataset = {
      inputSize: 2,
      numSources: 1,
      numValues: 2,
      episodeLength: 3,
      numEpisodes: 5,
      inputs: new Float32Array(30),
      targets: new Int32Array(15),
    };
    const options = { epochs: 1, batchSize: 2 };
    expect(() => trainInfluencePredictor(predictor, adam, dataset, options, createRng(1))).toThrow(
      /5 episodes leave no test set/,
    );
    expect(() =>
      trainInfluencePredictor(
        predictor,
        adam,
        { ...dataset, inputs: new Float32Array(7) },
        options,
        createRng(1),
      ),
    ).toThrow(/inputs has 7 values; expected/);
    expect(() =>
      trainInfluencePredictor(
        predictor,
        adam,
        { ...dataset, targets: new Int32Array(15).fill(2) },
        options,
        createRng(1),
      ),
    ).toThrow(/targets\[0\] = 2; expected an integer in \[0, 2\)/);
    adam.dispose();
    predictor.dispose();
  });
});
