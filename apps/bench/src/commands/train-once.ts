import { createRng } from "@netmarl/envs";
import { Runner, type RunSummary } from "@netmarl/trainers";
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
  const runner = new Runner({
    createEnv: (rng) => environment.create({}, size, rng),
    createLearner: (spec, rng) => algorithm.create(spec, options.config ?? {}, rng),
    config: {
      totalEnvSteps: options.steps,
      seed: options.seed,
      evalEvery: options.steps,
      evalEpisodes: options.evalEpisodes,
    },
    onProgress: (progress) => options.onProgress?.(progress.envSteps, progress.totalEnvSteps),
  });
  const summary = runner.run();
  runner.learner.dispose();
  return {
    algorithm: options.algorithmId,
    envId: options.envId,
    agents: environment.create({}, size, createRng(0)).spec.numAgents,
    seed: options.seed,
    ...summary,
  };
}
