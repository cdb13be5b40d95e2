import { type ExperimentReport, lastEvaluationReturns } from "./aggregate-suite.js";
import {
  type BootstrapInterval,
  interquartileMean,
  stratifiedBootstrapInterval,
} from "./robust-statistics.js";

/** One algorithm over every environment of a suite it ran on, on min-max normalised returns. */
export interface AcrossEnvironmentsRow {
  algorithmName: string;
  environments: string[];
  runs: number;
  /** IQM of the normalised final evaluation returns, 95 % bootstrap interval stratified by environment. */
  normalisedIqm: BootstrapInterval;
}

/**
 * marl-eval's aggregation: each environment's final evaluation returns are min-max normalised over
 * every algorithm and seed of that environment (0 = the worst run, 1 = the best), then each
 * algorithm's normalised runs are pooled across environments into an interquartile mean whose
 * bootstrap resamples seeds within each environment (rliable's stratified bootstrap). Only
 * algorithms that ran on at least two environments get a row; environments whose runs all scored
 * the same are left out (nothing to normalise).
 */
export function aggregateAcrossEnvironments(
  experiments: readonly ExperimentReport[],
): AcrossEnvironmentsRow[] {
  const finals = lastEvaluationReturns;
  const strataByAlgorithm = new Map<string, { environment: string; values: number[] }[]>();
  const environments = [...new Set(experiments.map((e) => e.environmentName))];
  for (const environment of environments) {
    const inEnvironment = experiments.filter((e) => e.environmentName === environment);
    const all = inEnvironment.flatMap(finals);
    if (all.length === 0) continue;
    const min = Math.min(...all);
    const max = Math.max(...all);
    if (max - min < 1e-12) continue;
    for (const experiment of inEnvironment) {
      const values = finals(experiment).map((value) => (value - min) / (max - min));
      if (values.length === 0) continue;
      const strata = strataByAlgorithm.get(experiment.algorithmName) ?? [];
      strata.push({ environment, values });
      strataByAlgorithm.set(experiment.algorithmName, strata);
    }
  }
  return [...strataByAlgorithm.entries()]
    .filter(([, strata]) => new Set(strata.map((s) => s.environment)).size >= 2)
    .map(([algorithmName, strata]) => ({
      algorithmName,
      environments: [...new Set(strata.map((s) => s.environment))],
      runs: strata.reduce((count, s) => count + s.values.length, 0),
      normalisedIqm: stratifiedBootstrapInterval(
        strata.map((s) => s.values),
        interquartileMean,
      ),
    }));
}
