import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRng } from "@netmarl/envs";
import {
  CsvMetricsSink,
  JsonlMetricsSink,
  type MetricsSink,
  Runner,
  type RunSummary,
  writeStateFile,
} from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { RESULTS_FORMAT, writeJsonAtomic } from "../results/result-store.js";

/** Options of `netmarl-bench train`. */
export interface TrainOnceOptions {
  algorithmId: string;
  envId: string;
  steps: number;
  seed: number;
  agents?: number;
  /** Algorithm config (its defaults fill the rest). */
  config?: Record<string, unknown>;
  /** The environment's own options (its defaults fill the rest); `agents` overrides `numAgents`. */
  envOptions?: Record<string, unknown>;
  evalEpisodes: number;
  /** Write every metric record to this new file: `.csv` (long form) or `.jsonl`. */
  metricsPath?: string;
  /** Save the trained policy into this folder (`policy.json` + `learner.bin`) for `evaluate`. */
  saveDirectory?: string;
  onProgress?: (envSteps: number, total: number) => void;
}

export interface TrainOnceResult extends RunSummary {
  algorithm: string;
  envId: string;
  agents: number;
  seed: number;
}

/** `policy.json` of a folder written by `train --save`: what `evaluate` needs to rebuild the learner. */
export interface SavedPolicyFile {
  format: typeof RESULTS_FORMAT;
  kind: "policy";
  algorithm: { id: string; config: Record<string, unknown> };
  env: { id: string; options: Record<string, unknown> };
  seed: number;
  envSteps: number;
  /** File (in the same folder) holding `learner.state()`. */
  learnerState: string;
}

/** Trains one algorithm on one environment for `steps` and evaluates greedily at the end. */
export function trainOnce(options: TrainOnceOptions): TrainOnceResult {
  const environment = findEnvironment(options.envId);
  const algorithm = findAlgorithm(options.algorithmId);
  const envOptions = {
    ...options.envOptions,
    ...(options.agents === undefined ? {} : { numAgents: options.agents }),
  };
  // Refuse a bad config or bad environment options before building anything, saying where to look.
  const config = withHint(
    () => algorithm.parseConfig(options.config ?? {}),
    `set it with --config; \`describe ${algorithm.id}\` lists the keys`,
  );
  const probe = withHint(
    () => environment.create(envOptions, {}, createRng(0)),
    `set environment options with --env-options; \`describe ${environment.id}\` lists them`,
  );
  if (options.metricsPath !== undefined && existsSync(options.metricsPath)) {
    throw new RangeError(
      `--metrics ${options.metricsPath} already exists; remove it or choose another file (metrics are never appended to an old run's)`,
    );
  }
  const sinks = options.metricsPath === undefined ? [] : [metricsSink(options.metricsPath)];
  const runner = new Runner({
    createEnv: (rng) => environment.create(envOptions, {}, rng),
    createLearner: (spec, rng) => algorithm.create(spec, config, rng),
    config: {
      totalEnvSteps: options.steps,
      seed: options.seed,
      evalEvery: options.steps,
      evalEpisodes: options.evalEpisodes,
    },
    sinks,
    onProgress: (progress) => options.onProgress?.(progress.envSteps, progress.totalEnvSteps),
  });
  try {
    const summary = runner.run();
    if (options.saveDirectory !== undefined) {
      mkdirSync(options.saveDirectory, { recursive: true });
      const file: SavedPolicyFile = {
        format: RESULTS_FORMAT,
        kind: "policy",
        algorithm: { id: algorithm.id, config: config as Record<string, unknown> },
        env: { id: environment.id, options: envOptions },
        seed: options.seed,
        envSteps: summary.envSteps,
        learnerState: "learner.bin",
      };
      writeStateFile(join(options.saveDirectory, file.learnerState), runner.learner.state());
      writeJsonAtomic(join(options.saveDirectory, "policy.json"), file);
    }
    return {
      algorithm: options.algorithmId,
      envId: environment.id,
      agents: probe.spec.numAgents,
      seed: options.seed,
      ...summary,
    };
  } finally {
    runner.learner.dispose();
    for (const sink of sinks) sink.close();
  }
}

/** Runs `build`; an error it throws gets `hint` appended (same class, so exit codes stay the same). */
function withHint<T>(build: () => T, hint: string): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (${hint})`;
    throw error;
  }
}

/** The sink for `--metrics`, chosen by the file's extension. */
function metricsSink(path: string): MetricsSink {
  if (path.endsWith(".csv")) return new CsvMetricsSink(path);
  if (path.endsWith(".jsonl")) return new JsonlMetricsSink(path);
  throw new RangeError(`--metrics ${path}: expected a file ending in .csv or .jsonl`);
}
