/**
 * The `bn-dag-tabular` protocol (BN-DAG Figure 3; `Tabular_Coordination_Game/run.py`): exact
 * softmax BN policy gradient on the coordination game for every (n, DAG, seed), 2000 SGD steps,
 * POA and Nash gap per iteration. Each run is written atomically to `runs/` and skipped when it is
 * already there, so an interrupted protocol resumes; `summary.md` / `summary.json` / `curves.csv`
 * are rebuilt from whatever runs exist.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CoordinationGame, createRng } from "@netmarl/envs";
import {
  DAG_KINDS,
  type DagKind,
  tabularGameFromModel,
  trainTabularBnPolicy,
} from "@netmarl/policies-bn-dag";
import { writeFileAtomic } from "@netmarl/trainers";
import { meanWithInterval } from "../report/confidence-interval.js";
import { writeJsonAtomic } from "../results/result-store.js";

export interface BnDagTabularOptions {
  agents: readonly number[];
  dags: readonly DagKind[];
  seeds: readonly number[];
  iterations: number;
  /** Curves are stored every this many iterations. */
  curveEvery: number;
  out: string;
  onRunDone?: (done: number, total: number, label: string) => void;
}

interface TabularRunFile {
  numAgents: number;
  dag: DagKind;
  seed: number;
  iterations: number;
  finalPriceOfAnarchy: number;
  /** Deviations over BN local policies π'_i(a_i | s, a_Pa(i)) (the paper's Definition 3.1 for BN policies). */
  finalNashGap: number;
  /** Deviations over π'_i(a_i | s) (the original code's `get_NE_Gap_i`). */
  finalNashGapStateOnly: number;
  curveIterations: number[];
  priceOfAnarchy: number[];
  nashGap: number[];
  nashGapStateOnly: number[];
  seconds: number;
}

export interface BnDagTabularRow {
  numAgents: number;
  dag: DagKind;
  seeds: number;
  priceOfAnarchy: ReturnType<typeof meanWithInterval>;
  nashGap: ReturnType<typeof meanWithInterval>;
  nashGapStateOnly: ReturnType<typeof meanWithInterval>;
  /** Runs whose state-only gap is negative (a correlated policy no state-only deviation matches). */
  negativeStateOnlyGaps: number;
}

export function runBnDagTabular(options: BnDagTabularOptions): BnDagTabularRow[] {
  for (const dag of options.dags) {
    if (!DAG_KINDS.includes(dag))
      throw new RangeError(`--dags: "${dag}" is not a DAG kind; expected ${DAG_KINDS.join(", ")}`);
  }
  const runsDirectory = join(options.out, "runs");
  mkdirSync(runsDirectory, { recursive: true });
  const total = options.agents.length * options.dags.length * options.seeds.length;
  let done = 0;
  for (const n of options.agents) {
    const game = tabularGameFromModel(new CoordinationGame({ numAgents: n }).tabularModel(), n);
    for (const dag of options.dags) {
      for (const seed of options.seeds) {
        const label = `n${n}-${dag}-seed${seed}`;
        const path = join(runsDirectory, `${label}.json`);
        if (!existsSync(path)) {
          const started = performance.now();
          const result = trainTabularBnPolicy({
            game,
            dag,
            rng: createRng(seed),
            iterations: options.iterations,
            nashGapEvery: options.curveEvery,
            deviations: ["state-and-parents", "state"],
          });
          const parentsAware = result.nashGap["state-and-parents"]!;
          const stateOnly = result.nashGap.state!;
          const curveIterations: number[] = [];
          for (let t = 0; t <= options.iterations; t += options.curveEvery) curveIterations.push(t);
          if (curveIterations.at(-1) !== options.iterations) curveIterations.push(options.iterations);
          const file: TabularRunFile = {
            numAgents: n,
            dag,
            seed,
            iterations: options.iterations,
            finalPriceOfAnarchy: result.priceOfAnarchy[options.iterations],
            finalNashGap: parentsAware[options.iterations],
            finalNashGapStateOnly: stateOnly[options.iterations],
            curveIterations,
            priceOfAnarchy: curveIterations.map((t) => result.priceOfAnarchy[t]),
            nashGap: curveIterations.map((t) => parentsAware[t]),
            nashGapStateOnly: curveIterations.map((t) => stateOnly[t]),
            seconds: (performance.now() - started) / 1000,
          };
          writeJsonAtomic(path, file);
        }
        options.onRunDone?.(++done, total, label);
      }
    }
  }
  return summariseBnDagTabular(options.out);
}

