import { REPLAY_FORMAT, REPLAY_VERSION, type ReplayFamily, type ReplayHeader } from "@netmarl/envs/replay";

/** The header of a synthetic replay: it says so in `env` and `createdBy`. */
export function syntheticHeader(
  family: ReplayFamily,
  env: string,
  numAgents: number,
  obsDim: number,
  seed: number,
): ReplayHeader {
  return {
    kind: "header",
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    family,
    env: `synthetic/${env}`,
    envOptions: {},
    numAgents,
    obsDim,
    seed,
    policy: { algorithm: "synthetic" },
    recordEvery: 1,
    createdBy: "@netmarl/viewer test-fixtures (synthetic, not an environment run)",
  };
}
