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
import { initBackend } from "@netmarl/graph-nn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tabularQAlgorithm } from "../learners/tabular-q-learner.js";
import { type MetricsCsvRow, readMetricsCsv } from "../metrics/csv-metrics-sink.js";
import { JsonlMetricsSink, type MetricRecord, readJsonl } from "../metrics/metrics-sink.js";
import { writeStateFile } from "../persistence/state-file.js";
import { createResumeTestRunner, RESUME_CASES, type ResumeCaseName } from "./resume-child.fixture.js";
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

/**
 * Runs the resume fixture in a child process towards `total` steps and kills it with SIGKILL: from
 * here as soon as it reports a checkpoint at `kill.afterCheckpoint` steps or later, or by itself at
 * step `kill.atStep`. Resolves once the child is dead.
 */
function killChild(
  directory: string,
  total: number,
  learner: ResumeCaseName,
  kill: { afterCheckpoint: number } | { atStep: number },
): Promise<void> {
  const selfKill = "atStep" in kill ? [String(kill.atStep)] : [];
  const child = spawn(
    process.execPath,
    [
      "--conditions=@netmarl/source",
      "--import",
      "tsx",
      join(import.meta.dirname, "resume-child.fixture.ts"),
      directory,
      String(total),
      learner,
      ...selfKill,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    if (!("afterCheckpoint" in kill)) return;
    for (const match of chunk.toString().matchAll(/checkpoint (\d+)/g)) {
      if (Number(match[1]) >= kill.afterCheckpoint) child.kill("SIGKILL");
    }
  });
  return new Promise((resolve, reject) => {
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`child exited (${code}) before it was killed: ${stderr}`));
    });
  });
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
    await killChild(directory, TOTAL * 50, "tabular-q", { afterCheckpoint: 6_000 });
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

/**
 * Every neural learner of this package: a child process trains it on the cue game with a checkpoint
 * every 50 steps and is killed (SIGKILL) at step 77; the run resumed from the step-50 file in this
 * process must write exactly the records of an uninterrupted run (updates, episodes, evaluations).
 * All children start at once, so their start-up overlaps.
 */
describe("kill -9 and resume, every neural learner (cpu backend, as the child)", () => {
  const NEURAL_TOTAL = 120;
  /** Mid-episode, after the checkpoint at step 50 and before the one at 100. */
  const KILL_AT_STEP = 77;
  const neural = Object.keys(RESUME_CASES).filter((name) => name !== "tabular-q") as ResumeCaseName[];
  const killed = new Map<ResumeCaseName, Promise<void>>();
  beforeAll(async () => {
    await initBackend("cpu", { log: false });
    for (const name of neural)
      killed.set(name, killChild(folder(`killed-${name}`), NEURAL_TOTAL, name, { atStep: KILL_AT_STEP }));
  });

  it.each(neural)(
    "%s",
    async (name) => {
      const reference = folder(`uninterrupted-${name}`);
      const referenceRunner = createResumeTestRunner(reference, NEURAL_TOTAL, undefined, name);
      referenceRunner.run();
      referenceRunner.learner.dispose();
      const directory = folder(`killed-${name}`);
      await killed.get(name);
      const checkpoint = loadRunCheckpoint(join(directory, "checkpoint.bin"));
      expect(checkpoint.envSteps).toBeGreaterThanOrEqual(50);
      expect(checkpoint.envSteps).toBeLessThan(NEURAL_TOTAL);
      const resumedRunner = createResumeTestRunner(directory, NEURAL_TOTAL, undefined, name);
      resumedRunner.run({ resumeFrom: join(directory, "checkpoint.bin") });
      resumedRunner.learner.dispose();
      const records = comparable(directory);
      // Learning happened on both sides of the kill, so the comparison covers the restored optimiser.
      const updates = records.jsonl.filter((r) => r.kind === "update").map((r) => r.envSteps as number);
      expect(updates.some((steps) => steps <= checkpoint.envSteps)).toBe(true);
      expect(updates.some((steps) => steps > checkpoint.envSteps)).toBe(true);
      expect(records).toEqual(comparable(reference));
    },
    120_000,
  );
});
