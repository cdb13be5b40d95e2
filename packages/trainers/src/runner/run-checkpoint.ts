import { existsSync } from "node:fs";
import type { RngState } from "@netmarl/envs";
import type { LearnerState } from "../contracts/learner.js";
import { readStateFile, writeStateFile } from "../persistence/state-file.js";

export const CHECKPOINT_FORMAT = "netmarl-run-checkpoint";
/** 2: a binary state file (arrays as raw bytes), replacing version 1's JSON with base64 arrays. */
export const CHECKPOINT_VERSION = 2;

/** Everything a run needs to continue exactly as if it had never stopped. */
export interface RunCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** The run config the checkpoint was made with (the seed must match on resume). */
  seed: number;
  envSteps: number;
  episodes: number;
  returnSum: number;
  nextEvaluationAt: number;
  nextCheckpointAt: number;
  streams: { env: RngState; evaluation: RngState };
  learner: LearnerState;
}

export function saveRunCheckpoint(path: string, checkpoint: RunCheckpoint): void {
  writeStateFile(path, checkpoint);
}

/** Reads and checks a checkpoint; a missing, truncated or foreign file is refused with a clear error. */
export function loadRunCheckpoint(path: string): RunCheckpoint {
  if (!existsSync(path)) throw new Error(`Run checkpoint ${path} does not exist`);
  const parsed = readStateFile(path, `Run checkpoint ${path}`);
  const candidate = parsed as Partial<RunCheckpoint>;
  if (candidate?.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `Run checkpoint ${path}: format is ${JSON.stringify(candidate?.format)}; expected "${CHECKPOINT_FORMAT}"`,
    );
  }
  if (candidate.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `Run checkpoint ${path}: version ${candidate.version} is not supported (expected ${CHECKPOINT_VERSION})`,
    );
  }
  for (const field of [
    "envSteps",
    "episodes",
    "returnSum",
    "nextEvaluationAt",
    "nextCheckpointAt",
    "seed",
  ] as const) {
    if (typeof candidate[field] !== "number") throw new Error(`Run checkpoint ${path}: ${field} is missing`);
  }
  if (!candidate.streams?.env || !candidate.streams.evaluation || !candidate.learner) {
    throw new Error(`Run checkpoint ${path}: streams or learner state is missing`);
  }
  return candidate as RunCheckpoint;
}
