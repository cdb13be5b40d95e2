import { Runner } from "@netmarl/trainers";
import { loadSavedLearner, readSavedPolicy } from "./saved-policy.js";

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
  const saved = readSavedPolicy(directory);
  const { environment, algorithm, file } = saved;
  const runner = new Runner({
    createEnv: (rng) => environment.create(file.env.options, {}, rng),
    createLearner: (spec, rng) => algorithm.create(spec, file.algorithm.config, rng),
    config: { totalEnvSteps: 1, seed: options.seed, evalEpisodes: options.episodes },
  });
  try {
    loadSavedLearner(saved, runner.learner);
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
