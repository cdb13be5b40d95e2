import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMetricsCsv } from "@netmarl/trainers";
import { afterAll, describe, expect, it } from "vitest";
import { bench } from "./cli.fixture.js";
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
      '{"learningStarts":50}',
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
});
