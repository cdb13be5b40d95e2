import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSuite, type SuiteInput } from "../suites/experiment-schema.js";
import { runSuite } from "./run-suite.js";
import { snapshotSuite } from "./suite-snapshot.fixture.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-suite-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");

const suiteInput: SuiteInput = {
  name: "mini",
  description: "test suite",
  figure: "none",
  experiments: [
    {
      env: { id: "coordination-game", options: { numAgents: 3 } },
      algorithm: { id: "tabular-q", config: { epsilonDecaySteps: 20_000 } },
      run: { steps: 60_000, evalEvery: 10_000, evalEpisodes: 5, checkpointEvery: 5_000 },
      seeds: [0, 1],
    },
    {
      env: { id: "coordination-game", options: { numAgents: 3 } },
      algorithm: { id: "random" },
      run: { steps: 20_000, evalEvery: 10_000, evalEpisodes: 5 },
      seeds: [0, 1],
    },
  ],
};
const suite = parseSuite(suiteInput);

const serialOut = join(scratch, "serial");
const serial = await runSuite(suite, { outDirectory: serialOut, workers: 1, backend: "cpu" });

describe("runSuite", () => {
  it("writes the result layout and a manifest", () => {
    expect(serial.results.map((r) => r.outcome)).toEqual(["ran", "ran", "ran", "ran"]);
    const seedDirectory = join(serialOut, "mini", "coordination-game-v1", "tabular-q", "seed-1");
    for (const file of ["config.json", "metrics.jsonl", "summary.json", "checkpoints/checkpoint.bin"]) {
      expect(existsSync(join(seedDirectory, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(serialOut, "mini", "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: "netmarl-results",
      suite: { name: "mini" },
      machine: { backend: "cpu" },
    });
    expect(manifest.seeds).toHaveLength(4);
    expect(manifest.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
  });

  it("gives identical results with 2 worker threads", async () => {
    const parallelOut = join(scratch, "parallel");
    await runSuite(suite, { outDirectory: parallelOut, workers: 2, backend: "cpu" });
    expect(snapshotSuite(join(parallelOut, "mini"))).toEqual(snapshotSuite(join(serialOut, "mini")));
  }, 60_000);

  it("skips finished seeds when run again", async () => {
    const again = await runSuite(suite, { outDirectory: serialOut, workers: 1, backend: "cpu" });
    expect(again.results.map((r) => r.outcome)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
  });

  it("after kill -9 mid-suite, running again resumes and ends with the uninterrupted results", async () => {
    const killedOut = join(scratch, "killed");
    const suiteFile = join(scratch, "mini.json");
    writeFileSync(suiteFile, JSON.stringify(suiteInput));
    const child = spawn(
      process.execPath,
      [
        "--conditions=@netmarl/source",
        "--import",
        "tsx",
        join(import.meta.dirname, "run-suite-child.fixture.ts"),
        suiteFile,
        killedOut,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    // Kill once the second tabular-q seed has written a checkpoint (the first seed is then finished).
    const checkpoint = join(
      killedOut,
      "mini",
      "coordination-game-v1",
      "tabular-q",
      "seed-1",
      "checkpoints",
      "checkpoint.bin",
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(checkpoint)) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 5);
      child.once("exit", () => {
        clearInterval(timer);
        reject(new Error("the child finished before it could be killed"));
      });
    });
    await new Promise((resolve) => child.once("close", resolve));
    expect(
      existsSync(join(killedOut, "mini", "coordination-game-v1", "tabular-q", "seed-1", "summary.json")),
    ).toBe(false);
    const resumed = await runSuite(suite, { outDirectory: killedOut, workers: 1, backend: "cpu" });
    expect(resumed.results.map((r) => r.outcome)).toEqual(["skipped", "resumed", "ran", "ran"]);
    expect(snapshotSuite(join(killedOut, "mini"))).toEqual(snapshotSuite(join(serialOut, "mini")));
  }, 60_000);

  it("refuses unknown environments and algorithms before touching the disk", async () => {
    const bad = parseSuite({
      ...suiteInput,
      name: "bad",
      experiments: [{ ...suiteInput.experiments[1], algorithm: { id: "nope" } }],
    });
    await expect(runSuite(bad, { outDirectory: join(scratch, "bad"), workers: 1 })).rejects.toThrow(
      /Unknown algorithm "nope"/,
    );
    expect(existsSync(join(scratch, "bad"))).toBe(false);
  });

  it("validates every experiment's config and env options before the first job, naming experiment and field", async () => {
    const late = parseSuite({
      ...suiteInput,
      name: "late-error",
      experiments: [
        suiteInput.experiments[1],
        { ...suiteInput.experiments[0], algorithm: { id: "tabular-q", config: { learningRate: 5 } } },
        {
          ...suiteInput.experiments[1],
          name: "seven",
          env: { id: "coordination-game", options: { numAgents: 7 } },
        },
      ],
    });
    const out = join(scratch, "late-error");
    await expect(runSuite(late, { outDirectory: out, workers: 1 })).rejects.toThrow(
      /suite late-error: experiments\.1 \(coordination-game-v1\/tabular-q\): tabular-q config: learningRate = 5: /,
    );
    expect(existsSync(out)).toBe(false);
    const fixed = parseSuite({ ...late, experiments: [late.experiments[0], late.experiments[2]] });
    await expect(runSuite(fixed, { outDirectory: out, workers: 1 })).rejects.toThrow(
      /experiments\.1 \(coordination-game-v1\/random~seven\): coordination-game options: numAgents = 7 .*pass tieMargin/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
