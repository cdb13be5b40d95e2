import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type MetricRecord, readJsonl } from "@netmarl/trainers";
import type { SuiteManifest } from "../execution/run-suite.js";
import { ResultStoreError, readOwnJson, type SeedSummaryFile, seedPaths } from "../results/result-store.js";
import { type Experiment, experimentFolder } from "../suites/experiment-schema.js";
import { type MeanWithInterval, meanWithInterval } from "./confidence-interval.js";
import {
  type BootstrapInterval,
  interquartileMean,
  stratifiedBootstrapInterval,
} from "./robust-statistics.js";

export interface CurvePoint extends MeanWithInterval {
  envSteps: number;
}

export interface ExperimentReport {
  folder: string;
  experiment: Experiment;
  /** The environment id as registered (`mpe/cooperative-navigation`), for headings. */
  environmentName: string;
  /** The algorithm id, with the experiment's name when it has one (`fixed-policy (always-zero)`). */
  algorithmName: string;
  finishedSeeds: number[];
  /** Episode returns averaged in bins of `binSteps` (at most the run's steps), then mean ± 95 % CI over seeds. */
  trainingCurve: CurvePoint[];
  /** Evaluation returns at each evaluation step, mean ± 95 % CI over seeds. */
  evaluationCurve: CurvePoint[];
  /** Last greedy evaluation return per seed; count 0 where no evaluation ran. */
  finalEvaluationReturn: MeanWithInterval;
  /** The same per-seed values: interquartile mean with a 95 % (seeded) bootstrap interval. */
  finalEvaluationIqm: BootstrapInterval;
  /** Each finished seed's evaluations, in step order (for the profile and the marl-eval export). */
  seedEvaluations: { seed: number; points: { envSteps: number; return: number }[] }[];
  /** Mean return of the last tenth of each seed's training episodes (exploring); count 0 without episodes. */
  finalTrainingReturn: MeanWithInterval;
  envStepsPerSecond: MeanWithInterval;
  /** Recorded episodes of final policies (`recordReplays`), paths relative to the suite folder. */
  replays: { seed: number; path: string }[];
}

export interface SuiteReport {
  manifest: SuiteManifest;
  experiments: ExperimentReport[];
}

/** Each finished seed's last evaluation return (seeds never evaluated are left out). */
export function lastEvaluationReturns(experiment: Pick<ExperimentReport, "seedEvaluations">): number[] {
  return experiment.seedEvaluations
    .filter((s) => s.points.length > 0)
    .map((s) => s.points[s.points.length - 1].return);
}

/** Reads a suite's results folder (refusing anything that is not ours) and aggregates over seeds. */
export function aggregateSuite(suiteDirectory: string): SuiteReport {
  const manifestPath = join(suiteDirectory, "manifest.json");
  if (!existsSync(manifestPath)) {
    throw new ResultStoreError(`${suiteDirectory} has no manifest.json: not a netmarl-bench results folder`);
  }
  const manifest = readOwnJson<SuiteManifest>(manifestPath);
  return {
    manifest,
    experiments: manifest.suite.experiments.map((e) => aggregateExperiment(suiteDirectory, e)),
  };
}

function aggregateExperiment(suiteDirectory: string, experiment: Experiment): ExperimentReport {
  const binSteps =
    experiment.run.evalEvery > 0
      ? experiment.run.evalEvery
      : Math.max(1, Math.ceil(experiment.run.steps / 20));
  const training = new Map<number, number[]>();
  const evaluation = new Map<number, number[]>();
  const evaluationFinals: number[] = [];
  const trainingFinals: number[] = [];
  const rates: number[] = [];
  const finishedSeeds: number[] = [];
  const seedEvaluations: ExperimentReport["seedEvaluations"] = [];
  const replays: ExperimentReport["replays"] = [];
  for (const seed of experiment.seeds) {
    const paths = seedPaths(suiteDirectory, experiment, seed);
    if (existsSync(paths.replay)) replays.push({ seed, path: relative(suiteDirectory, paths.replay) });
    if (!existsSync(paths.summary)) continue;
    const summary = readOwnJson<SeedSummaryFile>(paths.summary);
    finishedSeeds.push(seed);
    rates.push(summary.envStepsPerSecond);
    const records = existsSync(paths.metrics) ? readJsonl(readFileSync(paths.metrics, "utf8")) : [];
    for (const [step, values] of binEpisodeReturns(records, binSteps, experiment.run.steps))
      push(training, step, mean(values));
    const evaluations = records.filter((r) => r.kind === "evaluation");
    for (const record of evaluations)
      push(evaluation, record.envSteps, record["evaluation/return"] as number);
    if (evaluations.length > 0) {
      evaluationFinals.push(evaluations[evaluations.length - 1]["evaluation/return"] as number);
    }
    seedEvaluations.push({
      seed,
      points: evaluations.map((r) => ({ envSteps: r.envSteps, return: r["evaluation/return"] as number })),
    });
    const episodes = records.filter((r) => r.kind === "episode");
    if (episodes.length > 0) {
      const tail = episodes.slice(Math.floor(episodes.length * 0.9));
      trainingFinals.push(mean(tail.map((r) => r["episode/return"] as number)));
    }
  }
  return {
    folder: experimentFolder(experiment),
    experiment,
    environmentName: experiment.env.id,
    algorithmName: experiment.name
      ? `${experiment.algorithm.id} (${experiment.name})`
      : experiment.algorithm.id,
    finishedSeeds,
    trainingCurve: toCurve(training),
    evaluationCurve: toCurve(evaluation),
    finalEvaluationReturn: meanWithInterval(evaluationFinals),
    finalEvaluationIqm: stratifiedBootstrapInterval([evaluationFinals], interquartileMean),
    seedEvaluations,
    finalTrainingReturn: meanWithInterval(trainingFinals),
    envStepsPerSecond: meanWithInterval(rates),
    replays,
  };
}

/**
 * Mean episode return per bin, keyed by the bin's right edge (env steps) — or by the run's last step
 * for the final, partial bin, so no point lies past the end of the run.
 */
function binEpisodeReturns(
  records: MetricRecord[],
  binSteps: number,
  totalSteps: number,
): Map<number, number[]> {
  const bins = new Map<number, number[]>();
  for (const record of records) {
    if (record.kind !== "episode") continue;
    const edge = Math.min(Math.ceil(record.envSteps / binSteps) * binSteps, totalSteps);
    push(bins, edge, record["episode/return"] as number);
  }
  return bins;
}

function toCurve(points: Map<number, number[]>): CurvePoint[] {
  return [...points.entries()]
    .sort(([a], [b]) => a - b)
    .map(([envSteps, values]) => ({ envSteps, ...meanWithInterval(values) }));
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
