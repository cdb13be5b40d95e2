import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@netmarl/trainers";
import { aggregateAcrossEnvironments } from "./aggregate-across-environments.js";
import {
  type CurvePoint,
  type ExperimentReport,
  lastEvaluationReturns,
  type SuiteReport,
} from "./aggregate-suite.js";
import type { MeanWithInterval } from "./confidence-interval.js";
import { type ChartSeries, renderLearningCurveSvg } from "./learning-curve-chart.js";
import { toMarlEval } from "./marl-eval-export.js";
import { type BootstrapInterval, performanceProfile } from "./robust-statistics.js";
import { type ReplayLink, writeReplayPages } from "./write-replay-pages.js";

/** The files `report` writes into `<suite>/report/`. */
export interface ReportFiles {
  html: string;
  markdown: string;
  curvesCsv: string;
  finalCsv: string;
  /** The evaluations in marl-eval's raw-data format (see `toMarlEval`). */
  marlEvalJson: string;
}

/** Renders the HTML page (charts inline as SVG, no scripts), a Markdown summary and CSV tables. */
export async function writeReport(suiteDirectory: string, report: SuiteReport): Promise<ReportFiles> {
  const directory = join(suiteDirectory, "report");
  mkdirSync(directory, { recursive: true });
  const files: ReportFiles = {
    html: join(directory, "index.html"),
    markdown: join(directory, "summary.md"),
    curvesCsv: join(directory, "curves.csv"),
    finalCsv: join(directory, "final.csv"),
    marlEvalJson: join(directory, "marl-eval.json"),
  };
  const replays = writeReplayPages(suiteDirectory, report);
  writeFileAtomic(files.html, await renderHtml(report, replays));
  writeFileAtomic(files.markdown, renderMarkdown(report));
  writeFileAtomic(files.curvesCsv, renderCurvesCsv(report));
  writeFileAtomic(files.finalCsv, renderFinalCsv(report));
  writeFileAtomic(files.marlEvalJson, `${JSON.stringify(toMarlEval(report), null, 2)}\n`);
  return files;
}

/** Experiments grouped by environment (in suite order): one chart per environment and curve kind. */
function byEnvironment(report: SuiteReport): Map<string, ExperimentReport[]> {
  const groups = new Map<string, ExperimentReport[]>();
  for (const experiment of report.experiments) {
    const key = experiment.environmentName;
    groups.set(key, [...(groups.get(key) ?? []), experiment]);
  }
  return groups;
}

/** The final-performance rows: grouped by environment, then in suite order. */
function tableRows(report: SuiteReport): ExperimentReport[] {
  return [...byEnvironment(report).values()].flat();
}

