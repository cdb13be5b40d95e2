import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, Jungle, PrisonersDilemma, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { JsonlMetricsSink, type MetricRecord, Runner, readJsonl } from "@netmarl/trainers";
import { checkLearner } from "@netmarl/trainers/testing";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedLtosAlgorithm, type LtosLearner, ltosAlgorithm } from "./ltos-learner.js";
import { SharingReplay } from "./replay/sharing-replay.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-ltos-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

const ring = (rng: Rng) => new PrisonersDilemma({ numAgents: 4, layout: "ring" }, rng);
const smallJungle = (rng: Rng) =>
  new Jungle({ mapSize: 8, numAgents: 4, numFood: 2, maxSteps: 15, agentHp: 3 }, rng);
const small = {
  encoderSizes: [16, 16],
  numHeads: 2,
  headSize: 4,
  sampleSize: 8,
  batchSize: 8,
  sharingSampleSize: 8,
  sharingBatchSize: 8,
  learningStarts: 30,
  bufferCapacity: 1_000,
};
const countTensors = () => tf.memory().numTensors;

describe("LToS learner", () => {
  it("passes checkLearner on the networked prisoner's dilemma (ring of 4)", () => {
    checkLearner(ltosAlgorithm, ring, { config: small, steps: 120, countTensors });
  }, 60_000);

  it("passes checkLearner on jungle (a graph that changes every step) with OU noise and episode-unit high-level updates", () => {
    const config = {
      ...small,
      maxNeighbors: 4,
      sharingNoise: "ou",
      sharingNoiseSigma: 0.25,
      sharingUpdateUnit: "episodes",
      sharingUpdateEvery: 2,
      actionInterval: 3,
    };
    checkLearner(ltosAlgorithm, smallJungle, { config, steps: 120, countTensors });
  }, 60_000);

  it("fixed-LToS passes checkLearner and keeps w exactly at the selfishness", () => {
    checkLearner(fixedLtosAlgorithm, ring, { config: small, steps: 120, countTensors });
    const env = ring(createRng(0));
    const learner = fixedLtosAlgorithm.create(
      env.spec,
      { ...small, selfishness: 0.6 },
      createRng(1),
    ) as LtosLearner;
    const runner = new Runner({
      createEnv: ring,
      createLearner: () => learner,
      config: { totalEnvSteps: 80, seed: 1 },
    });
    runner.run();
    const w = learner.sharingWeights();
    for (let i = 0; i < 4; i++) {
      expect(w[i * 5]).toBeCloseTo(0.6, 6);
      expect(w[i * 5 + 1]).toBeCloseTo(0.2, 6);
      expect(w[i * 5 + 2]).toBeCloseTo(0.2, 6);
    }
    learner.dispose();
  }, 60_000);

  it("LToS moves the sharing weights away from the initialisation", () => {
    const env = ring(createRng(0));
    const learner = ltosAlgorithm.create(
      env.spec,
      { ...small, sharingNoise: "none" },
      createRng(2),
    ) as LtosLearner;
    const runner = new Runner({
      createEnv: ring,
      createLearner: () => learner,
      config: { totalEnvSteps: 150, seed: 2 },
    });
    runner.run();
    const w = learner.sharingWeights();
    let moved = 0;
    for (let i = 0; i < 4; i++) moved += Math.abs(w[i * 5] - 0.5);
    expect(moved).toBeGreaterThan(1e-4);
    learner.dispose();
  }, 60_000);

  it("unified PRNG: every agent's replay sampler draws the same minibatch indices", () => {
    const replay = new SharingReplay(
      { capacity: 50, numAgents: 6, obsDim: 1, inWidth: 2, maxNeighbors: 1 },
      createRng(9).fork("replay"),
    );
    const zeros = new Float32Array(12);
    for (let t = 0; t < 37; t++) {
      replay.add({
        obs: zeros,
        nextObs: zeros,
        wIn: zeros,
        actions: new Int32Array(6),
        shapedRewards: zeros,
        terminated: new Uint8Array(6),
        rows: new Int32Array(6),
        nextRows: new Int32Array(6),
      });
    }
    const indices = new Int32Array(6 * 20);
    for (let draw = 0; draw < 3; draw++) {
      replay.drawIndices(indices, 20);
      for (let agent = 1; agent < 6; agent++) {
        expect(Array.from(indices.subarray(agent * 20, agent * 20 + 20))).toEqual(
          Array.from(indices.subarray(0, 20)),
        );
      }
      expect(new Set(indices.subarray(0, 20)).size).toBeGreaterThan(5);
    }
  });

  it("refuses bad configs with one line naming the field", () => {
    const spec = ring(createRng(0)).spec;
    expect(() => ltosAlgorithm.create(spec, { selfishness: 0 }, createRng(0))).toThrow(/selfishness/);
    expect(() => ltosAlgorithm.create(spec, { selfishness: 1.2 }, createRng(0))).toThrow(/selfishness/);
    expect(() => ltosAlgorithm.create(spec, { actionInterval: 0 }, createRng(0))).toThrow(/actionInterval/);
    const learner = ltosAlgorithm.create(spec, { ...small, maxNeighbors: 1 }, createRng(0));
    const env = ring(createRng(0));
    expect(() => learner.act(env.reset(0).obs, env.graph(), { explore: true })).toThrow(
      /more than maxNeighbors = 1 neighbours/,
    );
    learner.dispose();
  });
});

function resumeRunner(directory: string, onCheckpoint?: () => void) {
  return new Runner({
    createEnv: ring,
    createLearner: (spec, rng) => ltosAlgorithm.create(spec, small, rng),
    config: { totalEnvSteps: 200, seed: 4, checkpointEvery: 50, evalEvery: 100, evalEpisodes: 2 },
    sinks: [new JsonlMetricsSink(join(directory, "metrics.jsonl"))],
    checkpointPath: join(directory, "checkpoint.bin"),
    onCheckpoint,
  });
}

function records(directory: string): MetricRecord[] {
  return readJsonl(readFileSync(join(directory, "metrics.jsonl"), "utf8")).map(
    ({ "time/env-steps-per-second": _, ...rest }) => rest as MetricRecord,
  );
}

it("LToS stopped after a checkpoint and resumed equals the uninterrupted run", () => {
  const uninterrupted = join(scratch, "uninterrupted");
  const interrupted = join(scratch, "interrupted");
  mkdirSync(uninterrupted);
  mkdirSync(interrupted);
  resumeRunner(uninterrupted).run();
  let checkpoints = 0;
  expect(() =>
    resumeRunner(interrupted, () => {
      if (++checkpoints === 2) throw new Error("simulated crash");
    }).run(),
  ).toThrow("simulated crash");
  resumeRunner(interrupted).run({ resumeFrom: join(interrupted, "checkpoint.bin") });
  const expected = records(uninterrupted);
  expect(expected.some((r) => typeof r["sharing/value"] === "number")).toBe(true);
  expect(records(interrupted)).toEqual(expected);
}, 120_000);
