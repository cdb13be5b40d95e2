/**
 * Child process for the kill-and-resume tests: runs one learner (tabular Q-learning on the
 * coordination game, or a neural learner on the cue game) with checkpoints and prints
 * "checkpoint <steps>" after each, until it is killed.
 * Arguments: <directory> <totalEnvSteps> [learner (a key of RESUME_CASES), default tabular-q]
 * [killAtStep: the child sends itself SIGKILL at this environment step].
 */
import { join } from "node:path";
import { CoordinationGame, type MultiAgentEnv, type Rng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import type { AlgorithmDefinition } from "../contracts/algorithm-definition.js";
import { cueGame } from "../learners/cue-game.fixture.js";
import { dgnAlgorithm } from "../learners/dgn/dgn-learner.js";
import { dqnAlgorithm } from "../learners/dqn/dqn-learner.js";
import { maddpgAlgorithm, maddpgsAlgorithm, picAlgorithm } from "../learners/maddpg/maddpg-learner.js";
import { ippoAlgorithm, mappoAlgorithm, rmappoAlgorithm } from "../learners/ppo/mappo-learner.js";
import { qmixAlgorithm } from "../learners/qmix/qmix-learner.js";
import { tabularQAlgorithm } from "../learners/tabular-q-learner.js";
import { CsvMetricsSink } from "../metrics/csv-metrics-sink.js";
import { JsonlMetricsSink } from "../metrics/metrics-sink.js";
import { Runner } from "./runner.js";

export const RESUME_TEST_CONFIG = { seed: 11, checkpointEvery: 2_000, evalEvery: 5_000, evalEpisodes: 3 };
export const RESUME_TEST_LEARNER = { epsilonDecaySteps: 20_000 };

interface ResumeCase {
  createEnv: (rng: Rng) => MultiAgentEnv;
  algorithm: AlgorithmDefinition;
  config: Record<string, unknown>;
  run: { seed: number; checkpointEvery: number; evalEvery: number; evalEpisodes: number };
}

/**
 * Neural learners: tiny networks on the cue game (10-step episodes), updates from step 20 so that
 * every checkpoint carries trained weights, targets, optimiser moments and a filled buffer.
 */
const NEURAL_RUN = { seed: 11, checkpointEvery: 50, evalEvery: 100, evalEpisodes: 2 };
/** pymarl's recurrent agents (the defaults): updates after every episode once 2 are stored, targets every 3 episodes. */
const episodes = { batchSize: 2, targetUpdateEvery: 3, rnnHiddenSize: 8 };
const maddpg = { batchSize: 8, updateEvery: 10, hiddenSize: 8, bufferCapacity: 1_000 };

export const RESUME_CASES = {
  "tabular-q": {
    createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
    algorithm: tabularQAlgorithm,
    config: RESUME_TEST_LEARNER,
    run: RESUME_TEST_CONFIG,
  },
  dqn: {
    createEnv: cueGame,
    algorithm: dqnAlgorithm,
    config: { ...episodes, hiddenSizes: [8] },
    run: NEURAL_RUN,
  },
  qmix: {
    createEnv: cueGame,
    algorithm: qmixAlgorithm,
    config: { ...episodes, agentHiddenSizes: [8], mixingEmbedSize: 4, hypernetSize: 8 },
    run: NEURAL_RUN,
  },
  mappo: {
    createEnv: cueGame,
    algorithm: mappoAlgorithm,
    config: { rolloutSteps: 30, epochs: 2, hiddenSizes: [8] },
    run: NEURAL_RUN,
  },
  ippo: {
    createEnv: cueGame,
    algorithm: ippoAlgorithm,
    config: { rolloutSteps: 30, epochs: 2, hiddenSizes: [8] },
    run: NEURAL_RUN,
  },
  rmappo: {
    createEnv: cueGame,
    algorithm: rmappoAlgorithm,
    config: { rolloutSteps: 30, epochs: 2, hiddenSizes: [8], dataChunkLength: 10 },
    run: NEURAL_RUN,
  },
  maddpg: { createEnv: cueGame, algorithm: maddpgAlgorithm, config: maddpg, run: NEURAL_RUN },
  maddpgs: { createEnv: cueGame, algorithm: maddpgsAlgorithm, config: maddpg, run: NEURAL_RUN },
  pic: { createEnv: cueGame, algorithm: picAlgorithm, config: maddpg, run: NEURAL_RUN },
  dgn: {
    createEnv: cueGame,
    algorithm: dgnAlgorithm,
    // mutli_jungle.py's schedule (every 3rd step stored and trained on), from episode 2 on
    config: { encoderSizes: [8], numHeads: 2, headSize: 4, batchSize: 8, storeEvery: 3, trainFromEpisode: 2 },
    run: NEURAL_RUN,
  },
} satisfies Record<string, ResumeCase>;

export type ResumeCaseName = keyof typeof RESUME_CASES;

export function createResumeTestRunner(
  directory: string,
  totalEnvSteps: number,
  onCheckpoint?: (steps: number) => void,
  name: ResumeCaseName = "tabular-q",
) {
  const chosen: ResumeCase = RESUME_CASES[name];
  return new Runner({
    createEnv: chosen.createEnv,
    createLearner: (spec, rng) => chosen.algorithm.create(spec, chosen.config, rng),
    config: { ...chosen.run, totalEnvSteps },
    sinks: [
      new JsonlMetricsSink(join(directory, "metrics.jsonl")),
      new CsvMetricsSink(join(directory, "metrics.csv")),
    ],
    checkpointPath: join(directory, "checkpoint.bin"),
    onCheckpoint,
  });
}

if (process.argv[1]?.endsWith("resume-child.fixture.ts")) {
  const [directory, total, name = "tabular-q", killAtStep] = process.argv.slice(2);
  if (!(name in RESUME_CASES)) throw new Error(`resume-child: unknown learner ${name}`);
  // The tests run the neural learners on the cpu backend; resumed numbers must match bit for bit.
  if (name !== "tabular-q") await initBackend("cpu", { log: false });
  const runner = createResumeTestRunner(
    directory,
    Number(total),
    (steps) => process.stdout.write(`checkpoint ${steps}\n`),
    name as ResumeCaseName,
  );
  if (killAtStep !== undefined) {
    // kill -9 of itself mid-episode at a fixed step: a parent busy with other work could not kill
    // a short run at a known point in time.
    const { learner } = runner;
    const update = learner.update.bind(learner);
    let steps = 0;
    learner.update = () => {
      if (++steps === Number(killAtStep)) process.kill(process.pid, "SIGKILL");
      return update();
    };
  }
  runner.run();
  process.stdout.write("finished\n");
}
