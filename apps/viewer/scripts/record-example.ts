/**
 * Records one episode of a real env for frame-rate runs (`pnpm --filter @netmarl/viewer
 * record-example -- …`):
 *   traffic <out.ndjson> [RxC=35x35] [episodeSeconds=3600]  SignalControlEnv, fixed-time cycle (3 decisions per phase)
 *   mpe <out.ndjson> [agents=200] [steps=100]                cooperative navigation, seeded random actions
 * Env seed 0 in both.
 */
import { resolve } from "node:path";
import { CooperativeNavigation, SignalControlEnv } from "@netmarl/envs";
import { recordRealEpisode } from "../test-fixtures/record-real-episode.js";

// pnpm passes a `--` through before the arguments.
const [family, out, first, second] = process.argv.slice(2).filter((a) => a !== "--");
if ((family !== "traffic" && family !== "mpe") || out === undefined) {
  process.stderr.write(
    "usage: record-example.ts traffic|mpe <out.ndjson> [RxC|agents] [episodeSeconds|steps]\n",
  );
  process.exit(1);
}
const path = resolve(process.env.INIT_CWD ?? process.cwd(), out);
const started = performance.now();
const steps =
  family === "traffic"
    ? recordRealEpisode(
        new SignalControlEnv({
          grid: first ?? "35x35",
          episodeSeconds: Number(second ?? 3600),
          decisionSeconds: 10,
        }),
        path,
        { envSeed: 0, policy: { kind: "fixed-time", stepsPerPhase: 3 } },
      )
    : recordRealEpisode(
        new CooperativeNavigation({ numAgents: Number(first ?? 200), maxSteps: Number(second ?? 100) }),
        path,
        { envSeed: 0, policy: { kind: "random", seed: 0 } },
      );
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`wrote ${path} (${steps} steps in ${seconds} s)\n`);
