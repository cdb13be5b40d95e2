import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Learner } from "@netmarl/trainers";
import { MemoryMetricsSink, Runner } from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { findEnvironment } from "../registry/environments.js";
import { runPythonReference } from "./python-reference.js";

/** One row of `netmarl-bench train-speed`. */
export interface TrainSpeedResult {
  algorithm: string;
  envId: string;
  agents: number;
  steps: number;
  /** Environment steps per second of the whole loop: act, step, observe, update. */
  envStepsPerSecond: number;
  /** Updates that did learning work (returned metrics). */
  updates: number;
  /** Those updates per second of time spent inside `update()`. */
  updatesPerSecond: number;
  /** Seconds of each of those updates, in order (the first carries the run's warm-up). */
  blockSeconds: number[];
  /** Their median, compared with the reference's median block. */
  medianBlockSeconds: number;
  seconds: number;
  /** The original code's update block timed in this run (`reference`), maddpg / maddpgs / pic only. */
  reference?: PicReferenceTiming & { ratio: number; wholeLoop: WholeLoopBound };
}

/**
 * The whole training loop (act + env step + store, and an update block every `updateEvery` steps)
 * in steady state, NetMARL against the original. The original's acting part is not timed (its MPE
 * needs numba's removed `jitclass` and the `bridson` package, neither installable here), so it is
 * counted as free: `originalAtMost` is an upper bound on the original loop's speed and
 * `ratioAtLeast` = NetMARL / that bound a lower bound on the true ratio.
 */
export interface WholeLoopBound {
  /** NetMARL's steps per update block (its config's `updateEvery`; the original always runs 100). */
  updateEvery: number;
  /** NetMARL, env steps/s: updateEvery / (block + updateEvery × acting seconds per step), both measured. */
  netmarl: number;
  /** The original, env steps/s if its acting cost nothing: updateEvery / its block. */
  originalAtMost: number;
  ratioAtLeast: number;
}

/** What apps/bench/reference/pic_update_block.py prints. */
export interface PicReferenceTiming {
  secondsPerBlock: number;
  blockSeconds: number[];
  torch: string;
  threads: number;
  blas: string;
}

/** The PIC critic and shuffle mode that reproduce each of NetMARL's PIC-family learners. */
const PIC_REFERENCE_MODES: Record<string, { critic: "mlp" | "gcn_max"; shuffle: "shuffle" | null }> = {
  maddpg: { critic: "mlp", shuffle: null },
  maddpgs: { critic: "mlp", shuffle: "shuffle" },
  pic: { critic: "gcn_max", shuffle: null },
};

/**
 * Times `blocks` update blocks of the original PIC code (a checkout's `maddpg/` folder at
 * `picSource`) on the shapes of `spec`, in PyTorch, now — for a ratio measured in the same run.
 */
export function measurePicReference(
  algorithmId: string,
  spec: { numAgents: number; obsDim: number; numActions: number },
  picSource: string,
  blocks: number,
): PicReferenceTiming {
  const mode = PIC_REFERENCE_MODES[algorithmId];
  if (mode === undefined) {
    throw new Error(
      `--reference: the original code's update block exists for ${Object.keys(PIC_REFERENCE_MODES).join(", ")}; not for "${algorithmId}"`,
    );
  }
  if (!existsSync(join(picSource, "ddpg_vec.py"))) {
    throw new Error(
      `--pic-source: "${picSource}" holds no ddpg_vec.py; expected the maddpg/ folder of a checkout of github.com/IouJenLiu/PIC`,
    );
  }
  return runPythonReference<PicReferenceTiming>("pic_update_block.py", {
    picSource,
    ...spec,
    ...mode,
    blocks,
    replay: 5_000,
    seed: 0,
  });
}

/**
 * Times the training loop of one algorithm on one environment with its default config: the loop's
 * throughput, and separately the learner's `update()` calls, so acting and learning costs show.
 */
