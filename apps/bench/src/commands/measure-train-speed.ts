import type { Learner } from "@netmarl/trainers";
import { MemoryMetricsSink, Runner } from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";

/** One row of `netmarl-bench train-speed`. */
export interface TrainSpeedResult {
  algorithm: string;
  envId: string;
  agents: number;
  steps: number;
  /** Environment steps per second of the whole loop: act, step, observe, update. */
  envStepsPerSecond: number;
  /** Updates that did learning work (returned metrics). */
  updates: number;
  /** Those updates per second of time spent inside `update()`. */
  updatesPerSecond: number;
  seconds: number;
}

/**
 * Times the training loop of one algorithm on one environment with its default config: the loop's
 * throughput, and separately the learner's `update()` calls, so acting and learning costs show.
 */
export function measureTrainSpeed(options: {
  algorithmId: string;
  envId: string;
  envOptions?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Number of agents, for environments that take one. */
  agents?: number;
  steps: number;
  seed?: number;
}): TrainSpeedResult {
  const environment = findEnvironment(options.envId);
  const algorithm = findAlgorithm(options.algorithmId);
  let updateSeconds = 0;
  const sink = new MemoryMetricsSink();
  const runner = new Runner({
    createEnv: (rng) => environment.create(options.envOptions ?? {}, { agents: options.agents }, rng),
    createLearner: (spec, rng) =>
      timeUpdates(algorithm.create(spec, options.config ?? {}, rng), (s) => (updateSeconds += s)),
    config: { totalEnvSteps: options.steps, seed: options.seed ?? 0 },
    sinks: [sink],
  });
  const summary = runner.run();
  runner.learner.dispose();
  const updates = sink.records.filter((record) => record.kind === "update").length;
  return {
    algorithm: options.algorithmId,
    envId: options.envId,
    agents: runner.env.spec.numAgents,
    steps: options.steps,
    envStepsPerSecond: summary.envStepsPerSecond,
    updates,
    updatesPerSecond: updates > 0 ? updates / updateSeconds : 0,
    seconds: summary.seconds,
  };
}

function timeUpdates(learner: Learner, add: (seconds: number) => void): Learner {
  const update = learner.update.bind(learner);
  learner.update = () => {
    const started = performance.now();
    const metrics = update();
    if (Object.keys(metrics).length > 0) add((performance.now() - started) / 1000);
    return metrics;
  };
  return learner;
}
