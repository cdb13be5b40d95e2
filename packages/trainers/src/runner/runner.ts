import {
  AgentGraphSnapshot,
  createRng,
  type EnvSpec,
  isEpisodeOver,
  type MultiAgentEnv,
  parseOptions,
  type Rng,
  Rng as RngClass,
} from "@netmarl/envs";
import { z } from "zod";
import type { Learner, Metrics } from "../contracts/learner.js";
import type { MetricRecord, MetricsSink } from "../metrics/metrics-sink.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  loadRunCheckpoint,
  type RunCheckpoint,
  saveRunCheckpoint,
} from "./run-checkpoint.js";

const runConfigSchema = z
  .object({
    /** Environment steps to run (one step moves all N agents). */
    totalEnvSteps: z.number().int().min(1),
    /** Root seed; the env, learner and evaluation streams are forked from it in that order. */
    seed: z.number().int().default(0),
    /** Call `learner.update()` every this many environment steps. */
    updateEvery: z.number().int().min(1).default(1),
    /** Evaluate (no exploration) every this many environment steps; 0 never. */
    evalEvery: z.number().int().min(0).default(0),
    /** Episodes per evaluation. */
    evalEpisodes: z.number().int().min(1).default(10),
    /** Write a checkpoint at the first episode end after every this many environment steps; 0 never. */
    checkpointEvery: z.number().int().min(0).default(0),
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
  /** Mean return of the last evaluation, NaN if none ran. */
  lastEvaluationReturn: number;
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

/** Sinks that can drop records past a step, so a resumed run does not repeat lines. */
interface TruncatableSink extends MetricsSink {
  truncateAfter(envSteps: number): void;
}

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  /** Builds an environment from a random stream (called for training and for evaluation). */
  createEnv: (rng: Rng) => MultiAgentEnv;
  /** Builds the learner from the env spec and its random stream. */
  createLearner: (envSpec: EnvSpec, rng: Rng) => Learner;
  config: RunConfig;
  sinks?: MetricsSink[];
  onProgress?: (progress: RunProgress) => void;
  /** Where checkpoints go (required when `checkpointEvery` > 0); replaced atomically each time. */
  checkpointPath?: string;
  /** Called after each checkpoint is written. */
  onCheckpoint?: (envSteps: number) => void;
}

/**
 * Runs a learner in an environment: act → step → observe → update. Each episode starts with a
 * reset seeded from the run's env stream, so a run resumed from a checkpoint (written at an
 * episode end) continues exactly as the uninterrupted run would.
 *
 * Records: `episode` (`episode/return` = mean over agents of summed rewards, `episode/length`,
 * `time/env-steps-per-second`), `update` (the learner's metrics; a non-finite one stops the run,
 * naming it, before any later checkpoint could be written) and `evaluation` (`evaluation/return`).
 */
export class Runner {
  readonly config: z.output<typeof runConfigSchema>;
  readonly env: MultiAgentEnv;
  readonly learner: Learner;
  private readonly streams: RunStreams;
  private readonly options: RunnerOptions;
  private evaluationEnv: MultiAgentEnv | undefined;

  constructor(options: RunnerOptions) {
    this.config = parseOptions(runConfigSchema, options.config, "run config");
    if (this.config.checkpointEvery > 0 && !options.checkpointPath) {
      throw new RangeError("run config: checkpointEvery > 0 needs a checkpointPath");
    }
    this.options = options;
    this.streams = forkRunStreams(this.config.seed);
    this.env = options.createEnv(this.streams.env.fork("construction"));
    this.learner = options.createLearner(this.env.spec, this.streams.learner);
  }

  /** Runs to `totalEnvSteps`, from the start or from `resumeFrom` (a checkpoint of this run). */
  run(options: { resumeFrom?: string } = {}): RunSummary {
    const { env, learner, config } = this;
    const spec = env.spec;
    const progress = this.restore(options.resumeFrom);
    const obsBefore = new Float32Array(spec.numAgents * spec.obsDim);
    const stateBefore = new Float32Array(spec.stateDim);
    // The env may rewrite a dynamic graph's arrays during step: act and observe see this copy.
    const graphBefore = new AgentGraphSnapshot();
    let hasState = false;
    let episodeStart = true;
    const startEpisode = () => {
      episodeStart = true;
      const first = env.reset(this.streams.env.nextSeed());
      obsBefore.set(first.obs);
      hasState = first.state !== undefined;
      if (first.state) stateBefore.set(first.state);
    };

    const started = performance.now();
    const stepsAtStart = progress.envSteps;
    let lastEvaluationReturn = Number.NaN;
    let episodeReturn = 0;
    let episodeLength = 0;
    startEpisode();
    while (progress.envSteps < config.totalEnvSteps) {
      const graph = graphBefore.capture(env.graph());
      const actions = learner.act(obsBefore, graph, { explore: true, episodeStart });
      episodeStart = false;
      const step = env.step(actions);
      learner.observe({
        obs: obsBefore,
        actions,
        rewards: step.rewards,
        nextObs: step.obs,
        terminated: step.terminated,
        truncated: step.truncated,
        state: hasState ? stateBefore : undefined,
        nextState: step.state,
        graph,
      });
      progress.envSteps++;
      episodeReturn += mean(step.rewards);
      episodeLength++;
      if (progress.envSteps % config.updateEvery === 0) this.emitUpdate(learner.update(), progress.envSteps);
      if (config.evalEvery > 0 && progress.envSteps >= progress.nextEvaluationAt) {
        lastEvaluationReturn = this.evaluate(progress.envSteps);
        progress.nextEvaluationAt += config.evalEvery;
      }

      if (isEpisodeOver(step)) {
        progress.episodes++;
        progress.returnSum += episodeReturn;
        const seconds = (performance.now() - started) / 1000;
        const rate = (progress.envSteps - stepsAtStart) / Math.max(seconds, 1e-9);
        this.emit({
          kind: "episode",
          envSteps: progress.envSteps,
          episode: progress.episodes,
          "episode/return": episodeReturn,
          "episode/length": episodeLength,
          "time/env-steps-per-second": rate,
        });
        this.options.onProgress?.({
          envSteps: progress.envSteps,
          totalEnvSteps: config.totalEnvSteps,
          episodes: progress.episodes,
          lastEpisodeReturn: episodeReturn,
          envStepsPerSecond: rate,
        });
        episodeReturn = 0;
        episodeLength = 0;
        if (config.checkpointEvery > 0 && progress.envSteps >= progress.nextCheckpointAt) {
          progress.nextCheckpointAt =
            (Math.floor(progress.envSteps / config.checkpointEvery) + 1) * config.checkpointEvery;
          this.writeCheckpoint(progress);
        }
        startEpisode();
      } else {
        obsBefore.set(step.obs);
        if (step.state) stateBefore.set(step.state);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      envSteps: progress.envSteps,
      episodes: progress.episodes,
      meanEpisodeReturn: progress.episodes > 0 ? progress.returnSum / progress.episodes : Number.NaN,
      lastEvaluationReturn,
      seconds,
      envStepsPerSecond: (progress.envSteps - stepsAtStart) / Math.max(seconds, 1e-9),
    };
  }

  /** Mean team return of `evalEpisodes` greedy episodes on a separate environment. */
  evaluate(envSteps: number): number {
    this.evaluationEnv ??= this.options.createEnv(this.streams.evaluation.fork("construction"));
    const env = this.evaluationEnv;
    const returns: number[] = [];
    // Numeric per-step infos (e.g. the prisoner's dilemma's cooperationRate), averaged over all steps.
    const infoTotals = new Map<string, number>();
    let evaluationSteps = 0;
    for (let episode = 0; episode < this.config.evalEpisodes; episode++) {
      let current = env.reset(this.streams.evaluation.nextSeed());
      let total = 0;
      for (let episodeStep = 0; ; episodeStep++) {
        const step = env.step(
          this.learner.act(current.obs, env.graph(), { explore: false, episodeStart: episodeStep === 0 }),
        );
        total += mean(step.rewards);
        evaluationSteps++;
        for (const [key, value] of Object.entries(step.infos)) {
          if (typeof value === "number") infoTotals.set(key, (infoTotals.get(key) ?? 0) + value);
        }
        if (isEpisodeOver(step)) break;
        current = step;
      }
      returns.push(total);
    }
    const average = returns.reduce((a, b) => a + b, 0) / returns.length;
    const spread = Math.sqrt(returns.reduce((a, r) => a + (r - average) ** 2, 0) / returns.length);
    this.emit({
      kind: "evaluation",
      envSteps,
      "evaluation/return": average,
      "evaluation/return-std": spread,
      ...Object.fromEntries(
        [...infoTotals].map(([key, value]) => [`evaluation/info/${key}`, value / evaluationSteps]),
      ),
    });
    return average;
  }

  private restore(resumeFrom: string | undefined) {
    const fresh = {
      envSteps: 0,
      episodes: 0,
      returnSum: 0,
      nextEvaluationAt: this.config.evalEvery,
      nextCheckpointAt: this.config.checkpointEvery,
    };
    if (resumeFrom === undefined) return fresh;
    const checkpoint = loadRunCheckpoint(resumeFrom);
    if (checkpoint.seed !== this.config.seed) {
      throw new RangeError(
        `Resume: the checkpoint ${resumeFrom} was made with seed ${checkpoint.seed}, this run has seed ${this.config.seed}`,
      );
    }
    this.learner.load(checkpoint.learner);
    this.streams.env = RngClass.fromState(checkpoint.streams.env);
    this.streams.evaluation = RngClass.fromState(checkpoint.streams.evaluation);
    for (const sink of this.options.sinks ?? []) {
      if (typeof (sink as Partial<TruncatableSink>).truncateAfter === "function") {
        (sink as TruncatableSink).truncateAfter(checkpoint.envSteps);
      }
    }
    return {
      envSteps: checkpoint.envSteps,
      episodes: checkpoint.episodes,
      returnSum: checkpoint.returnSum,
      nextEvaluationAt: checkpoint.nextEvaluationAt,
      nextCheckpointAt: checkpoint.nextCheckpointAt,
    };
  }

  private writeCheckpoint(
    progress: Omit<RunCheckpoint, "format" | "version" | "seed" | "streams" | "learner">,
  ): void {
    saveRunCheckpoint(this.options.checkpointPath!, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      seed: this.config.seed,
      ...progress,
      streams: { env: this.streams.env.getState(), evaluation: this.streams.evaluation.getState() },
      learner: this.learner.state(),
    });
    this.options.onCheckpoint?.(progress.envSteps);
  }

  private emitUpdate(metrics: Metrics, envSteps: number): void {
    const names = Object.keys(metrics);
    if (names.length === 0) return;
    for (const name of names) {
      if (!Number.isFinite(metrics[name])) {
        throw new Error(
          `Runner: update at env step ${envSteps} returned a non-finite ${name} = ${metrics[name]}; the run stops here and the last checkpoint is kept`,
        );
      }
    }
    this.emit({ kind: "update", envSteps, ...metrics });
  }

  private emit(record: MetricRecord): void {
    for (const sink of this.options.sinks ?? []) sink.write(record);
  }
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