/** Aggregates every run in `<out>/runs` into summary.json, summary.md and curves.csv. */
export function summariseBnDagTabular(out: string): BnDagTabularRow[] {
  const runsDirectory = join(out, "runs");
  const runs = readdirSync(runsDirectory)
    .filter((name) => name.endsWith(".json"))
    .map((name) => JSON.parse(readFileSync(join(runsDirectory, name), "utf8")) as TabularRunFile);
  const groups = new Map<string, TabularRunFile[]>();
  for (const run of runs) {
    const key = `${run.numAgents}/${run.dag}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const order = (run: TabularRunFile) => run.numAgents * 10 + DAG_KINDS.indexOf(run.dag);
  const rows = [...groups.values()]
    .sort((a, b) => order(a[0]) - order(b[0]))
    .map((group) => ({
      numAgents: group[0].numAgents,
      dag: group[0].dag,
      seeds: group.length,
      priceOfAnarchy: meanWithInterval(group.map((run) => run.finalPriceOfAnarchy)),
      nashGap: meanWithInterval(group.map((run) => run.finalNashGap)),
      nashGapStateOnly: meanWithInterval(group.map((run) => run.finalNashGapStateOnly)),
      negativeStateOnlyGaps: group.filter((run) => run.finalNashGapStateOnly < 0).length,
    }));
  const ci = (m: ReturnType<typeof meanWithInterval>, digits: number) =>
    `${m.mean.toFixed(digits)} ± ${((m.high - m.low) / 2).toFixed(digits)}`;
  const table = [
    "| n | DAG | seeds | final POA (mean ± 95 % CI) | final Nash gap, BN deviations | final Nash gap, state-only deviations (original) |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.numAgents} | ${r.dag} | ${r.seeds} | ${ci(r.priceOfAnarchy, 4)} | ${ci(r.nashGap, 4)} | ${ci(r.nashGapStateOnly, 4)}${r.negativeStateOnlyGaps > 0 ? ` (${r.negativeStateOnlyGaps} negative)` : ""} |`,
    ),
  ];
  const curveLines = ["numAgents,dag,iteration,meanPriceOfAnarchy,meanNashGap,meanNashGapStateOnly"];
  for (const group of groups.values()) {
    const first = group[0];
    first.curveIterations.forEach((iteration, k) => {
      const mean = (pick: (run: TabularRunFile) => number) =>
        group.reduce((sum, run) => sum + pick(run), 0) / group.length;
      curveLines.push(
        `${first.numAgents},${first.dag},${iteration},${mean((run) => run.priceOfAnarchy[k])},${mean((run) => run.nashGap[k])},${mean((run) => run.nashGapStateOnly[k])}`,
      );
    });
  }
  writeJsonAtomic(join(out, "summary.json"), rows);
  writeFileAtomic(join(out, "curves.csv"), `${curveLines.join("\n")}\n`);
  writeFileAtomic(
    join(out, "summary.md"),
    `# bn-dag-tabular\n\nExact softmax BN policy gradient on the coordination game; ${runs[0]?.iterations} SGD iterations per run. POA = J(π)/J*, J* exact. Nash gaps: BN deviations = an agent may replace its local policy π_i(a_i | s, a_Pa(i)) (the paper's definition); state-only = π'_i(a_i | s) as the original code's get_NE_Gap_i; both by exact policy iteration.\n\n${table.join("\n")}\n`,
  );
  return rows;
}
