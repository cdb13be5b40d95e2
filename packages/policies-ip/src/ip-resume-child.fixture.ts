/**
 * Child process for IP's kill-and-resume test: trains IP on cooperative navigation (N = 3, small
 * networks, cpu) with checkpoints and prints "checkpoint <steps>" after each until it is killed.
 * Arguments: <directory> <totalEnvSteps>.
 */
import { join } from "node:path";
import { CooperativeNavigation } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { JsonlMetricsSink, Runner } from "@netmarl/trainers";
import { ipAlgorithm } from "./ip-learner.js";

// Updates every 50 steps from step 100 and a checkpoint every 200: the replay, three Adams, V̄,
// the Rng and the linear learning-rate schedule all have to survive.
export const IP_RESUME_CONFIG = {
  hiddenSize: 16,
  batchSize: 32,
  updateEvery: 50,
  gradientSteps: 2,
  bufferCapacity: 400,
  scheduleSteps: 3_000,
};

export function createIpResumeRunner(
  directory: string,
  totalEnvSteps: number,
  onCheckpoint?: (steps: number) => void,
) {
  return new Runner({
    createEnv: (rng) => new CooperativeNavigation({ numAgents: 3 }, rng),
    createLearner: (spec, rng) => ipAlgorithm.create(spec, ipAlgorithm.parseConfig(IP_RESUME_CONFIG), rng),
    config: { totalEnvSteps, seed: 5, checkpointEvery: 200, evalEvery: 500, evalEpisodes: 2 },
    sinks: [new JsonlMetricsSink(join(directory, "metrics.jsonl"))],
    checkpointPath: join(directory, "checkpoint.bin"),
    onCheckpoint,
  });
}

if (process.argv[1]?.endsWith("ip-resume-child.fixture.ts")) {
  await initBackend("cpu", { log: false });
  const [directory, total] = process.argv.slice(2);
  createIpResumeRunner(directory, Number(total), (steps) =>
    process.stdout.write(`checkpoint ${steps}\n`),
  ).run();
  process.stdout.write("finished\n");
}
