import { appendFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "@netmarl/graph-nn";
import { type DialsIterationRecord, type DialsSummary, runDials } from "@netmarl/influence-sim";
import { type RunProgress, writeFileAtomic } from "@netmarl/trainers";
import { finiteOrNull } from "../progress/format-return.js";
import type { LoopAlgorithm } from "../registry/loop-algorithms.js";
import {
  inspectSeed,
  RESULTS_FORMAT,
  readOwnJson,
  type SeedConfigFile,
  type SeedSummaryFile,
  seedPaths,
  writeJsonAtomic,
} from "../results/result-store.js";
import type { SeedJob, SeedJobResult } from "./run-seed-job.js";
import { runConfigOf } from "./run-seed-job.js";

/** A DIALS seed's summary: the bench's fields plus the per-iteration phase timings. */
export interface DialsSeedSummaryFile extends SeedSummaryFile {
  dials: Omit<DialsSummary, "iterations"> & { iterations: DialsIterationRecord[] };
}

/** Metric lines of one iteration: the evaluation (the report's learning curve) and the timings. */
function metricLines(record: DialsIterationRecord): string {
  const lines: Record<string, number | string>[] = [];
  if (record.evaluationReturn !== undefined) {
    lines.push({ kind: "evaluation", envSteps: record.step, "evaluation/return": record.evaluationReturn });
  }
  const update: Record<string, number | string> = { kind: "update", envSteps: record.step };
  for (const [phase, seconds] of Object.entries(record.seconds)) update[`seconds/${phase}`] = seconds;
  if (record.influence) {
    update["influence/initial-test-loss"] = record.influence.initialTestLoss;
    update["influence/final-test-loss"] = record.influence.finalTestLoss;
    update["influence/constant-test-loss"] = record.influence.constantTestLoss;
  }
  if (record.trainingReturn !== undefined) update["train/return"] = record.trainingReturn;
  lines.push(update);
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

/**
 * One seed of a DIALS experiment, with the suite runner's contract (config.json first, metrics as
 * it goes, a checkpoint after every iteration, summary.json last; finished seeds skipped,
 * unfinished ones resumed).
 */
export async function runDialsSeedJob(
  job: SeedJob,
  algorithm: LoopAlgorithm,
  onProgress?: (progress: RunProgress) => void,
): Promise<SeedJobResult> {
  if (job.backend) await initBackend(job.backend as never, { log: false });
  const paths = seedPaths(job.suiteDirectory, job.experiment, job.seed);
  const configFile: SeedConfigFile = {
    format: RESULTS_FORMAT,
    suite: job.suiteName,
    experiment: job.experiment,
    seed: job.seed,
    runConfig: runConfigOf(job.experiment, job.seed),
  };
  const status = inspectSeed(paths, configFile);
  if (status === "finished") {
    return { ...job, summary: readOwnJson<SeedSummaryFile>(paths.summary), outcome: "skipped" };
  }
  mkdirSync(join(paths.directory, "checkpoints"), { recursive: true });
  if (status === "new") writeJsonAtomic(paths.config, configFile);
  const resume = existsSync(paths.checkpoint);
  if (!resume) rmSync(paths.metrics, { force: true });
  const started = performance.now();
  const { steps, evalEvery } = job.experiment.run;
  const config = {
    ...(algorithm.parseConfig(job.experiment.algorithm.config) as object),
    variant: algorithm.variant,
    totalSteps: steps,
    evalEvery: evalEvery > 0 ? evalEvery : steps,
  };
  const summary = await runDials({
    environment: job.experiment.env,
    config,
    seed: job.seed,
    checkpointPath: paths.checkpoint,
    resume,
    onIteration: (record) => {
      appendFileSync(paths.metrics, metricLines(record));
      onProgress?.({
        envSteps: record.step,
        totalEnvSteps: steps,
        episodes: 0,
        lastEpisodeReturn: record.evaluationReturn ?? record.trainingReturn ?? Number.NaN,
        envStepsPerSecond: record.agentSteps / Math.max(1e-9, record.seconds["local-training"]),
      });
    },
  });
  // the checkpoint holds every iteration: rewrite the metrics from it (a resumed run's file is whole)
  writeFileAtomic(paths.metrics, summary.iterations.map(metricLines).join(""));
  const trainingReturns = summary.iterations.flatMap((r) =>
    r.trainingReturn === undefined ? [] : [r.trainingReturn],
  );
  const file: DialsSeedSummaryFile = {
    format: RESULTS_FORMAT,
    envSteps: steps,
    episodes: 0,
    meanEpisodeReturn: finiteOrNull(
      trainingReturns.length > 0
        ? trainingReturns.reduce((a, b) => a + b, 0) / trainingReturns.length
        : Number.NaN,
    ),
    lastEvaluationReturn: finiteOrNull(summary.finalReturn),
    seconds: (performance.now() - started) / 1000,
    envStepsPerSecond: (steps * summary.numAgents) / Math.max(1e-9, (performance.now() - started) / 1000),
    finishedAt: new Date().toISOString(),
    dials: summary,
  };
  writeJsonAtomic(paths.summary, file);
  return { ...job, summary: file, outcome: resume ? "resumed" : "ran" };
}
