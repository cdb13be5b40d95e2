import type { SuiteReport } from "./aggregate-suite.js";

/**
 * marl-eval's raw-data layout (instadeepai/marl-eval, `data_processing_utils`):
 * `{ env: { task: { algorithm: { run_<seed>: { step_<i>: { step_count, return: [..] },
 * absolute_metrics: { return: [..] } } } } } }`, so NetMARL results can be aggregated and plotted
 * next to BenchMARL or JaxMARL runs. `env` is the id's family (`mpe`, `coordination-game-v1`), `task`
 * the rest of the id with any environment options (`cooperative-navigation`, `numAgents=3`). Each
 * evaluation holds NetMARL's mean over its episodes (one value: per-episode returns are not stored).
 */
export type MarlEvalData = Record<string, Record<string, Record<string, Record<string, MarlEvalRun>>>>;

export type MarlEvalRun = Record<string, { step_count: number; return: number[] } | { return: number[] }>;

export function toMarlEval(report: SuiteReport): MarlEvalData {
  const data: MarlEvalData = {};
  for (const experiment of report.experiments) {
    const [family, ...rest] = experiment.environmentName.split("/");
    const options = Object.entries(experiment.experiment.env.options)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(",");
    const task = [rest.join("/"), options].filter((part) => part !== "").join(":") || "default";
    const algorithm = experiment.algorithmName;
    const runs: Record<string, MarlEvalRun> = {};
    for (const { seed, points } of experiment.seedEvaluations) {
      if (points.length === 0) continue;
      const run: MarlEvalRun = {};
      points.forEach((point, index) => {
        run[`step_${index}`] = { step_count: point.envSteps, return: [point.return] };
      });
      run.absolute_metrics = { return: [points[points.length - 1].return] };
      runs[`run_${seed}`] = run;
    }
    if (Object.keys(runs).length === 0) continue;
    data[family] ??= {};
    data[family][task] ??= {};
    data[family][task][algorithm] = runs;
  }
  return data;
}
