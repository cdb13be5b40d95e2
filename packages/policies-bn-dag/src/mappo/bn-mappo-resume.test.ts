import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoordinationGame } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { JsonlMetricsSink, type MetricRecord, Runner, readJsonl } from "@netmarl/trainers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bnMappoAlgorithm } from "./bn-mappo-learner.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-bn-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const TOTAL = 2_000;
// context-aware DAG with annealing: the state that must survive includes the DAG nets, both Adams,
// the value normaliser, the rollout in progress, the update counter (the schedule) and the Rng
const config = {
  dag: "context-aware",
  densityAnnealing: true,
  totalEnvSteps: TOTAL,
  rolloutSteps: 175, // the third checkpoint (900 steps) falls 25 steps into a rollout
  epochs: 2,
  hiddenSizes: [16, 16],
  dagHiddenSize: 16,
  exactPoaEvery: 4,
};

function runner(directory: string, onCheckpoint?: () => void) {
  return new Runner({
    createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
    createLearner: (spec, rng) => bnMappoAlgorithm.create(spec, bnMappoAlgorithm.parseConfig(config), rng),
    config: { totalEnvSteps: TOTAL, seed: 4, checkpointEvery: 300, evalEvery: 500, evalEpisodes: 2 },
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

it("BN-MAPPO stopped after a checkpoint mid-rollout and resumed equals the uninterrupted run", () => {
  const uninterrupted = join(scratch, "uninterrupted");
  const interrupted = join(scratch, "interrupted");
  mkdirSync(uninterrupted);
  mkdirSync(interrupted);
  runner(uninterrupted).run();
  let checkpoints = 0;
  expect(() =>
    runner(interrupted, () => {
      if (++checkpoints === 3) throw new Error("simulated crash");
    }).run(),
  ).toThrow("simulated crash");
  runner(interrupted).run({ resumeFrom: join(interrupted, "checkpoint.bin") });
  const expected = records(uninterrupted);
  expect(expected.some((r) => typeof r["eval/exact-poa"] === "number")).toBe(true);
  expect(records(interrupted)).toEqual(expected);
}, 120_000);
