import { Aloha, CooperativeNavigation, createRng, Jungle, SignalControlEnv } from "@netmarl/envs";
import type { ReplayFamily } from "@netmarl/envs/replay";
import { type RecordedPolicy, recordRealEpisode } from "./record-real-episode.js";
import { syntheticGraphReplay } from "./synthetic-graph-replay.js";
import { writeReplayFile } from "./write-replay.js";

/** One small recorded episode of a real environment per family, seeded: what the browser tests open. */
export function recordFamilyReplay(
  family: ReplayFamily,
  path: string,
  policy: RecordedPolicy,
  envSeed = 3,
): void {
  switch (family) {
    case "traffic":
      recordRealEpisode(
        new SignalControlEnv({ grid: "3x3", episodeSeconds: 400, decisionSeconds: 10 }),
        path,
        {
          envSeed,
          policy,
        },
      );
      return;
    case "mpe":
      recordRealEpisode(new CooperativeNavigation({ numAgents: 8, maxSteps: 25 }), path, { envSeed, policy });
      return;
    case "grid":
      recordRealEpisode(new Jungle({ mapSize: 12, numAgents: 6, numFood: 4, maxSteps: 30 }), path, {
        envSeed,
        policy,
      });
      return;
    case "graph":
      recordRealEpisode(new Aloha({ numAgents: 10, maxSteps: 30 }), path, { envSeed, policy });
      return;
  }
}

/**
 * A synthetic graph game (two episodes) with a directed, weighted overlay — no env records one by
 * itself; the bench adds LToS sharing weights and BN-DAG parents as `RecordEpisode` overlays.
 */
export function writeSyntheticGraphReplay(path: string, seed: number): void {
  writeReplayFile(path, syntheticGraphReplay({ rows: 3, columns: 4, frames: 20, rng: createRng(seed) }));
}
