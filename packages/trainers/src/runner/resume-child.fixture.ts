/**
 * Child process for the kill-and-resume test: runs tabular Q-learning on the coordination game
 * with checkpoints and prints "checkpoint <steps>" after each, until it is killed.
 * Arguments: <directory> <totalEnvSteps>.
 */
import { join } from "node:path";
import { CoordinationGame } from "@netmarl/envs";
import { tabularQAlgorithm } from "../learners/tabular-q-learner.js";
import { CsvMetricsSink } from "../metrics/csv-metrics-sink.js";
import { JsonlMetricsSink } from "../metrics/metrics-sink.js";
import { Runner } from "./runner.js";

export const RESUME_TEST_CONFIG = { seed: 11, checkpointEvery: 2_000, evalEvery: 5_000, evalEpisodes: 3 };
export const RESUME_TEST_LEARNER = { epsilonDecaySteps: 20_000 };

export function createResumeTestRunner(
  directory: string,
  totalEnvSteps: number,
  onCheckpoint?: (steps: number) => void,
) {
  return new Runner({
    createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
    createLearner: (spec, rng) => tabularQAlgorithm.create(spec, RESUME_TEST_LEARNER, rng),
    config: { ...RESUME_TEST_CONFIG, totalEnvSteps },
    sinks: [
      new JsonlMetricsSink(join(directory, "metrics.jsonl")),
      new CsvMetricsSink(join(directory, "metrics.csv")),
    ],
    checkpointPath: join(directory, "checkpoint.bin"),
    onCheckpoint,
  });
}

if (process.argv[1]?.endsWith("resume-child.fixture.ts")) {
  const [directory, total] = process.argv.slice(2);
  createResumeTestRunner(directory, Number(total), (steps) =>
    process.stdout.write(`checkpoint ${steps}\n`),
  ).run();
  process.stdout.write("finished\n");
}
