import { createRng } from "@netmarl/envs";
import type { ReplayFamily, ReplayRecord } from "@netmarl/envs/replay";
import { syntheticGraphReplay } from "./synthetic-graph-replay.js";
import { syntheticGridReplay } from "./synthetic-grid-replay.js";
import { syntheticMpeReplay } from "./synthetic-mpe-replay.js";
import { syntheticTrafficReplay } from "./synthetic-traffic-replay.js";

/** One small synthetic replay per family, seeded, for the browser tests. */
export function smallSyntheticReplay(family: ReplayFamily, seed: number): Iterable<ReplayRecord> {
  const rng = createRng(seed);
  switch (family) {
    case "traffic":
      return syntheticTrafficReplay({
        rows: 4,
        columns: 4,
        frames: 40,
        vehicles: 600,
        secondsPerFrame: 10,
        rng,
      });
    case "mpe":
      return syntheticMpeReplay({ numAgents: 24, frames: 30, rng });
    case "grid":
      return syntheticGridReplay({ width: 16, height: 12, numAgents: 6, frames: 30, rng });
    case "graph":
      return syntheticGraphReplay({ rows: 3, columns: 4, frames: 20, rng });
  }
}