export function measureTrainSpeed(options: {
  algorithmId: string;
  envId: string;
  envOptions?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Number of agents, for environments that take one. */
  agents?: number;
  steps: number;
  seed?: number;
  /** The `maddpg/` folder of a PIC checkout: also time the original code's update block (PyTorch). */
  picSource?: string;
}): TrainSpeedResult {
  const environment = findEnvironment(options.envId);
  const algorithm = findAlgorithm(options.algorithmId);
  const blockSeconds: number[] = [];
  const sink = new MemoryMetricsSink();
  const runner = new Runner({
    createEnv: (rng) => environment.create(options.envOptions ?? {}, { agents: options.agents }, rng),
    createLearner: (spec, rng) =>
      timeUpdates(algorithm.create(spec, options.config ?? {}, rng), (s) => blockSeconds.push(s)),
    config: { totalEnvSteps: options.steps, seed: options.seed ?? 0 },
    sinks: [sink],
  });
  const summary = runner.run();
  runner.learner.dispose();
  const updates = sink.records.filter((record) => record.kind === "update").length;
  const { spec } = runner.env;
  const reference =
    options.picSource === undefined
      ? undefined
      : measurePicReference(
          options.algorithmId,
          {
            numAgents: spec.numAgents,
            obsDim: spec.obsDim,
            numActions: spec.actionSpace.kind === "discrete" ? spec.actionSpace.n : 0,
          },
          options.picSource,
          5,
        );
  const updateSeconds = blockSeconds.reduce((sum, s) => sum + s, 0);
  // The reference reports the median of its blocks after an untimed warm-up; the median of ours
  // is the same statistic (the warm-up block is one of several, not averaged in).
  const secondsPerBlock = updates > 0 ? median(blockSeconds) : Number.NaN;
  const actingSecondsPerStep = (summary.seconds - updateSeconds) / options.steps;
  return {
    algorithm: options.algorithmId,
    envId: options.envId,
    agents: runner.env.spec.numAgents,
    steps: options.steps,
    envStepsPerSecond: summary.envStepsPerSecond,
    updates,
    updatesPerSecond: updates > 0 ? updates / updateSeconds : 0,
    blockSeconds,
    medianBlockSeconds: secondsPerBlock,
    seconds: summary.seconds,
    ...(reference === undefined
      ? {}
      : {
          reference: {
            ...reference,
            ratio: reference.secondsPerBlock / secondsPerBlock,
            wholeLoop: wholeLoopBound(
              secondsPerBlock,
              actingSecondsPerStep,
              reference.secondsPerBlock,
              updateEveryOf(algorithm.parseConfig(options.config ?? {})),
            ),
          },
        }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** main_vec.py's `--steps_per_actor_update` / `--steps_per_critic_update` default, what the reference runs. */
const PIC_UPDATE_EVERY = 100;

function updateEveryOf(config: unknown): number {
  const value = (config as { updateEvery?: unknown }).updateEvery;
  return typeof value === "number" ? value : PIC_UPDATE_EVERY;
}

/** NetMARL's loop at its own `updateEvery`; the original's at main_vec.py's 100 steps per block. */
function wholeLoopBound(
  block: number,
  actingPerStep: number,
  originalBlock: number,
  updateEvery: number,
): WholeLoopBound {
  const netmarl = updateEvery / (block + updateEvery * actingPerStep);
  const originalAtMost = PIC_UPDATE_EVERY / originalBlock;
  return { updateEvery, netmarl, originalAtMost, ratioAtLeast: netmarl / originalAtMost };
}

function timeUpdates(learner: Learner, add: (seconds: number) => void): Learner {
  const update = learner.update.bind(learner);
  learner.update = () => {
    const started = performance.now();
    const metrics = update();
    if (Object.keys(metrics).length > 0) add((performance.now() - started) / 1000);
    return metrics;
  };
  return learner;
}