async function renderHtml(report: SuiteReport, replays: ReplayLink[]): Promise<string> {
  const { manifest } = report;
  const charts: string[] = [];
  for (const [environment, experiments] of byEnvironment(report)) {
    for (const [kind, pick, yTitle] of [
      ["evaluation", (e: ExperimentReport) => e.evaluationCurve, "evaluation return (greedy)"],
      ["training", (e: ExperimentReport) => e.trainingCurve, "episode return (training)"],
    ] as const) {
      const series: ChartSeries[] = experiments
        .map((e) => ({ name: e.algorithmName, points: pick(e) }))
        .filter((s) => s.points.length > 0);
      if (series.length === 0) continue;
      const maxEnvSteps = Math.max(...experiments.map((e) => e.experiment.run.steps));
      const svg = await renderLearningCurveSvg(`${environment} — ${kind}`, yTitle, series, maxEnvSteps);
      charts.push(
        `<figure class="chart" data-env="${escapeHtml(environment)}" data-kind="${kind}" data-series="${series.length}">${svg}<figcaption>Mean over seeds with 95 % confidence band (Student t).</figcaption></figure>`,
      );
    }
    const profile = performanceProfileSeries(experiments);
    if (profile.series.length > 0) {
      const svg = await renderLearningCurveSvg(
        `${environment} — performance profile`,
        "fraction of runs with return > τ",
        profile.series,
        profile.max,
        { min: profile.min, title: "final evaluation return τ", format: "~g" },
      );
      charts.push(
        `<figure class="chart profile" data-env="${escapeHtml(environment)}" data-kind="profile" data-series="${profile.series.length}">${svg}<figcaption>Performance profile (rliable): the fraction of seeds whose last evaluation return exceeds τ.</figcaption></figure>`,
      );
    }
  }
  const finalRows = tableRows(report)
    .map(
      (e) =>
        `<tr>${finalCells(e)
          .map((cell) => `<td>${escapeHtml(cell)}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  const versions = Object.entries(manifest.machine.versions)
    .map(([name, version]) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(version)}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>NetMARL — ${escapeHtml(manifest.suite.name)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2433; padding: 0 1rem; }
  h1 { margin-bottom: 0.2rem; } .lede { color: #4a5568; margin-top: 0; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(760px, 1fr)); gap: 1.5rem; }
  figure svg { max-width: 100%; height: auto; }
  figure { margin: 0; padding: 0.75rem; border: 1px solid #e2e8f0; border-radius: 8px; background: #fff; }
  figcaption { color: #718096; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; } th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e2e8f0; }
  th { background: #f7fafc; } code { background: #f1f5f9; padding: 0 0.25rem; border-radius: 4px; }
</style>
</head>
<body>
<h1>${escapeHtml(manifest.suite.name)}</h1>
<p class="lede">${escapeHtml(manifest.suite.description)}</p>
<p><strong>Reproduces:</strong> ${escapeHtml(manifest.suite.figure)}</p>
<h2>Learning curves</h2>
<div class="charts">
${charts.join("\n") || "<p>No finished seeds yet.</p>"}
</div>
<h2>Final performance</h2>
<p>Evaluation: the last greedy evaluation of each seed; IQM: its interquartile mean with a 95 % percentile bootstrap interval over seeds (rliable). Training: the mean return of the last tenth of each seed's (exploring) training episodes. Both mean ± 95 % CI (Student t) over seeds.</p>
<table id="final"><thead><tr>${FINAL_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>
<tbody>
${finalRows}
</tbody></table>
${acrossEnvironmentsHtml(report)}
${replaysHtml(replays)}
${manifest.suite.pending.length > 0 ? `<h2>Pending</h2><ul>${manifest.suite.pending.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul>` : ""}
<h2>Run</h2>
<table id="manifest"><tbody>
<tr><td>commit</td><td><code>${escapeHtml(manifest.commit)}</code></td></tr>
<tr><td>machine</td><td>${escapeHtml(`${manifest.machine.cpuModel} × ${manifest.machine.cores}, ${manifest.machine.memoryGiB} GiB, ${manifest.machine.platform}/${manifest.machine.arch}`)}</td></tr>
<tr><td>Node</td><td>${escapeHtml(manifest.machine.node)}</td></tr>
<tr><td>backend</td><td>${escapeHtml(manifest.machine.backend)}</td></tr>
<tr><td>wall time of the last run</td><td>${manifest.wallSeconds.toFixed(1)} s</td></tr>
<tr><td>started / updated</td><td>${escapeHtml(manifest.startedAt)} / ${escapeHtml(manifest.updatedAt)}</td></tr>
${versions}
</tbody></table>
</body>
</html>
`;
}

/** The "Replays" section: each recorded episode's viewer page and file (nothing when none). */
function replaysHtml(replays: ReplayLink[]): string {
  if (replays.length === 0) return "";
  const rows = replays
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.experiment)}</td><td>${r.seed}</td><td>${
          r.pageHref ? `<a class="replay-page" href="${escapeHtml(r.pageHref)}">watch</a>` : "–"
        }</td><td><a class="replay-file" href="${escapeHtml(r.replayHref)}">replay file</a></td></tr>`,
    )
    .join("\n");
  const note = replays.some((r) => r.pageHref === undefined)
    ? "<p>No viewer pages: build the viewer (<code>pnpm --filter @netmarl/viewer build</code>) and run <code>netmarl-bench report</code> again, or open a replay file in <code>apps/viewer/dist/viewer.html</code>.</p>"
    : "";
  return `<h2>Replays</h2>
<p>One greedy episode of each experiment's final policy (its first seed), recorded after training. The viewer pages hold the replay and open from disk.</p>
${note}<table id="replays"><thead><tr><th>experiment</th><th>seed</th><th>viewer</th><th>file</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function renderMarkdown(report: SuiteReport): string {
  const { manifest } = report;
  const rows = tableRows(report).map((e) => `| ${finalCells(e).join(" | ")} |`);
  return [
    `# ${manifest.suite.name}`,
    "",
    manifest.suite.description,
    "",
    `Reproduces: ${manifest.suite.figure}`,
    "",
    `| ${FINAL_COLUMNS.join(" | ")} |`,
    `|${FINAL_COLUMNS.map(() => "---|").join("")}`,
    ...rows,
    "",
    ...acrossEnvironmentsMarkdown(report),
    `Commit \`${manifest.commit}\`, ${manifest.machine.cpuModel} × ${manifest.machine.cores}, Node ${manifest.machine.node}, backend ${manifest.machine.backend}, last run ${manifest.wallSeconds.toFixed(1)} s.`,
    "",
  ].join("\n");
}

function renderCurvesCsv(report: SuiteReport): string {
  const lines = ["suite,experiment,curve,env_steps,mean,ci_low,ci_high,seeds"];
  for (const e of report.experiments) {
    for (const [curve, points] of [
      ["evaluation", e.evaluationCurve],
      ["training", e.trainingCurve],
    ] as const) {
      for (const p of points as CurvePoint[]) {
        lines.push(
          [report.manifest.suite.name, e.folder, curve, p.envSteps, p.mean, p.low, p.high, p.count].join(","),
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function renderFinalCsv(report: SuiteReport): string {
  const lines = [
    "suite,environment,algorithm,experiment,seeds,evaluation_mean,evaluation_ci_low,evaluation_ci_high,evaluation_iqm,evaluation_iqm_ci_low,evaluation_iqm_ci_high,training_mean,training_ci_low,training_ci_high,paper_value,paper_spread,env_steps_per_second",
  ];
  for (const e of tableRows(report)) {
    const evaluation = e.finalEvaluationReturn;
    const training = e.finalTrainingReturn;
    lines.push(
      [
        report.manifest.suite.name,
        e.environmentName,
        e.algorithmName,
        e.folder,
        e.finishedSeeds.length,
        evaluation.mean,
        evaluation.low,
        evaluation.high,
        e.finalEvaluationIqm.estimate,
        e.finalEvaluationIqm.low,
        e.finalEvaluationIqm.high,
        training.mean,
        training.low,
        training.high,
        e.experiment.reference?.value ?? "",
        e.experiment.reference?.spread ?? "",
        e.envStepsPerSecond.mean,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

const FINAL_COLUMNS = [
  "environment",
  "algorithm",
  "seeds",
  "evaluation return",
  "evaluation IQM [95 % CI]",
  "training return",
  "paper",
  "env steps/s",
] as const;

/** One row of the final table (HTML and Markdown), in FINAL_COLUMNS order. */
function finalCells(e: ExperimentReport): string[] {
  const { reference } = e.experiment;
  return [
    e.environmentName,
    e.algorithmName,
    `${e.finishedSeeds.length}/${e.experiment.seeds.length}`,
    formatInterval(e.finalEvaluationReturn),
    formatBootstrap(e.finalEvaluationIqm),
    formatInterval(e.finalTrainingReturn),
    reference
      ? `${reference.value.toFixed(2)}${reference.spread === undefined ? "" : ` ± ${reference.spread.toFixed(2)}`} (${reference.source})`
      : "–",
    formatRate(e.envStepsPerSecond),
  ];
}

const ACROSS_COLUMNS = ["algorithm", "environments", "runs", "normalised IQM [95 % CI]"] as const;

/** The rows of the across-environments table (see aggregateAcrossEnvironments). */
function acrossEnvironmentsCells(report: SuiteReport): string[][] {
  return aggregateAcrossEnvironments(report.experiments).map((row) => [
    row.algorithmName,
    row.environments.join(", "),
    String(row.runs),
    formatBootstrap(row.normalisedIqm),
  ]);
}

const ACROSS_NOTE =
  "Final evaluation returns min-max normalised per environment over every algorithm and seed (0 = worst run, 1 = best), pooled per algorithm; interquartile mean with a 95 % bootstrap interval that resamples seeds within each environment (stratified, as rliable and marl-eval).";

function acrossEnvironmentsHtml(report: SuiteReport): string {
  const rows = acrossEnvironmentsCells(report);
  if (rows.length === 0) return "";
  return `<h2>Across environments</h2>
<p>${escapeHtml(ACROSS_NOTE)}</p>
<table id="across"><thead><tr>${ACROSS_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>
<tbody>
${rows.map((cells) => `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>`;
}

function acrossEnvironmentsMarkdown(report: SuiteReport): string[] {
  const rows = acrossEnvironmentsCells(report);
  if (rows.length === 0) return [];
  return [
    "## Across environments",
    "",
    ACROSS_NOTE,
    "",
    `| ${ACROSS_COLUMNS.join(" | ")} |`,
    `|${ACROSS_COLUMNS.map(() => "---|").join("")}`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    "",
  ];
}

function formatBootstrap(value: BootstrapInterval): string {
  if (!Number.isFinite(value.estimate)) return "–";
  if (value.low === value.high) return value.estimate.toFixed(2);
  return `${value.estimate.toFixed(2)} [${value.low.toFixed(2)}, ${value.high.toFixed(2)}]`;
}

/** Each experiment's performance profile over 41 thresholds spanning all its environment's final returns. */
function performanceProfileSeries(experiments: ExperimentReport[]): {
  series: ChartSeries[];
  min: number;
  max: number;
} {
  const finals = lastEvaluationReturns;
  const all = experiments.flatMap(finals);
  if (all.length === 0) return { series: [], min: 0, max: 1 };
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (max - min < 1e-9) [min, max] = [min - 1, max + 1];
  const thresholds = Array.from({ length: 41 }, (_, i) => min + ((max - min) * i) / 40);
  const series = experiments
    .filter((e) => finals(e).length > 0)
    .map((e) => ({
      name: e.algorithmName,
      points: performanceProfile(finals(e), thresholds).map((p) => ({
        envSteps: p.threshold,
        mean: p.fraction,
        low: p.fraction,
        high: p.fraction,
        count: finals(e).length,
      })),
    }));
  return { series, min, max };
}

function formatInterval(value: MeanWithInterval): string {
  if (value.count === 0) return "–";
  if (value.count === 1) return value.mean.toFixed(2);
  return `${value.mean.toFixed(2)} ± ${((value.high - value.low) / 2).toFixed(2)}`;
}

function formatRate(value: MeanWithInterval): string {
  return value.count === 0 ? "–" : Math.round(value.mean).toLocaleString("en");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
