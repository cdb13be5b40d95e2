import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoordinationGame } from "@netmarl/envs";
import { afterAll, describe, expect, it } from "vitest";
import type { AlgorithmDefinition } from "../contracts/algorithm-definition.js";
import { fixedPolicyAlgorithm } from "../learners/fixed-policy-learner.js";
import { randomAlgorithm } from "../learners/random-learner.js";
import { JsonlMetricsSink, MemoryMetricsSink, readJsonl } from "../metrics/metrics-sink.js";
import { forkRunStreams, Runner } from "./runner.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-runner-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runOnCoordinationGame(
  algorithm: AlgorithmDefinition,
  config: unknown,
  seed: number,
  sink = new MemoryMetricsSink(),
) {
  const runner = new Runner({
    createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
    createLearner: (spec, rng) => algorithm.create(spec, config, rng),
    config: { totalEnvSteps: 2500, seed },
    sinks: [sink],
  });
  return { summary: runner.run(), records: sink.records };
}

describe("Runner on the coordination game", () => {
  it("reports one episode record per 25 steps with the team return", () => {
    const { summary, records } = runOnCoordinationGame(randomAlgorithm, {}, 1);
    expect(summary.episodes).toBe(100);
    expect(records).toHaveLength(100);
    expect(records.every((r) => r.kind === "episode" && r["episode/length"] === 25)).toBe(true);
    expect(records[99].envSteps).toBe(2500);
    const mean = records.reduce((acc, r) => acc + (r["episode/return"] as number), 0) / records.length;
    expect(mean).toBeCloseTo(summary.meanEpisodeReturn, 9);
  });

  it("separates a good fixed policy from random play by a wide margin", () => {
    // All agents playing 0 reaches the all-zeros state (reward 3) with probability 0.9^3 each step:
    // expected return ≈ 25 × (0.729 × 3 + 0.027 × 1 + 0.001 × 2) ≈ 55. Uniform random play earns
    // ≈ 25 × 1.0 (each state equally likely: (3 + 3×0 + 3×1 + 2) / 8). 100 episodes put the
    // standard error of each mean below 1, so a gap of 20 cannot be noise.
    const fixed = runOnCoordinationGame(fixedPolicyAlgorithm, { actions: [0] }, 1).summary.meanEpisodeReturn;
    const random = runOnCoordinationGame(randomAlgorithm, {}, 1).summary.meanEpisodeReturn;
    expect(fixed).toBeGreaterThan(50);
    expect(fixed).toBeLessThan(60);
    expect(random).toBeGreaterThan(20);
    expect(random).toBeLessThan(30);
    expect(fixed - random).toBeGreaterThan(20);
  });

  it("gives identical metric streams for the same seed and different ones for another seed", () => {
    const strip = (records: ReturnType<typeof runOnCoordinationGame>["records"]) =>
      records.map(({ "time/env-steps-per-second": _, ...rest }) => rest);
    const a = strip(runOnCoordinationGame(randomAlgorithm, {}, 5).records);
    const b = strip(runOnCoordinationGame(randomAlgorithm, {}, 5).records);
    const c = strip(runOnCoordinationGame(randomAlgorithm, {}, 6).records);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("writes episodes to a JSONL file that reads back, a torn last line ignored", () => {
    const path = join(scratch, "run", "metrics.jsonl");
    const sink = new JsonlMetricsSink(path);
    runOnCoordinationGame(randomAlgorithm, {}, 2, sink as unknown as MemoryMetricsSink);
    sink.close();
    const text = readFileSync(path, "utf8");
    expect(readJsonl(text)).toHaveLength(100);
    expect(readJsonl(`${text}{"kind":"epis`)).toHaveLength(100);
    expect(() => sink.write({ kind: "episode", envSteps: 1 })).toThrow(/write after close/);
  });

  it("forks the env, learner and evaluation streams in a fixed order from the seed", () => {
    const streams = forkRunStreams(9);
    const again = forkRunStreams(9);
    expect(streams.env.nextUint32()).toBe(again.env.nextUint32());
    expect(streams.learner.nextUint32()).toBe(again.learner.nextUint32());
    expect(new Set([forkRunStreams(9).env.nextUint32(), forkRunStreams(9).learner.nextUint32()]).size).toBe(
      2,
    );
  });

  it("refuses bad run and algorithm configs with the field named", () => {
    const createEnv = () => new CoordinationGame();
    expect(
      () =>
        new Runner({
          createEnv,
          createLearner: (s, r) => randomAlgorithm.create(s, {}, r),
          config: { totalEnvSteps: 0 },
        }),
    ).toThrow(/run config: totalEnvSteps = 0/);
    const spec = new CoordinationGame().spec;
    expect(() => fixedPolicyAlgorithm.create(spec, { actions: [2] }, forkRunStreams(0).learner)).toThrow(
      /fixed-policy config: actions\[0\] = 2: expected an integer in \[0, 2\)/,
    );
    expect(() => randomAlgorithm.create(spec, { epsilon: 1 }, forkRunStreams(0).learner)).toThrow(
      /random config/,
    );
  });

  it("stops on a non-finite update metric, naming it", () => {
    const broken = {
      ...randomAlgorithm,
      create: (spec: never, config: unknown, rng: never) => {
        const learner = randomAlgorithm.create(spec, config, rng);
        learner.update = () => ({ "loss/value": Number.NaN });
        return learner;
      },
    } as AlgorithmDefinition;
    expect(() => runOnCoordinationGame(broken, {}, 0)).toThrow(/non-finite loss\/value = NaN/);
  });
});
