import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aloha } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentPhaseError, type DialsExecutor } from "../executor/dials-executor.js";
import { InlineExecutor } from "../executor/inline-executor.js";
import { WorkerExecutor } from "../executor/worker-executor.js";
import { type DialsConfigInput, requireLocalView } from "./dials-config.js";
import { type DialsSummary, runDials } from "./run-dials.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-dials-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

// 2×2 traffic with 60-step episodes; 2 iterations of 64 steps per agent, AIPs trained at steps 0
// and 64 (2 epochs, warm start), evaluation every 64 steps; small PPO networks.
const environment = { id: "dials/traffic", options: { rows: 2, columns: 2, maxSteps: 60 } };
const config: DialsConfigInput = {
  totalSteps: 128,
  evalEvery: 64,
  influenceTrainEvery: 64,
  datasetSteps: 600,
  evalSteps: 60,
  influence: { epochs: 2 },
  ppo: { hiddenSizes: [32, 16], memorySize: 64 },
};

/** The numbers a run produces (timings aside). */
const numbers = (summary: DialsSummary) =>
  summary.iterations.map((r) => [r.step, r.evaluationReturn, r.influence, r.trainingReturn, r.agentSteps]);

describe("runDials", () => {
  it("same seed ⇒ the same numbers inline, with 1 and with 2 worker threads; no tensors left", async () => {
    const before = tf.memory().numTensors;
    const inline = await runDials({ environment, config, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(inline.iterations.map((r) => r.step)).toEqual([0, 64, 128]);
    expect(inline.iterations[0].influence?.finalTestLoss).toBeLessThan(
      inline.iterations[0].influence!.initialTestLoss,
    );
    // F = 64: retrained at steps 0 and 64, not again after the final evaluation
    expect(inline.iterations.map((r) => r.influence !== undefined)).toEqual([true, true, false]);
    expect(inline.iterations.every((r) => Number.isFinite(r.evaluationReturn))).toBe(true);
    expect(inline.iterations[0].seconds["local-training"]).toBeGreaterThan(0);
    const one = await runDials({ environment, config: { ...config, workers: 1 }, seed: 4 });
    const two = await runDials({ environment, config: { ...config, workers: 2 }, seed: 4 });
    expect(one.executor).toBe("worker_threads");
    expect(numbers(one)).toEqual(numbers(inline));
    expect(numbers(two)).toEqual(numbers(inline));
  }, 120_000);

  it("untrained-dials never trains its AIPs; global trains in the global simulator", async () => {
    const untrained = await runDials({
      environment,
      config: { ...config, variant: "untrained-dials" },
      seed: 4,
    });
    expect(untrained.iterations.every((r) => r.influence === undefined)).toBe(true);
    expect(untrained.iterations.every((r) => r.seconds["data-collection"] === 0)).toBe(true);
    const global = await runDials({ environment, config: { ...config, variant: "global" }, seed: 4 });
    expect(global.executor).toBe("global");
    expect(global.iterations.map((r) => r.step)).toEqual([0, 64, 128]);
    expect(global.iterations[0].simulatorSeconds).toBeGreaterThan(0);
  }, 60_000);

  it("warehouse: GRU AIPs over whole episodes, GRU policies, rollouts of 8", async () => {
    const summary = await runDials({
      environment: { id: "dials/warehouse", options: { maxSteps: 25 } },
      config: { ...config, datasetSteps: 250, evalSteps: 25 },
      seed: 2,
    });
    expect(summary.numAgents).toBe(4);
    const influence = summary.iterations[0].influence!;
    expect(influence.finalTestLoss).toBeLessThan(influence.initialTestLoss);
    expect(summary.iterations.every((r) => Number.isFinite(r.evaluationReturn))).toBe(true);
  }, 60_000);

  it("resumes exactly from the checkpoint written after each iteration", async () => {
    const path = join(scratch, "resume.state");
    const straight = await runDials({ environment, config, seed: 9 });
    // stop after the first iteration by failing the second
    const failing: DialsExecutor = new (class extends InlineExecutor {
      calls = 0;
      override async trainAgents(steps: number) {
        if (++this.calls === 2) throw new AgentPhaseError([1], "local-training", "injected failure");
        return super.trainAgents(steps);
      }
    })();
    await expect(
      runDials({ environment, config, seed: 9, executor: failing, checkpointPath: path }),
    ).rejects.toThrow(
      /agent 1 failed during local-training: injected failure; the last checkpoint .* is intact/,
    );
    expect(existsSync(path)).toBe(true);
    const resumed = await runDials({ environment, config, seed: 9, checkpointPath: path, resume: true });
    expect(numbers(resumed)).toEqual(numbers(straight));
  }, 60_000);

  it("a killed worker stops the run naming its agents and the phase; the checkpoint resumes", async () => {
    const path = join(scratch, "killed.state");
    const executor = new WorkerExecutor({ workers: 2 });
    let iterations = 0;
    const run = runDials({
      environment,
      config: { ...config, workers: 2 },
      seed: 5,
      executor,
      checkpointPath: path,
      onIteration: () => {
        // after the first checkpoint, kill worker 1 (agents 1 and 3) as the next iteration (which
        // retrains the AIPs at step 64) starts
        if (++iterations === 1) setTimeout(() => void executor.terminateWorker(1), 0);
      },
    });
    await expect(run).rejects.toThrow(
      /agents 1, 3 failed during influence-training: the worker thread exited/,
    );
    const resumed = await runDials({ environment, config, seed: 5, checkpointPath: path, resume: true });
    const straight = await runDials({ environment, config, seed: 5 });
    expect(numbers(resumed)).toEqual(numbers(straight));
  }, 120_000);

  it("refuses bad input with one-line errors", async () => {
    await expect(
      runDials({ environment, config: { ...config, influenceTrainEvery: 32, trainSteps: 64 }, seed: 1 }),
    ).rejects.toThrow(/influenceTrainEvery \(F\) = 32 < trainSteps = 64/);
    await expect(runDials({ environment, config: { ...config, workers: 5 }, seed: 1 })).rejects.toThrow(
      /workers = 5; expected at most the number of agents \(4\)/,
    );
    await expect(runDials({ environment: { id: "aloha" }, config, seed: 1 })).rejects.toThrow(
      /DIALS environment id "aloha"; expected one with a LocalView/,
    );
    expect(() => requireLocalView(new Aloha())).toThrow(/does not implement LocalView/);
    await expect(runDials({ environment, config: { ...config, evalEvery: 100 }, seed: 1 })).rejects.toThrow(
      /evalEvery = 100; expected a multiple of trainSteps = 64/,
    );
    await expect(
      runDials({ environment, config: { ...config, variant: "dial" } as never, seed: 1 }),
    ).rejects.toThrow(/variant/);
  });
});
