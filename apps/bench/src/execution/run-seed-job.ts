import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createRng } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { JsonlMetricsSink, type Learner, type RunConfig, Runner, type RunProgress } from "@netmarl/trainers";
import { recordGreedyEpisodes } from "../commands/record-greedy-episodes.js";
import { finiteOrNull } from "../progress/format-return.js";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { findLoopAlgorithm } from "../registry/loop-algorithms.js";
import {
  inspectSeed,
  RESULTS_FORMAT,
  readOwnJson,
  type SeedConfigFile,
  type SeedPaths,
  type SeedStatus,
  type SeedSummaryFile,
  seedPaths,
  writeJsonAtomic,
} from "../results/result-store.js";
import type { Experiment } from "../suites/experiment-schema.js";

/** One seed of one experiment: the unit of work of a suite, in-process or in a worker thread. */
export interface SeedJob {
  suiteName: string;
  suiteDirectory: string;
  experiment: Experiment;
  seed: number;
  /** TensorFlow.js backend to initialise first (workers each have their own). */
  backend?: string;
  /** Record one greedy episode of the final policy into the seed folder (`recordReplays`). */
  recordReplay?: boolean;
}

export interface SeedJobResult {
  suiteDirectory: string;
  experiment: Experiment;
  seed: number;
  summary: SeedSummaryFile;
  /** `skipped`: it had finished before; `resumed`: it continued from a checkpoint. */
  outcome: "ran" | "resumed" | "skipped";
}

/**
 * One greedy episode of the trained learner on a fresh environment, seeded apart from training and
 * evaluation (`fork("replay")`), so recording changes no result.
 */
function recordFinalPolicy(job: SeedJob, learner: Learner, envSteps: number, path: string): void {
  const environment = findEnvironment(job.experiment.env.id);
  const streams = createRng(job.seed).fork("replay");
  recordGreedyEpisodes(environment.create(job.experiment.env.options, {}, streams.fork("env")), learner, {
    episodes: 1,
    seeds: streams.fork("episodes"),
    recorder: {
      path,
      recordObservations: true,
      envId: environment.id,
      policy: {
        algorithm: job.experiment.algorithm.id,
        label: `seed ${job.seed} after ${envSteps} env steps`,
      },
      createdBy: `netmarl-bench run ${job.suiteName}`,
    },
  });
}

/** The run config of an experiment: a checkpoint every tenth of the run unless given. */
export function runConfigOf(experiment: Experiment, seed: number): RunConfig {
  const { steps, evalEvery, evalEpisodes, checkpointEvery } = experiment.run;
  return {
    totalEnvSteps: steps,
    seed,
    evalEvery,
    evalEpisodes,
    checkpointEvery: checkpointEvery ?? Math.max(1, Math.ceil(steps / 10)),
  };
}

/** A seed job's folder, its expected config.json and its state (refusing a foreign folder). */
export function inspectSeedJob(job: SeedJob): {
  paths: SeedPaths;
  configFile: SeedConfigFile;
  status: SeedStatus;
} {
  const paths = seedPaths(job.suiteDirectory, job.experiment, job.seed);
  const configFile: SeedConfigFile = {
    format: RESULTS_FORMAT,
    suite: job.suiteName,
    experiment: job.experiment,
    seed: job.seed,
    runConfig: runConfigOf(job.experiment, job.seed),
  };
  return { paths, configFile, status: inspectSeed(paths, configFile) };
}

/**
 * Runs (or resumes, or skips) one seed: writes config.json first, metrics.jsonl as it goes,
 * checkpoints atomically, and summary.json last — so a killed run loses at most the work since
 * its last checkpoint and a finished one is never redone.
 */
export async function runSeedJob(
  job: SeedJob,
  onProgress?: (progress: RunProgress) => void,
): Promise<SeedJobResult> {
  const loopAlgorithm = findLoopAlgorithm(job.experiment.algorithm.id);
  if (loopAlgorithm !== undefined) {
    const { runDialsSeedJob } = await import("./run-dials-seed-job.js");
    return runDialsSeedJob(job, loopAlgorithm, onProgress);
  }
  if (job.backend) await initBackend(job.backend as never, { log: false });
  const { paths, configFile, status } = inspectSeedJob(job);
  if (status === "finished") {
    return { ...job, summary: readOwnJson<SeedSummaryFile>(paths.summary), outcome: "skipped" };
  }
  mkdirSync(join(paths.directory, "checkpoints"), { recursive: true });
  if (status === "new") writeJsonAtomic(paths.config, configFile);
  const resume = existsSync(paths.checkpoint);
  // Without a checkpoint nothing can be resumed: start over, dropping any partial metrics.
  if (!resume) rmSync(paths.metrics, { force: true });

  const environment = findEnvironment(job.experiment.env.id);
  const algorithm = findAlgorithm(job.experiment.algorithm.id);
  const sink = new JsonlMetricsSink(paths.metrics);
  try {
    const runner = new Runner({
      createEnv: (rng) => environment.create(job.experiment.env.options, {}, rng),
      createLearner: (spec, rng) => algorithm.create(spec, job.experiment.algorithm.config, rng),
      config: configFile.runConfig,
      sinks: [sink],
      checkpointPath: paths.checkpoint,
      onProgress,
    });
    const summary = runner.run(resume ? { resumeFrom: paths.checkpoint } : {});
    try {
      if (job.recordReplay) recordFinalPolicy(job, runner.learner, summary.envSteps, paths.replay);
    } finally {
      runner.learner.dispose();
    }
    const file: SeedSummaryFile = {
      format: RESULTS_FORMAT,
      ...summary,
      meanEpisodeReturn: finiteOrNull(summary.meanEpisodeReturn),
      lastEvaluationReturn: finiteOrNull(summary.lastEvaluationReturn),
      finishedAt: new Date().toISOString(),
    };
    writeJsonAtomic(paths.summary, file);
    return { ...job, summary: file, outcome: resume ? "resumed" : "ran" };
  } finally {
    sink.close();
  }
}
