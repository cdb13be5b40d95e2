import { existsSync } from "node:fs";
import { join } from "node:path";
import { type LearnerState, Runner, readStateFile } from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { readOwnJson } from "../results/result-store.js";
import type { SavedPolicyFile } from "./train-once.js";

export interface EvaluationResult {
  algorithm: string;
  envId: string;
  episodes: number;
  seed: number;
  /** Mean team return of the greedy episodes. */
  meanReturn: number;
}

/**
 * Rebuilds the learner saved by `train --save` in `directory`, loads its state and plays `episodes`
 * greedy episodes on a fresh environment seeded from `seed`.
 */
export function evaluateSavedPolicy(
  directory: string,
  options: { episodes: number; seed: number },
): EvaluationResult {
  const policyPath = join(directory, "policy.json");
  if (!existsSync(policyPath)) {
    throw new RangeError(
      `${directory} has no policy.json: save a policy with \`train … --save ${directory}\``,
    );
  }
  const saved = readOwnJson<SavedPolicyFile>(policyPath);
  const environment = findEnvironment(saved.env.id);
  const algorithm = findAlgorithm(saved.algorithm.id);
  const runner = new Runner({
    createEnv: (rng) => environment.create(saved.env.options, {}, rng),
    createLearner: (spec, rng) => algorithm.create(spec, saved.algorithm.config, rng),
    config: { totalEnvSteps: 1, seed: options.seed, evalEpisodes: options.episodes },
  });
  try {
    runner.learner.load(
      readStateFile(join(directory, saved.learnerState), `saved policy ${directory}`) as LearnerState,
    );
    return {
      algorithm: algorithm.id,
      envId: environment.id,
      episodes: options.episodes,
      seed: options.seed,
      meanReturn: runner.evaluate(0),
    };
  } finally {
    runner.learner.dispose();
  }
}
