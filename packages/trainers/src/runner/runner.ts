import {
  createRng,
  type EnvSpec,
  isEpisodeOver,
  type MultiAgentEnv,
  parseOptions,
  type Rng,
} from "@netmarl/envs";
import { z } from "zod";
import type { Learner, Metrics } from "../contracts/learner.js";
import type { MetricRecord, MetricsSink } from "../metrics/metrics-sink.js";

const runConfigSchema = z
  .object({
    /** Environment steps to run (one step moves all N agents). */
    totalEnvSteps: z.number().int().min(1),
    /** Root seed; the env, learner and evaluation streams are forked from it in that order. */
    seed: z.number().int().default(0),
    /** Call `learner.update()` every this many environment steps. */
    updateEvery: z.number().int().min(1).default(1),
  })
  .strict();

export type RunConfig = z.input<typeof runConfigSchema>;

/** Progress reported after every episode. */
export interface RunProgress {
  envSteps: number;
  totalEnvSteps: number;
  episodes: number;
  lastEpisodeReturn: number;
  envStepsPerSecond: number;
}

/** What {@link Runner.run} returns. */
export interface RunSummary {
  envSteps: number;
  episodes: number;
  /** Mean team return (mean over agents of the episode's summed rewards) of all finished episodes. */
  meanEpisodeReturn: number;
  seconds: number;
  envStepsPerSecond: number;
}

/** The three random streams of a run, always forked in this order from the root seed. */
export interface RunStreams {
  env: Rng;
  learner: Rng;
  evaluation: Rng;
}

export function forkRunStreams(seed: number): RunStreams {
  const root = createRng(seed);
  return { env: root.fork("env"), learner: root.fork("learner"), evaluation: root.fork("evaluation") };
}

/**
 * Runs a learner in an environment for a number of steps: act → step → observe → update, with an
 * episode record (`episode/return`, `episode/length`, `time/env-steps-per-second`) per finished
 * episode and an update record whenever `update()` returned metrics.
 */
export class Runner {
  readonly config: z.output<typeof runConfigSchema>;
  readonly env: MultiAgentEnv;
  readonly learner: Learner;
  private readonly streams: RunStreams;

  constructor(options: {
    /** Builds the environment from its random stream. */
    createEnv: (rng: Rng) => MultiAgentEnv;
    /** Builds the learner from the env spec and its random stream. */
    createLearner: (envSpec: EnvSpec, rng: Rng) => Learner;
    config: RunConfig;
    sinks?: MetricsSink[];
    onProgress?: (progress: RunProgress) => void;
  }) {
    this.config = parseOptions(runConfigSchema, options.config, "run config");
    this.streams = forkRunStreams(this.config.seed);
    this.env = options.createEnv(this.streams.env);
    this.learner = options.createLearner(this.env.spec, this.streams.learner);
    this.sinks = options.sinks ?? [];
    this.onProgress = options.onProgress;
  }

  private readonly sinks: MetricsSink[];
  private readonly onProgress: ((progress: RunProgress) => void) | undefined;

  run(): RunSummary {
    const { env, learner } = this;
    const spec = env.spec;
    const total = this.config.totalEnvSteps;
    const obsBefore = new Float32Array(spec.numAgents * spec.obsDim);
    const stateBefore = new Float32Array(spec.stateDim);
    let current = env.reset(this.streams.env.nextSeed());
    obsBefore.set(current.obs);
    if (current.state) stateBefore.set(current.state);

    const started = performance.now();
    let episodes = 0;
    let returnSum = 0;
    let episodeReturn = 0;
    let episodeLength = 0;
    let lastEpisodeReturn = Number.NaN;
    for (let envSteps = 1; envSteps <= total; envSteps++) {
      const graph = env.graph();
      const actions = learner.act(obsBefore, graph, { explore: true });
      const step = env.step(actions);
      learner.observe({
        obs: obsBefore,
        actions,
        rewards: step.rewards,
        nextObs: step.obs,
        terminated: step.terminated,
        truncated: step.truncated,
        state: current.state ? stateBefore : undefined,
        nextState: step.state,
        graph,
      });
      episodeReturn += mean(step.rewards);
      episodeLength++;
      if (envSteps % this.config.updateEvery === 0) this.emitUpdate(learner.update(), envSteps);

      if (isEpisodeOver(step)) {
        episodes++;
        returnSum += episodeReturn;
        lastEpisodeReturn = episodeReturn;
        const seconds = (performance.now() - started) / 1000;
        const rate = envSteps / Math.max(seconds, 1e-9);
        this.emit({
          kind: "episode",
          envSteps,
          episode: episodes,
          "episode/return": episodeReturn,
          "episode/length": episodeLength,
          "time/env-steps-per-second": rate,
        });
        this.onProgress?.({
          envSteps,
          totalEnvSteps: total,
          episodes,
          lastEpisodeReturn,
          envStepsPerSecond: rate,
        });
        episodeReturn = 0;
        episodeLength = 0;
        current = env.reset();
      } else {
        current = step;
      }
      obsBefore.set(current.obs);
      if (current.state) stateBefore.set(current.state);
    }
    const seconds = (performance.now() - started) / 1000;
    const summary: RunSummary = {
      envSteps: total,
      episodes,
      meanEpisodeReturn: episodes > 0 ? returnSum / episodes : Number.NaN,
      seconds,
      envStepsPerSecond: total / Math.max(seconds, 1e-9),
    };
    return summary;
  }

  private emitUpdate(metrics: Metrics, envSteps: number): void {
    const names = Object.keys(metrics);
    if (names.length === 0) return;
    for (const name of names) {
      if (!Number.isFinite(metrics[name])) {
        throw new Error(
          `Runner: update at env step ${envSteps} returned a non-finite ${name} = ${metrics[name]}`,
        );
      }
    }
    this.emit({ kind: "update", envSteps, ...metrics });
  }

  private emit(record: MetricRecord): void {
    for (const sink of this.sinks) sink.write(record);
  }
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
