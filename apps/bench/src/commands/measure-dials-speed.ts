import { availableParallelism, loadavg } from "node:os";
import { type DialsPhase, runDials } from "@netmarl/influence-sim";
import { QueueExecutor } from "../queue/dials-queue-executor.js";

/** Options of {@link measureDialsSpeed}. */
export interface DialsSpeedOptions {
  /** Intersections per side of the traffic grid (5 → 25 agents). */
  side: number;
  /** Steps per agent in the measured iteration. */
  steps: number;
  /** Worker-thread counts to compare (0 = in-process); with `queueUrl`, agent groups (jobs per call). */
  workers: number[];
  seed: number;
  /** Train the agents through this Redis queue (`bench worker` processes) instead of worker threads. */
  queueUrl?: string;
  /** Backend the queue's workers use. */
  backend?: string;
}

/** One measured configuration. */
export interface DialsSpeedRow {
  variant: "dials" | "global";
  /** `inline`, `worker_threads`, `queue` or `global`. */
  executor: string;
  workers: number;
  agents: number;
  steps: number;
  /** Wall seconds of each phase of the first iteration (AIP training at step 0 included). */
  seconds: Record<DialsPhase, number>;
  /** Wall seconds of local (or global) training per 100K agent steps — the paper's unit. */
  trainingSecondsPer100kAgentSteps: number;
  /** Seconds inside simulator steps per agent step (local simulator, or the global step / N). */
  simulatorSecondsPerAgentStep: number;
  /** Load average of the machine when the row finished (the cores are shared). */
  loadAverage: number;
}

/**
 * Wall time of one DIALS iteration on the traffic grid with each worker count, and the GS
 * baseline's training round for comparison (`netmarl-bench dials-speed`, docs/benchmarks.md).
 * Test-scale AIP settings (1 200 collected steps, 5 epochs) keep the AIP phases short.
 */
export async function measureDialsSpeed(options: DialsSpeedOptions): Promise<DialsSpeedRow[]> {
  const environment = { id: "dials/traffic", options: { rows: options.side, columns: options.side } };
  const config = {
    totalSteps: options.steps,
    evalEvery: options.steps,
    influenceTrainEvery: options.steps,
    datasetSteps: 1_200,
    evalSteps: 300,
    influence: { epochs: 5 },
  };
  const rows: DialsSpeedRow[] = [];
  const runs: ["dials" | "global", number][] = [
    ...options.workers.map((workers) => ["dials", workers] as ["dials", number]),
    ["global", 0],
  ];
  for (const [variant, workers] of runs) {
    const queued = variant === "dials" && options.queueUrl !== undefined;
    const summary = await runDials({
      environment,
      config: { ...config, variant, workers: queued ? 0 : workers },
      seed: options.seed,
      executor: queued
        ? new QueueExecutor({ url: options.queueUrl!, groups: workers, backend: options.backend })
        : undefined,
    });
    const first = summary.iterations[0];
    rows.push({
      variant,
      executor: summary.executor,
      workers,
      agents: summary.numAgents,
      steps: options.steps,
      seconds: first.seconds,
      trainingSecondsPer100kAgentSteps: (first.seconds["local-training"] * 100_000) / first.agentSteps,
      simulatorSecondsPerAgentStep: first.simulatorSeconds / first.agentSteps,
      loadAverage: loadavg()[0] / availableParallelism(),
    });
  }
  return rows;
}
