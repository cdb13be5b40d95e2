import { createRng } from "@netmarl/envs";
import {
  CsvMetricsSink,
  JsonlMetricsSink,
  type MetricsSink,
  Runner,
  type RunSummary,
} from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";

/** Options of `netmarl-bench train`. */
export interface TrainOnceOptions {
  algorithmId: string;
  envId: string;
  steps: number;
  seed: number;
  agents?: number;
  /** Algorithm config (its defaults fill the rest). */
  config?: Record<string, unknown>;
  evalEpisodes: number;
  /** Write every metric record to this file: `.csv` (long form) or `.jsonl`. */
  metricsPath?: string;
  onProgress?: (envSteps: number, total: number) => void;
}

export interface TrainOnceResult extends RunSummary {
  algorithm: string;
  envId: string;
  agents: number;
  seed: number;
}

/** Trains one algorithm on one environment for `steps` and evaluates greedily at the end. */
export function trainOnce(options: TrainOnceOptions): TrainOnceResult {
  const environment = findEnvironment(options.envId);
  const algorithm = findAlgorithm(options.algorithmId);
  algorithm.parseConfig(options.config ?? {}); // refuse a bad config before building anything
  const size = { agents: options.agents };
  const sinks = options.metricsPath === undefined ? [] : [metricsSink(options.metricsPath)];
  const runner = new Runner({
    createEnv: (rng) => environment.create({}, size, rng),
    createLearner: (spec, rng) => algorithm.create(spec, options.config ?? {}, rng),
    config: {
      totalEnvSteps: options.steps,
      seed: options.seed,
      evalEvery: options.steps,
      evalEpisodes: options.evalEpisodes,
    },
    sinks,
    onProgress: (progress) => options.onProgress?.(progress.envSteps, progress.totalEnvSteps),
  });
  const summary = runner.run();
  runner.learner.dispose();
  for (const sink of sinks) sink.close();
  return {
    algorithm: options.algorithmId,
    envId: options.envId,
    agents: environment.create({}, size, createRng(0)).spec.numAgents,
    seed: options.seed,
    ...summary,
  };
}

/** The sink for `--metrics`, chosen by the file's extension. */
function metricsSink(path: string): MetricsSink {
  if (path.endsWith(".csv")) return new CsvMetricsSink(path);
  if (path.endsWith(".jsonl")) return new JsonlMetricsSink(path);
  throw new RangeError(`--metrics ${path}: expected a file ending in .csv or .jsonl`);
}
