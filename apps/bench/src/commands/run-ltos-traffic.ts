/**
 * `ltos-traffic`: LToS's traffic experiment as the original code runs it (policies-ltos
 * `TrafficRoundPipeline`): for each variant (ltos, fixed-ltos, no-sharing), `rounds` rounds on a
 * CityFlow map, the greedy test episode's average travel time per round. Each variant keeps
 * `rounds.jsonl` (one line per finished round) and a checkpoint written after every generator
 * episode, so an interrupted run resumes mid-round; `summary.md` / `summary.json` are rebuilt from
 * the rounds on disk.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRng, SignalControlEnv } from "@netmarl/envs";
import { TrafficRoundPipeline, type TrafficRoundResult } from "@netmarl/policies-ltos";
import { readStateFile, writeFileAtomic, writeStateFile } from "@netmarl/trainers";
import { writeJsonAtomic } from "../results/result-store.js";

/** The maps of the LToS experiments: files under the CityFlow data folder. */
export const LTOS_TRAFFIC_MAPS = {
  "6x6": { folder: "ltos_small_6x6", roadnet: "roadnet_6_6.json", flow: "anon_6_6_small_2570_bi.json" },
  hangzhou: {
    folder: "hangzhou_4x4_gudang_18041610_1h",
    roadnet: "roadnet_4X4.json",
    flow: "hangzhou_4x4_gudang_18041610_1h.json",
  },
} as const;

export type LtosTrafficVariant = "ltos" | "fixed-ltos" | "no-sharing";

export interface LtosTrafficOptions {
  map: keyof typeof LTOS_TRAFFIC_MAPS;
  /** Folder holding the CityFlow datasets (`../shared/data/cityflow` or `fetch-data`'s cache). */
  dataDirectory: string;
  variants: readonly LtosTrafficVariant[];
  rounds: number;
  seed: number;
  /** Simulated seconds per episode (the original: 3600). */
  episodeSeconds: number;
  out: string;
  onRound?: (variant: string, result: TrafficRoundResult) => void;
}

export interface LtosTrafficSummaryRow {
  variant: string;
  rounds: number;
  firstTestAverageTravelTime: number;
  lastTestAverageTravelTime: number;
  bestTestAverageTravelTime: number;
  meanRoundSeconds: number;
}

export function runLtosTraffic(options: LtosTrafficOptions): LtosTrafficSummaryRow[] {
  const map = LTOS_TRAFFIC_MAPS[options.map];
  const roadnet = join(options.dataDirectory, map.folder, map.roadnet);
  const flow = join(options.dataDirectory, map.folder, map.flow);
  for (const file of [roadnet, flow]) {
    if (!existsSync(file))
      throw new RangeError(`ltos-traffic: ${file} does not exist; run fetch-data or pass --data`);
  }
  mkdirSync(options.out, { recursive: true });
  const results: Record<string, TrafficRoundResult[]> = {};
  for (const variant of options.variants) {
    const directory = join(options.out, variant);
    mkdirSync(directory, { recursive: true });
    const roundsFile = join(directory, "rounds.jsonl");
    const checkpoint = join(directory, "checkpoint.bin");
    const done = readRounds(roundsFile);
    results[variant] = done;
    if (done.length >= options.rounds) continue;
    const pipeline = new TrafficRoundPipeline(
      (rng) =>
        new SignalControlEnv(
          { roadnet, flow, adjacency: "road", episodeSeconds: options.episodeSeconds },
          rng,
        ),
      { variant },
      createRng(options.seed),
    );
    if (existsSync(checkpoint)) pipeline.load(readStateFile(checkpoint, "ltos-traffic checkpoint") as never);
    const save = () => writeStateFile(checkpoint, { algorithm: "ltos-traffic", ...pipeline.state() });
    while (pipeline.currentRound < options.rounds) {
      const result = pipeline.runRound(save);
      done.push(result);
      writeFileAtomic(roundsFile, done.map((r) => JSON.stringify(r)).join("\n") + "\n");
      save();
      options.onRound?.(variant, result);
    }
    pipeline.dispose();
  }
  const rows = Object.entries(results).map(([variant, rounds]) => summarise(variant, rounds));
  writeJsonAtomic(join(options.out, "summary.json"), { map: options.map, seed: options.seed, rows, results });
  writeFileAtomic(join(options.out, "summary.md"), renderMarkdown(options, results));
  return rows;
}

function readRounds(path: string): TrafficRoundResult[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as TrafficRoundResult);
}

function summarise(variant: string, rounds: TrafficRoundResult[]): LtosTrafficSummaryRow {
  const att = rounds.map((r) => r.testAverageTravelTime);
  return {
    variant,
    rounds: rounds.length,
    firstTestAverageTravelTime: att[0] ?? Number.NaN,
    lastTestAverageTravelTime: att[att.length - 1] ?? Number.NaN,
    bestTestAverageTravelTime: Math.min(...att),
    meanRoundSeconds: rounds.reduce((a, r) => a + r.seconds, 0) / Math.max(rounds.length, 1),
  };
}

function renderMarkdown(options: LtosTrafficOptions, results: Record<string, TrafficRoundResult[]>): string {
  const variants = Object.keys(results);
  const rounds = Math.max(...variants.map((v) => results[v].length));
  const lines = [
    `# ltos-traffic — ${options.map}, seed ${options.seed}, ${options.episodeSeconds}-s episodes`,
    "",
    "Test average travel time (s) after each round (greedy episode), and the round's wall time.",
    "",
    `| round | ${variants.map((v) => `${v} ATT | ${v} s`).join(" | ")} |`,
    `|---|${variants.map(() => "---|---").join("|")}|`,
  ];
  for (let round = 0; round < rounds; round++) {
    const cells = variants.map((v) => {
      const r = results[v][round];
      return r ? `${r.testAverageTravelTime.toFixed(1)} | ${r.seconds.toFixed(0)}` : "– | –";
    });
    lines.push(`| ${round} | ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
