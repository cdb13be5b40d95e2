import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunConfig, RunSummary } from "@netmarl/trainers";
import { writeFileAtomic } from "@netmarl/trainers";
import { type Experiment, experimentFolder } from "../suites/experiment-schema.js";

/** Marks every file NetMARL's bench writes, so foreign folders are never mistaken for ours. */
export const RESULTS_FORMAT = "netmarl-results";

/** Where one seed of one experiment keeps its files. */
export interface SeedPaths {
  directory: string;
  config: string;
  metrics: string;
  summary: string;
  checkpoint: string;
  /** The final policy's recorded episode (suites with `recordReplays`). */
  replay: string;
}

/** File name of a seed's replay (`docs/replay-format.md`). */
export const REPLAY_FILE = "replay.ndjson.gz";

/** `config.json` of a seed: what produced the folder, stored verbatim. */
export interface SeedConfigFile {
  format: typeof RESULTS_FORMAT;
  suite: string;
  experiment: Experiment;
  seed: number;
  runConfig: RunConfig;
}

/**
 * `summary.json` of a finished seed. A return that was never measured (no finished episode, no
 * evaluation; NaN in the `RunSummary`) is stored as `null`, which is what JSON makes of NaN anyway.
 */
export interface SeedSummaryFile
  extends Omit<RunSummary, "meanEpisodeReturn" | "lastEvaluationReturn"> {
  format: typeof RESULTS_FORMAT;
  meanEpisodeReturn: number | null;
  lastEvaluationReturn: number | null;
  finishedAt: string;
}

export type SeedStatus = "new" | "unfinished" | "finished";

/** Thrown for a results folder that is not ours, is corrupted, or was made with another config. */
export class ResultStoreError extends Error {
  override name = "ResultStoreError";
}

export function seedPaths(suiteDirectory: string, experiment: Experiment, seed: number): SeedPaths {
  const directory = join(suiteDirectory, experimentFolder(experiment), `seed-${seed}`);
  return {
    directory,
    config: join(directory, "config.json"),
    metrics: join(directory, "metrics.jsonl"),
    summary: join(directory, "summary.json"),
    checkpoint: join(directory, "checkpoints", "checkpoint.bin"),
    replay: join(directory, REPLAY_FILE),
  };
}

/** Writes JSON atomically (temp file + rename), creating the folder. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a JSON file of ours, refusing corrupted or foreign content with the path in the message. */
export function readOwnJson<T>(path: string): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ResultStoreError(`${path} is corrupted (not valid JSON: ${(error as Error).message}); refusing to touch it`);
  }
  if ((value as { format?: unknown })?.format !== RESULTS_FORMAT) {
    throw new ResultStoreError(`${path} was not written by netmarl-bench (no "format": "${RESULTS_FORMAT}"); refusing to touch it`);
  }
  return value as T;
}

/**
 * The state of a seed folder: `finished` (summary written), `unfinished` (config written, maybe a
 * checkpoint) or `new`. A folder made with a different config, or not made by us, is refused.
 */
export function inspectSeed(paths: SeedPaths, expected: SeedConfigFile): SeedStatus {
  if (!existsSync(paths.directory)) return "new";
  if (!existsSync(paths.config)) {
    if (readdirSync(paths.directory).length === 0) return "new";
    throw new ResultStoreError(`${paths.directory} holds files but no config.json: not a netmarl-bench seed folder`);
  }
  const stored = readOwnJson<SeedConfigFile>(paths.config);
  if (canonical(stored) !== canonical(expected)) {
    throw new ResultStoreError(
      `${paths.directory} was made with a different experiment or run config; use another --out folder or remove it`,
    );
  }
  if (existsSync(paths.summary)) {
    readOwnJson<SeedSummaryFile>(paths.summary);
    return "finished";
  }
  return "unfinished";
}

/**
 * Makes sure `suiteDirectory` is ours or new: a non-empty folder without our manifest, or whose
 * manifest names another suite, is refused rather than overwritten.
 */
export function claimSuiteDirectory(suiteDirectory: string, suiteName: string): void {
  const manifest = join(suiteDirectory, "manifest.json");
  if (existsSync(suiteDirectory) && readdirSync(suiteDirectory).length > 0) {
    if (!existsSync(manifest)) {
      throw new ResultStoreError(`${suiteDirectory} is not empty and has no manifest.json: not a netmarl-bench results folder`);
    }
    const stored = readOwnJson<{ suite: { name: string } }>(manifest);
    if (stored.suite?.name !== suiteName) {
      throw new ResultStoreError(`${suiteDirectory} holds results of suite "${stored.suite?.name}", not "${suiteName}"`);
    }
  }
  mkdirSync(suiteDirectory, { recursive: true });
}

/** JSON with sorted keys, for comparing configs regardless of key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
