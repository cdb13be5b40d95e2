import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { createRng, type MultiAgentEnv, RecordCityFlowReplay } from "@netmarl/envs";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { recordGreedyEpisodes } from "./record-greedy-episodes.js";
import { loadSavedLearner, readSavedPolicy } from "./saved-policy.js";

/** Options of `netmarl-bench record`. */
export interface RecordReplayOptions {
  algorithmId: string;
  envId: string;
  /** A folder written by `train --save`: its learner acts (algorithm and env must match it). */
  policyDirectory?: string;
  episodes: number;
  /** Seeds the environment, the learner's initial weights and the episodes. */
  seed: number;
  /** The replay file (`.gz` → gzip); refused when it exists. */
  outPath: string;
  /** A frame every this many env steps (and the last). */
  recordEvery: number;
  agents?: number;
  /** Algorithm config (without --policy; a saved policy brings its own). */
  config?: Record<string, unknown>;
  /** Environment options (without --policy; a saved policy brings its own). */
  envOptions?: Record<string, unknown>;
  /** Traffic only: also write CityFlow's roadnet log and replay log beside `outPath`. */
  cityflow?: boolean;
  /** Store every frame's observations (the viewer's hover summary); larger files. */
  observations?: boolean;
}

export interface RecordReplayResult {
  path: string;
  algorithm: string;
  envId: string;
  seed: number;
  /** The saved policy's folder, or undefined for a freshly built learner. */
  policy?: string;
  steps: number[];
  meanReturns: number[];
  cityflowFiles?: { roadnetLogFile: string; replayLogFile: string };
}

/**
 * Records greedy episodes of a policy. With `policyDirectory`, the learner saved by `train --save`
 * (rebuilt as `evaluate` does); without, the algorithm's freshly built learner seeded by `seed` —
 * `random` plays uniform random actions, `fixed-policy` its fixed action, a learning algorithm its
 * untrained initial policy.
 */
export function recordReplay(options: RecordReplayOptions): RecordReplayResult {
  const saved = options.policyDirectory === undefined ? undefined : readSavedPolicy(options.policyDirectory);
  const environment = saved?.environment ?? findEnvironment(options.envId);
  const algorithm = saved?.algorithm ?? findAlgorithm(options.algorithmId);
  if (saved !== undefined) {
    if (
      findAlgorithm(options.algorithmId).id !== algorithm.id ||
      findEnvironment(options.envId).id !== environment.id
    ) {
      throw new RangeError(
        `--policy ${saved.directory} holds ${algorithm.id} on ${environment.id}, not ${options.algorithmId} on ${options.envId}`,
      );
    }
    if (options.config !== undefined || options.envOptions !== undefined || options.agents !== undefined) {
      throw new RangeError(
        "--config, --env-options and --agents cannot be combined with --policy (the saved policy brings its own)",
      );
    }
  }
  if (existsSync(options.outPath)) {
    throw new RangeError(`--out ${options.outPath} already exists; remove it or choose another file`);
  }
  const envOptions = saved?.file.env.options ?? {
    ...options.envOptions,
    ...(options.agents === undefined ? {} : { numAgents: options.agents }),
  };
  const config = saved?.file.algorithm.config ?? algorithm.parseConfig(options.config ?? {});
  // The runner's stream order: environment, learner, then the episodes.
  const root = createRng(options.seed);
  const env = environment.create(envOptions, {}, root.fork("env"));
  const learner = algorithm.create(env.spec, config, root.fork("learner"));
  const cityflowFiles = options.cityflow ? cityflowFilesBeside(options.outPath) : undefined;
  let episodesDone = 0;
  try {
    if (saved !== undefined) loadSavedLearner(saved, learner);
    mkdirSync(dirname(options.outPath), { recursive: true });
    const recorded = recordGreedyEpisodes(env, learner, {
      episodes: options.episodes,
      seeds: root.fork("evaluation"),
      recorder: {
        path: options.outPath,
        recordEvery: options.recordEvery,
        recordObservations: options.observations === true,
        envId: environment.id,
        policy: { algorithm: algorithm.id, ...(saved ? { label: saved.directory } : { label: "untrained" }) },
        createdBy: "netmarl-bench record",
      },
      wrap: cityflowFiles
        ? (inner: MultiAgentEnv) => new RecordCityFlowReplay(inner, cityflowFiles)
        : undefined,
      onEpisode: () => episodesDone++,
    });
    return {
      path: options.outPath,
      algorithm: algorithm.id,
      envId: environment.id,
      seed: options.seed,
      ...(saved ? { policy: saved.directory } : {}),
      ...recorded,
      ...(cityflowFiles ? { cityflowFiles } : {}),
    };
  } catch (error) {
    // A run that failed before its first whole episode leaves nothing worth keeping, and a stale
    // file would make the corrected re-run refuse; later failures keep the complete episodes.
    if (episodesDone === 0) {
      for (const path of [options.outPath, ...Object.values(cityflowFiles ?? {})])
        rmSync(path, { force: true });
    }
    throw error;
  } finally {
    learner.dispose();
  }
}

/** `run.ndjson.gz` → `run.roadnet-log.json` and `run.replay.txt`. */
function cityflowFilesBeside(path: string): { roadnetLogFile: string; replayLogFile: string } {
  const base = path.replace(/\.ndjson(\.gz)?$|\.gz$/, "");
  return { roadnetLogFile: `${base}.roadnet-log.json`, replayLogFile: `${base}.replay.txt` };
}
