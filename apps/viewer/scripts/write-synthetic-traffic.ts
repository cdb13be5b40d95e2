/**
 * `node --conditions=@netmarl/source --import tsx scripts/write-synthetic-traffic.ts <out> [RxC]
 * [vehicles] [frames]`: writes a synthetic CityFlow-like traffic replay (test-fixtures, NOT an
 * engine run) for frame-rate runs, e.g. the 35 × 35 grid with 50 000 vehicles over the episode.
 */
import { resolve } from "node:path";
import { createRng, parseGridSize } from "@netmarl/envs";
import { syntheticTrafficReplay } from "../test-fixtures/synthetic-traffic-replay.js";
import { writeReplayFile } from "../test-fixtures/write-replay.js";

// pnpm passes a `--` through before the arguments.
const [out, grid = "35x35", vehicles = "50000", frames = "360"] = process.argv
  .slice(2)
  .filter((a) => a !== "--");
if (out === undefined) {
  process.stderr.write("usage: write-synthetic-traffic.ts <out.ndjson> [RxC] [vehicles] [frames]\n");
  process.exit(1);
}
const { rows, columns } = parseGridSize(grid);
const path = resolve(process.env.INIT_CWD ?? process.cwd(), out);
writeReplayFile(
  path,
  syntheticTrafficReplay({
    rows,
    columns,
    frames: Number(frames),
    vehicles: Number(vehicles),
    secondsPerFrame: 10,
    rng: createRng(0),
  }),
);
process.stdout.write(`wrote ${path}\n`);
