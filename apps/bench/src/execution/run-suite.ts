import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createRng } from "@netmarl/envs";
import type { RunProgress } from "@netmarl/trainers";
import { collectMachineInfo, type MachineInfo } from "../commands/machine-info.js";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { findLoopAlgorithm } from "../registry/loop-algorithms.js";
import {
  claimSuiteDirectory,
  RESULTS_FORMAT,
  readOwnJson,
  writeJsonAtomic,
} from "../results/result-store.js";
import { experimentFolder, parseSuite, type Suite } from "../suites/experiment-schema.js";
import { runSeedJob, type SeedJob, type SeedJobResult } from "./run-seed-job.js";
import { runJobsInWorkers } from "./worker-pool.js";

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  /** Folder that receives `<suite>/…`. */
  outDirectory: string;
  /** Worker threads; 1 runs in this process. Ignored with `queue`. */
  workers: number;
  /** Redis URL: enqueue the seeds for `bench worker` processes instead of running them here. */
  queue?: string;
  backend?: string;
  /** Replace every experiment's seeds. */
  seeds?: number[];
  /** Replace every experiment's step budget. */
  steps?: number;
  onJobProgress?: (job: SeedJob, progress: RunProgress) => void;
  onJobDone?: (result: SeedJobResult) => void;
  /** Queue warnings (Redis unreachable, still waiting). */
  onWarning?: (line: string) => void;
}

/** `manifest.json` of a suite folder. */
export interface SuiteManifest {
  format: typeof RESULTS_FORMAT;
  suite: Suite;
  commit: string;
  machine: MachineInfo;
  startedAt: string;
  updatedAt: string;
  /** Wall-clock seconds of the last `run` that touched this folder. */
  wallSeconds: number;
  seeds: { folder: string; seed: number; outcome: SeedJobResult["outcome"] }[];
}

/**
 * Applies CLI overrides and re-validates. A `steps` override scales the evaluation and checkpoint
 * intervals with the budget, so a shortened run is evaluated as often as the full one (an interval
 * longer than the run would leave it with no evaluation at all).
 */
export function effectiveSuite(suite: Suite, options: Pick<RunSuiteOptions, "seeds" | "steps">): Suite {
  return parseSuite({
    ...suite,
    experiments: suite.experiments.map((experiment) => ({
      ...experiment,
      seeds: options.seeds ?? experiment.seeds,
      run: options.steps === undefined ? experiment.run : scaleRun(experiment.run, options.steps),
    })),
  });
}

function scaleRun(run: Suite["experiments"][number]["run"], steps: number) {
  const scale = (every: number | undefined) =>
    every === undefined || every === 0 ? every : Math.max(1, Math.round((every * steps) / run.steps));
  return { ...run, steps, evalEvery: scale(run.evalEvery), checkpointEvery: scale(run.checkpointEvery) };
}

/**
 * Checks every experiment before any job starts — ids, algorithm config, environment options (by
 * building the environment once) — so a typo in the last experiment cannot fail a long suite
 * halfway. Errors name the suite, the experiment and the field.
 */
export function validateExperiments(suite: Suite): void {
  suite.experiments.forEach((experiment, index) => {
    try {
      const environment = findEnvironment(experiment.env.id);
      const algorithm = findLoopAlgorithm(experiment.algorithm.id) ?? findAlgorithm(experiment.algorithm.id);
      algorithm.parseConfig(experiment.algorithm.config);
      environment.create(experiment.env.options, {}, createRng(0));
    } catch (error) {
      throw new RangeError(
        `suite ${suite.name}: experiments.${index} (${experimentFolder(experiment)}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
}

/**
 * Runs every seed of every experiment of a suite into `<out>/<suite>/…`, skipping finished seeds and
 * resuming unfinished ones; writes the manifest before and after.
 */
export async function runSuite(
  input: Suite,
  options: RunSuiteOptions,
): Promise<{ manifest: SuiteManifest; results: SeedJobResult[] }> {
  const suite = effectiveSuite(input, options);
  validateExperiments(suite);
  const suiteDirectory = join(options.outDirectory, suite.name);
  claimSuiteDirectory(suiteDirectory, suite.name);
  const manifestPath = join(suiteDirectory, "manifest.json");
  const previous = existsSync(manifestPath) ? readOwnJson<SuiteManifest>(manifestPath) : undefined;
  const started = performance.now();
  const machine = await collectMachineInfo(options.backend);
  const manifest: SuiteManifest = {
    format: RESULTS_FORMAT,
    suite,
    commit: currentCommit(),
    machine,
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    wallSeconds: 0,
    seeds: [],
  };
  writeJsonAtomic(manifestPath, manifest);

  const jobs: SeedJob[] = suite.experiments.flatMap((experiment) =>
    experiment.seeds.map((seed) => ({
      suiteName: suite.name,
      suiteDirectory,
      experiment,
      seed,
      backend: options.backend ?? machine.backend,
      ...(suite.recordReplays && seed === experiment.seeds[0] ? { recordReplay: true } : {}),
    })),
  );
  let results: SeedJobResult[];
  if (options.queue !== undefined) {
    const { runJobsOnQueue } = await import("../queue/run-jobs-on-queue.js");
    results = await runJobsOnQueue(jobs, {
      url: options.queue,
      // this machine's default backend says nothing about the workers'
      backend: options.backend,
      onProgress: options.onJobProgress,
      onDone: options.onJobDone,
      onWarning: options.onWarning,
    });
  } else if (options.workers <= 1) {
    results = [];
    for (const job of jobs) {
      const result = await runSeedJob(job, (progress) => options.onJobProgress?.(job, progress));
      options.onJobDone?.(result);
      results.push(result);
    }
  } else {
    results = await runJobsInWorkers(
      jobs,
      options.workers,
      (index, progress) => options.onJobProgress?.(jobs[index], progress),
      (_index, result) => options.onJobDone?.(result),
    );
  }
  manifest.updatedAt = new Date().toISOString();
  manifest.wallSeconds = (performance.now() - started) / 1000;
  manifest.seeds = results.map((result) => ({
    folder: experimentFolder(result.experiment),
    seed: result.seed,
    outcome: result.outcome,
  }));
  writeJsonAtomic(manifestPath, manifest);
  return { manifest, results };
}

function currentCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}
