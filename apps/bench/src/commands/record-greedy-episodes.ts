import {
  isEpisodeOver,
  type MultiAgentEnv,
  RecordEpisode,
  type RecordEpisodeOptions,
  type Rng,
} from "@netmarl/envs";
import type { Learner } from "@netmarl/trainers";
import { learnerOverlays } from "./learner-overlays.js";

export interface RecordedEpisodes {
  /** Env steps played in each episode. */
  steps: number[];
  /** Mean over agents of each episode's undiscounted return (the team return for a shared reward). */
  meanReturns: number[];
}

/**
 * Plays `episodes` greedy episodes of `learner` (as `Runner.evaluate` does: `explore: false`,
 * `episodeStart` on each first step) on `env` wrapped in `RecordEpisode` (with the learner's
 * overlay graphs, `learnerOverlays`), seeded from `seeds`, and closes the replay. The learner is neither trained nor disposed here.
 */
export function recordGreedyEpisodes(
  env: MultiAgentEnv,
  learner: Learner,
  options: {
    episodes: number;
    seeds: Rng;
    recorder: RecordEpisodeOptions;
    wrap?: (env: MultiAgentEnv) => MultiAgentEnv;
    /** Called after each whole episode (its `episode-end` record is written). */
    onEpisode?: (episode: number) => void;
  },
): RecordedEpisodes {
  const recorded = new RecordEpisode(env, { overlays: learnerOverlays(learner), ...options.recorder });
  const played = options.wrap ? options.wrap(recorded) : recorded;
  const result: RecordedEpisodes = { steps: [], meanReturns: [] };
  try {
    for (let episode = 0; episode < options.episodes; episode++) {
      let current = played.reset(options.seeds.nextSeed());
      let total = 0;
      let steps = 0;
      for (;;) {
        const step = played.step(
          learner.act(current.obs, played.graph(), { explore: false, episodeStart: steps === 0 }),
        );
        steps++;
        let sum = 0;
        for (let i = 0; i < step.rewards.length; i++) sum += step.rewards[i];
        total += sum / step.rewards.length;
        if (isEpisodeOver(step)) break;
        current = step;
      }
      result.steps.push(steps);
      result.meanReturns.push(total);
      options.onEpisode?.(episode);
    }
  } finally {
    played.close?.();
  }
  return result;
}
