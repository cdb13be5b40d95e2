import type { ReplayScene, ReplayState } from "./replay-format.js";

/**
 * What `RecordEpisode` asks of an environment: its static scene (once), its current state (per
 * recorded frame) and the options it was built with. Each method only reads — recording must not
 * change an episode — and returns packed copies, so later steps cannot rewrite a written frame.
 */
export interface ReplayableEnv {
  /** The static scene; called after the first `reset`. */
  replayScene(): ReplayScene;
  /** The state after the last `reset`/`step`, in the scene's family. */
  replayState(): ReplayState;
  /** The options after defaults, stored in the header for reproduction. */
  replayOptions(): Record<string, unknown>;
}

export function isReplayableEnv(env: unknown): env is ReplayableEnv {
  const candidate = env as Partial<ReplayableEnv> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.replayScene === "function" &&
    typeof candidate.replayState === "function" &&
    typeof candidate.replayOptions === "function"
  );
}
