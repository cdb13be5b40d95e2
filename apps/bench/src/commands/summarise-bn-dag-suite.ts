/**
 * `bn-dag-summary <suite-dir>`: the BN-DAG suites' own table — per experiment the final exact POA
 * (`eval/exact-poa`, the last value each seed logged) and the final greedy evaluation return, mean ±
 * 95 % CI over seeds — next to the exact POA of the constant "always 0" joint policy, so a learnt
 * policy can be told from a constant one. Written to `<suite-dir>/bn-dag-summary.md`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CoordinationGame } from "@netmarl/envs";
import { evaluatePolicy, optimalObjective, tabularGameFromModel } from "@netmarl/policies-bn-dag";
import { readJsonl, writeFileAtomic } from "@netmarl/trainers";
import { meanWithInterval } from "../report/confidence-interval.js";

export interface BnDagSummaryRow {
  experiment: string;
  seeds: number;
  exactPoa: ReturnType<typeof meanWithInterval>;
  evaluationReturn: ReturnType<typeof meanWithInterval>;
}

/** Exact POA of the joint policy that plays joint action `action` in every state, or uniformly at random. */
export function referencePriceOfAnarchy(numAgents: number, action: number | "uniform"): number {
  const game = tabularGameFromModel(new CoordinationGame({ numAgents }).tabularModel(), numAgents);
  const size = game.numStates;
  const joint = new Float64Array(size * size);
  for (let s = 0; s < size; s++) {
    if (action === "uniform") joint.fill(1 / size, s * size, (s + 1) * size);
    else joint[s * size + action] = 1;
  }
  return evaluatePolicy(game, joint).objective / optimalObjective(game);
}

export function summariseBnDagSuite(suiteDirectory: string): { rows: BnDagSummaryRow[]; file: string } {
  if (!existsSync(join(suiteDirectory, "manifest.json")))
    throw new RangeError(
      `bn-dag-summary: ${suiteDirectory} has no manifest.json; pass a suite folder such as results/bn-dag-lite`,
    );
  const rows: BnDagSummaryRow[] = [];
  for (const env of readdirSync(suiteDirectory, { withFileTypes: true }).filter(
    (e) => e.isDirectory() && e.name !== "report",
  )) {
    for (const algorithm of readdirSync(join(suiteDirectory, env.name), { withFileTypes: true }).filter((e) =>
      e.isDirectory(),
    )) {
      const poa: number[] = [];
      const returns: number[] = [];
      const folder = join(suiteDirectory, env.name, algorithm.name);
      for (const seed of readdirSync(folder).filter((name) => name.startsWith("seed-"))) {
        const metricsPath = join(folder, seed, "metrics.jsonl");
        if (!existsSync(metricsPath)) continue;
        const records = readJsonl(readFileSync(metricsPath, "utf8"));
        const lastPoa = records.filter((r) => typeof r["eval/exact-poa"] === "number").at(-1)?.[
          "eval/exact-poa"
        ];
        const lastReturn = records.filter((r) => r.kind === "evaluation").at(-1)?.["evaluation/return"];
        if (typeof lastPoa === "number") poa.push(lastPoa);
        if (typeof lastReturn === "number") returns.push(lastReturn);
      }
      rows.push({
        experiment: `${env.name}/${algorithm.name}`,
        seeds: Math.max(poa.length, returns.length),
        exactPoa: meanWithInterval(poa),
        evaluationReturn: meanWithInterval(returns),
      });
    }
  }
  const cell = (m: ReturnType<typeof meanWithInterval>, digits: number) =>
    m.count === 0 ? "–" : `${m.mean.toFixed(digits)} ± ${((m.high - m.low) / 2).toFixed(digits)}`;
  // "always 0" is optimal here (all zeros pays 3): exact POA tells learners from random play, not from it
  const constants = [3, 5].flatMap((n) => [
    `| constant "always 0", n = ${n} | – | ${referencePriceOfAnarchy(n, 0).toFixed(4)} | – |`,
    `| uniform random, n = ${n} | – | ${referencePriceOfAnarchy(n, "uniform").toFixed(4)} | – |`,
  ]);
  const table = [
    "| experiment | seeds | final exact POA (mean ± 95 % CI) | final evaluation return (mean ± 95 % CI) |",
    "|---|---|---|---|",
    ...rows.map(
      (r) => `| ${r.experiment} | ${r.seeds} | ${cell(r.exactPoa, 4)} | ${cell(r.evaluationReturn, 2)} |`,
    ),
    ...constants,
  ];
  const file = join(suiteDirectory, "bn-dag-summary.md");
  writeFileAtomic(file, `# ${suiteDirectory.split("/").at(-1)}: BN-MAPPO summary\n\n${table.join("\n")}\n`);
  return { rows, file };
}
