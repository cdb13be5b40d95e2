import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoordinationGame } from "@netmarl/envs";
import { afterAll, describe, expect, it } from "vitest";
import { tabularQAlgorithm } from "../learners/tabular-q-learner.js";
import { type MetricsCsvRow, readMetricsCsv } from "../metrics/csv-metrics-sink.js";
import { JsonlMetricsSink, type MetricRecord, readJsonl } from "../metrics/metrics-sink.js";
import { writeStateFile } from "../persistence/state-file.js";
import { createResumeTestRunner } from "./resume-child.fixture.js";
import { loadRunCheckpoint } from "./run-checkpoint.js";
import { Runner } from "./runner.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");
const TOTAL = 30_000;

/** Records of both sinks without wall-clock fields, which differ between any two runs. */
function comparable(directory: string): { jsonl: MetricRecord[]; csv: MetricsCsvRow[] } {
  const records = readJsonl(readFileSync(join(directory, "metrics.jsonl"), "utf8"));
  const rows = readMetricsCsv(readFileSync(join(directory, "metrics.csv"), "utf8"));
  return {
    jsonl: records.map(({ "time/env-steps-per-second": _, ...rest }) => rest as MetricRecord),
    csv: rows.filter((row) => row.metric !== "time/env-steps-per-second"),
  };
}

function folder(name: string): string {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  return path;
}

const uninterrupted = folder("uninterrupted");
const reference = createResumeTestRunner(uninterrupted, TOTAL).run();

describe("checkpoints and resume", () => {
  it("a run stopped after a checkpoint and resumed equals the uninterrupted run", () => {
    const directory = folder("in-process");
    let checkpoints = 0;
    expect(() =>
      createResumeTestRunner(directory, TOTAL, () => {
        if (++checkpoints === 3) throw new Error("simulated crash");
      }).run(),
    ).toThrow("simulated crash");
    const resumed = createResumeTestRunner(directory, TOTAL).run({
      resumeFrom: join(directory, "checkpoint.bin"),
    });
    expect(resumed.meanEpisodeReturn).toBe(reference.meanEpisodeReturn);
    expect(resumed.lastEvaluationReturn).toBe(reference.lastEvaluationReturn);
    expect(comparable(directory)).toEqual(comparable(uninterrupted));
  });

  it("survives kill -9 of a child process mid-run", async () => {
    const directory = folder("killed");
    const child = spawn(
      process.execPath,
      [
        "--conditions=@netmarl/source",
        "--import",
        "tsx",
        join(import.meta.dirname, "resume-child.fixture.ts"),
        directory,
        String(TOTAL * 50),
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const killedAt = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const line = chunk.toString();
        if (line.includes("checkpoint 6000")) {
          child.kill("SIGKILL");
          resolve(line);
        }
      });
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before it was killed: ${stderr}`)));
    });
    expect(killedAt).toContain("checkpoint");
    await new Promise((resolve) => child.once("close", resolve));
    const checkpoint = loadRunCheckpoint(join(directory, "checkpoint.bin"));
    expect(checkpoint.envSteps).toBeGreaterThanOrEqual(6_000);
    expect(checkpoint.envSteps).toBeLessThan(TOTAL);
    // The child ran towards a longer total; resuming to TOTAL must give the uninterrupted run's records.
    const resumed = createResumeTestRunner(directory, TOTAL).run({
      resumeFrom: join(directory, "checkpoint.bin"),
    });
    expect(resumed.meanEpisodeReturn).toBe(reference.meanEpisodeReturn);
    expect(comparable(directory)).toEqual(comparable(uninterrupted));
  }, 60_000);

  it("a non-finite loss stops the run naming the term and leaves the last checkpoint intact", () => {
    const directory = folder("nan");
    const path = join(directory, "checkpoint.bin");
    let updates = 0;
    let lastCheckpoint = Buffer.alloc(0);
    const runner = new Runner({
      createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
      createLearner: (spec, rng) => {
        const learner = tabularQAlgorithm.create(spec, {}, rng);
        const update = learner.update.bind(learner);
        learner.update = () => (++updates > 7_000 ? { ...update(), "loss/td": Number.NaN } : update());
        return learner;
      },
      config: { totalEnvSteps: 20_000, checkpointEvery: 2_000 },
      checkpointPath: path,
      onCheckpoint: () => {
        lastCheckpoint = readFileSync(path);
      },
    });
    expect(() => runner.run()).toThrow(/update at env step 7001 returned a non-finite loss\/td = NaN/);
    expect(readFileSync(path).equals(lastCheckpoint)).toBe(true);
    expect(loadRunCheckpoint(path).envSteps).toBe(6_000);
  });

  it("refuses truncated, foreign and mismatched checkpoints with clear errors", () => {
    const directory = folder("bad");
    const good = join(uninterrupted, "checkpoint.bin");
    const bytes = readFileSync(good);
    const truncated = join(directory, "truncated.bin");
    writeFileSync(truncated, bytes.subarray(0, 200));
    expect(() => loadRunCheckpoint(truncated)).toThrow(/ends early \(truncated\)/);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 8));
    expect(() => loadRunCheckpoint(truncated)).toThrow(/ends early \(truncated\)/);
    const json = join(directory, "old.json");
    writeFileSync(json, JSON.stringify({ format: "netmarl-run-checkpoint", version: 1 }));
    expect(() => loadRunCheckpoint(json)).toThrow(/not a NetMARL state file/);
    const foreign = join(directory, "foreign.bin");
    writeStateFile(foreign, { hello: new Float32Array(3) });
    expect(() => loadRunCheckpoint(foreign)).toThrow(
      /format is undefined; expected "netmarl-run-checkpoint"/,
    );
    expect(() => loadRunCheckpoint(join(directory, "missing.bin"))).toThrow(/does not exist/);
    const other = new Runner({
      createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
      createLearner: (spec, rng) => tabularQAlgorithm.create(spec, {}, rng),
      config: { totalEnvSteps: 10, seed: 99 },
    });
    copyFileSync(good, join(directory, "copy.bin"));
    expect(() => other.run({ resumeFrom: join(directory, "copy.bin") })).toThrow(
      /made with seed 11, this run has seed 99/,
    );
    expect(existsSync(join(directory, "copy.bin"))).toBe(true);
  });

  it("JsonlMetricsSink.truncateAfter keeps records up to a step, dropping a torn tail", () => {
    const path = join(folder("truncate"), "metrics.jsonl");
    writeFileSync(path, '{"kind":"episode","envSteps":10}\n{"kind":"episode","envSteps":20}\n{"kind":"epi');
    const sink = new JsonlMetricsSink(path);
    sink.truncateAfter(15);
    sink.write({ kind: "episode", envSteps: 30 });
    sink.close();
    expect(readJsonl(readFileSync(path, "utf8")).map((r) => r.envSteps)).toEqual([10, 30]);
  });
});
