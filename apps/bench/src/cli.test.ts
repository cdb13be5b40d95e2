import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMetricsCsv } from "@netmarl/trainers";
import { afterAll, describe, expect, it } from "vitest";
import { bench, repoRoot } from "./cli.fixture.js";
import { ALGORITHMS } from "./registry/algorithms.js";
import { SUITES } from "./suites/suite-registry.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("netmarl-bench CLI", () => {
  it("list --json names every registered algorithm and suite", () => {
    const { status, stdout } = bench("list", "--json");
    expect(status).toBe(0);
    const listed = JSON.parse(stdout) as { algorithms: { id: string }[]; suites: { name: string }[] };
    expect(listed.algorithms.map((a) => a.id)).toEqual(ALGORITHMS.map((a) => a.id));
    expect(listed.suites.map((s) => s.name)).toEqual(SUITES.map((s) => s.name));
  }, 30_000);

  it("train runs a neural learner on the chosen backend and writes its metrics as CSV", () => {
    const metrics = join(scratch, "runs", "dqn.csv");
    const { status, stdout, stderr } = bench(
      "train",
      "dqn",
      "aloha",
      "--steps",
      "300",
      "--config",
      '{"batchSize":4}',
      "--backend",
      "cpu",
      "--metrics",
      metrics,
      "--json",
    );
    expect(stderr).not.toMatch(/Error|No backend/);
    expect(status).toBe(0);
    const result = JSON.parse(stdout) as { backend: string; envSteps: number; algorithm: string };
    expect(result).toMatchObject({ backend: "cpu", envSteps: 300, algorithm: "dqn" });
    const rows = readMetricsCsv(readFileSync(metrics, "utf8"));
    expect(rows.some((row) => row.kind === "update" && row.metric === "loss/td")).toBe(true);
    expect(rows.filter((row) => row.metric === "episode/return")).toHaveLength(300 / 20);
    expect(rows.some((row) => row.kind === "evaluation")).toBe(true);
  }, 60_000);

  it("train refuses a metrics file of an unknown kind, naming the option", () => {
    const { status, stderr } = bench("train", "random", "aloha", "--steps", "20", "--metrics", "out.txt");
    expect(status).toBe(1);
    expect(stderr).toMatch(/--metrics out\.txt: expected a file ending in \.csv or \.jsonl/);
  }, 30_000);

  it("train says that no episode finished instead of printing NaN (jungle episodes are 120 steps)", () => {
    const { status, stdout } = bench("train", "random", "jungle", "--steps", "100", "--eval-episodes", "1");
    expect(status).toBe(0);
    expect(stdout).not.toMatch(/NaN/);
    expect(stdout).toMatch(/mean training return none \(no episode finished within 100 steps\)/);
  }, 30_000);

  it("rejects --seeds with an empty entry or a repeated seed as a usage error (exit 2)", () => {
    for (const [seeds, reason] of [
      ["7,", /has an empty entry/],
      ["7,7", /seed 7 is listed twice/],
    ] as const) {
      const { status, stderr } = bench("run", "quick", "--seeds", seeds, "--out", join(scratch, "never"));
      expect(status, seeds).toBe(2);
      expect(stderr).toMatch(reason);
    }
    expect(existsSync(join(scratch, "never"))).toBe(false);
  }, 30_000);

  it("--version prints the package version", () => {
    const { status, stdout } = bench("--version");
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(
      JSON.parse(readFileSync(join(repoRoot, "apps/bench/package.json"), "utf8")).version,
    );
  }, 30_000);

  it("train takes --env-options and --config as inline JSON or a YAML file, and suggests unknown keys", () => {
    const configFile = join(scratch, "tabular.yaml");
    writeFileSync(configFile, "learningRate: 0.2\nepsilonDecaySteps: 50\n");
    const ok = bench(
      "train",
      "tabular-q",
      "coordination-game",
      "--agents",
      "7",
      "--env-options",
      '{"tieMargin":2}',
      "--config",
      configFile,
      "--steps",
      "100",
      "--eval-episodes",
      "1",
      "--json",
    );
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ agents: 7, envSteps: 100, envId: "coordination-game-v1" });
    const seven = bench("train", "random", "coordination-game", "--agents", "7", "--steps", "10");
    expect(seven.stderr).toMatch(
      /numAgents = 7 .*pass tieMargin \(set environment options with --env-options; `describe coordination-game-v1` lists them\)/,
    );
    const typo = bench(
      "train",
      "tabular-q",
      "coordination-game",
      "--config",
      '{"lerningRate":0.1}',
      "--steps",
      "10",
    );
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(
      /Unrecognized key: "lerningRate"\. Did you mean "learningRate"\? Known keys: learningRate,.*\(set it with --config; `describe tabular-q` lists the keys\)/,
    );
    const unknown = bench("train", "mapo", "coordinaton-game", "--steps", "10");
    expect(unknown.stderr).toMatch(/Unknown (algorithm "mapo"|environment "coordinaton-game").*Did you mean/);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("train --save writes a policy that evaluate plays again; --metrics refuses an existing file", () => {
    const metrics = join(scratch, "tabular-metrics.jsonl");
    // Same evaluation seed and episode count: the saved policy reproduces train's final greedy
    // evaluation exactly, for a table and for a neural network (weights through the state file).
    for (const [algorithm, steps, config] of [
      ["tabular-q", "3000", "{}"],
      ["dqn", "600", '{"batchSize":8,"rnnHiddenSize":16}'],
    ] as const) {
      const saved = join(scratch, `saved-${algorithm}`);
      const trained = bench(
        ...["train", algorithm, "coordination-game", "--steps", steps, "--config", config],
        ...["--eval-episodes", "5", "--save", saved, "--json", "--backend", "wasm"],
        ...(algorithm === "tabular-q" ? ["--metrics", metrics] : []),
      );
      expect(trained.status, trained.stderr).toBe(0);
      const evaluated = bench("evaluate", saved, "--episodes", "5", "--json", "--backend", "wasm");
      expect(evaluated.status, evaluated.stderr).toBe(0);
      expect(JSON.parse(evaluated.stdout)).toMatchObject({
        algorithm,
        envId: "coordination-game-v1",
        episodes: 5,
        meanReturn: JSON.parse(trained.stdout).lastEvaluationReturn,
      });
    }
    expect(bench("evaluate", join(scratch, "nothing-here")).stderr).toMatch(/has no policy\.json/);
    const again = bench("train", "tabular-q", "coordination-game", "--steps", "10", "--metrics", metrics);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--metrics .*tabular-metrics\.jsonl already exists/);
  }, 90_000);

  it("tabular-q refuses continuous observations", () => {
    const unbounded = bench("train", "tabular-q", "mpe/cooperative-navigation", "--steps", "10");
    expect(unbounded.status).toBe(1);
    expect(unbounded.stderr).toMatch(
      /tabular-q: needs discrete observations; .* is continuous and unbounded/,
    );
    const tooMany = bench(
      "train",
      "tabular-q",
      "jungle",
      "--steps",
      "200",
      "--config",
      '{"maxTableRows":50}',
    );
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/more than maxTableRows = 50 distinct observations in jungle/);
  }, 60_000);
});
