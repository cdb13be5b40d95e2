import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GraphState, parseReplayBytes, type ReplayGraph, unpackArray } from "@netmarl/envs/replay";
import { initBackend } from "@netmarl/graph-nn";
import { afterAll, describe, expect, it } from "vitest";
import { bench } from "../cli.fixture.js";
import { evaluateSavedPolicy } from "./evaluate-saved-policy.js";
import { recordReplay } from "./record-replay.js";
import { trainOnce } from "./train-once.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-record-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("record", () => {
  it("--policy replays the saved learner: the episodes `evaluate` plays with the same seed", async () => {
    const saved = join(scratch, "tabular");
    trainOnce({
      algorithmId: "tabular-q",
      envId: "coordination-game",
      steps: 1500,
      seed: 2,
      evalEpisodes: 1,
      saveDirectory: saved,
    });
    const evaluation = evaluateSavedPolicy(saved, { episodes: 3, seed: 9 });
    const out = join(scratch, "tabular.ndjson.gz");
    const recorded = recordReplay({
      algorithmId: "tabular-q",
      envId: "coordination-game",
      policyDirectory: saved,
      episodes: 3,
      seed: 9,
      outPath: out,
      recordEvery: 1,
    });
    const mean = recorded.meanReturns.reduce((a, b) => a + b, 0) / 3;
    expect(mean).toBeCloseTo(evaluation.meanReturn, 10);
    const replay = await parseReplayBytes(readFileSync(out));
    expect(replay.header).toMatchObject({
      family: "graph",
      env: "coordination-game-v1",
      policy: { algorithm: "tabular-q", label: saved },
    });
    expect(replay.episodes.map((episode) => episode.end?.steps)).toEqual(recorded.steps);
    const returns = unpackArray(replay.episodes[0].end?.returns, "returns");
    expect(returns[0]).toBeCloseTo(recorded.meanReturns[0], 4); // a team reward: every agent's return
    expect((replay.episodes[0].frames[1].state as GraphState).agentValueName).toBe("bit");
    expect(() => recordReplay({ ...recordedOptions(saved), algorithmId: "dqn" })).toThrow(
      /holds tabular-q on coordination-game-v1, not dqn on coordination-game/,
    );
    expect(() => recordReplay({ ...recordedOptions(saved), outPath: out })).toThrow(
      /--out .* already exists/,
    );
  }, 60_000);

  it("learners' overlays: BN-MAPPO's greedy DAG as directed parents, LToS's sharing weights", async () => {
    await initBackend("cpu", { log: false });
    const parents = await recordedGraphs("bn-mappo", "coordination-game", "parents");
    expect(parents.length).toBeGreaterThan(0);
    expect(parents.every((graph) => graph.directed && graph.label === "parents (BN-DAG)")).toBe(true);
    const sharing = await recordedGraphs("ltos", "prisoners-dilemma", "sharing");
    expect(sharing.length).toBeGreaterThan(0);
    for (const graph of sharing) {
      const weights = unpackArray(graph.weights, "weights");
      expect(weights.length).toBe(8); // a ring of 4: each agent shares with its 2 neighbours
      expect(weights.every((w) => w > 0 && w < 1)).toBe(true);
    }
  }, 60_000);

  it("the CLI records uniform random play, a frame every k steps, with CityFlow files for traffic", async () => {
    const out = join(scratch, "dials.ndjson");
    const result = bench(
      ...["record", "random", "dials/traffic", "--env-options", '{"rows":2,"columns":2,"maxSteps":30}'],
      ...["--every", "10", "--out", out, "--cityflow", "--observations", "--json", "--backend", "cpu"],
    );
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ algorithm: "random", steps: [30] });
    const replay = await parseReplayBytes(readFileSync(out));
    expect(replay.episodes[0].frames.map((frame) => frame.t)).toEqual([0, 10, 20, 30]);
    expect(replay.episodes[0].frames[3].obs?.length).toBe(4 * replay.header.obsDim);
    expect(readFileSync(printed.cityflowFiles.replayLogFile, "utf8").trimEnd().split("\n")).toHaveLength(30);
    const bad = bench("record", "random", "aloha", "--every", "0");
    expect(bad.status).toBe(2);
    // A run that fails before its first whole episode leaves no file, so the fixed re-run is not refused.
    const failing = join(scratch, "failing.ndjson");
    const failed = bench(
      ...["record", "ltos", "mpe/cooperative-navigation", "--agents", "6", "--config", '{"maxNeighbors":1}'],
      ...["--out", failing, "--backend", "cpu"],
    );
    expect(failed.stderr).toMatch(/maxNeighbors/);
    expect(existsSync(failing)).toBe(false);
  }, 60_000);
});

/** The overlay `name` of every frame of a one-episode recording of the algorithm's untrained learner. */
async function recordedGraphs(algorithmId: string, envId: string, name: string): Promise<ReplayGraph[]> {
  const outPath = join(scratch, `${algorithmId}.ndjson`);
  recordReplay({
    algorithmId,
    envId,
    episodes: 1,
    seed: 0,
    outPath,
    recordEvery: 1,
    envOptions: envId === "prisoners-dilemma" ? { numAgents: 4, layout: "ring", maxSteps: 6 } : {},
  });
  const replay = await parseReplayBytes(readFileSync(outPath));
  return replay.episodes[0].frames.flatMap((frame) => (frame.graphs?.[name] ? [frame.graphs[name]] : []));
}

function recordedOptions(saved: string) {
  return {
    algorithmId: "tabular-q",
    envId: "coordination-game",
    policyDirectory: saved,
    episodes: 1,
    seed: 0,
    outPath: join(scratch, "other.ndjson"),
    recordEvery: 1,
  };
}
