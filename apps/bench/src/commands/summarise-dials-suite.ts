/**
 * `dials-summary <suite-dir>`: the DIALS suites' own tables — final evaluation return per variant
 * (mean ± 95 % CI over seeds) and the runtime in the paper's form: wall seconds per phase per 100K
 * steps of each agent, beside the constants of the authors' notebooks (spec §4.6). Written to
 * `<suite-dir>/dials-summary.md`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DialsPhase, DialsSummary } from "@netmarl/influence-sim";
import { writeFileAtomic } from "@netmarl/trainers";
import { meanWithInterval } from "../report/confidence-interval.js";

/** `plots/{traffic,warehouse}.ipynb` cell 2: seconds per 100K steps (GS, DIALS agent, AIP training). */
const PAPER_SECONDS: Record<string, Record<number, { global: number; dials: number; influence: number }>> = {
  "dials/traffic": {
    4: { global: 651.76, dials: 133.68, influence: 59.6 },
    25: { global: 4226.5, dials: 173.88, influence: 336.73 },
    49: { global: 9487.3, dials: 242.67, influence: 773.73 },
    100: { global: 23495.7, dials: 333.13, influence: 2014.49 },
  },
  "dials/warehouse": {
    4: { global: 1335.46, dials: 192.04, influence: 118.66 },
    25: { global: 8733.8, dials: 230.23, influence: 640.07 },
    49: { global: 18736.6, dials: 287.42, influence: 1367.52 },
    100: { global: 42161.4, dials: 499.657, influence: 4090.42 },
  },
};

interface SeedFile {
  lastEvaluationReturn: number | null;
  envSteps: number;
  dials?: DialsSummary;
}

export interface DialsSummaryRow {
  environment: string;
  experiment: string;
  agents: number;
  seeds: number;
  finalReturn: ReturnType<typeof meanWithInterval>;
  /** Mean over seeds of wall seconds per phase per 100K steps of each agent. */
  secondsPer100k: Record<DialsPhase, number>;
}

const PHASES: DialsPhase[] = ["data-collection", "influence-training", "local-training", "evaluation"];

export function summariseDialsSuite(suiteDirectory: string): { rows: DialsSummaryRow[]; file: string } {
  if (!existsSync(join(suiteDirectory, "manifest.json"))) {
    throw new RangeError(
      `dials-summary: ${suiteDirectory} has no manifest.json; pass a suite folder such as results/dials-lite`,
    );
  }
  const rows: DialsSummaryRow[] = [];
  const folders = (path: string) =>
    readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== "report");
  for (const env of folders(suiteDirectory)) {
    for (const experiment of folders(join(suiteDirectory, env.name))) {
      const seeds = folders(join(suiteDirectory, env.name, experiment.name))
        .map((seed) => join(suiteDirectory, env.name, experiment.name, seed.name, "summary.json"))
        .filter((file) => existsSync(file))
        .map((file) => JSON.parse(readFileSync(file, "utf8")) as SeedFile)
        .filter((seed) => seed.dials !== undefined);
      if (seeds.length === 0) continue;
      const secondsPer100k = Object.fromEntries(PHASES.map((phase) => [phase, 0])) as Record<
        DialsPhase,
        number
      >;
      for (const seed of seeds) {
        for (const phase of PHASES) {
          const total = seed.dials!.iterations.reduce((sum, record) => sum + record.seconds[phase], 0);
          secondsPer100k[phase] += (total * 100_000) / seed.envSteps / seeds.length;
        }
      }
      rows.push({
        environment: env.name.replace(/_/g, "/").replace(/-v1$/, ""),
        experiment: experiment.name,
        agents: seeds[0].dials!.numAgents,
        seeds: seeds.length,
        finalReturn: meanWithInterval(seeds.map((seed) => seed.lastEvaluationReturn ?? Number.NaN)),
        secondsPer100k,
      });
    }
  }
  const format = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "—");
  const lines = [
    `# DIALS summary: ${suiteDirectory}`,
    "",
    "Final evaluation return (mean over agents of the episode return in the global simulator), mean ± 95 % CI over seeds.",
    "Runtime: wall seconds per 100K steps of each agent, per phase (the paper's unit); paper constants from `plots/*.ipynb` cell 2.",
    "",
    "| environment | experiment | agents | seeds | final return | data collection | AIP training | training (local or GS) | evaluation | paper: GS / DIALS agent / AIP |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => {
      const paper = PAPER_SECONDS[row.environment]?.[row.agents];
      const r = row.finalReturn;
      return `| ${row.environment} | ${row.experiment} | ${row.agents} | ${row.seeds} | ${format(r.mean)} [${format(r.low)}, ${format(r.high)}] | ${PHASES.map((phase) => format(row.secondsPer100k[phase])).join(" | ")} | ${paper ? `${paper.global} / ${paper.dials} / ${paper.influence}` : "—"} |`;
    }),
    "",
  ];
  const file = join(suiteDirectory, "dials-summary.md");
  writeFileAtomic(file, lines.join("\n"));
  return { rows, file };
}
