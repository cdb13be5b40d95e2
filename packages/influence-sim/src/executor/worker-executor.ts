/**
 * The embedded default executor: `workers` threads, agent i owned by thread i mod workers. Each
 * thread initialises its own TensorFlow.js backend and builds its agents (local simulator, AIP,
 * PPO) from the plain-data setup; datasets go in and agent states come back as transferred typed
 * arrays. Since every agent draws only from its own Rng streams and runs the same ops on the same
 * backend, the numbers do not depend on how many threads there are.
 *
 * A thread that throws, exits or is terminated fails the pending call with an
 * {@link AgentPhaseError} naming its agents and the phase.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import {
  type AgentInfluenceResult,
  AgentPhaseError,
  type AgentTrainingResult,
  type DialsExecutor,
  type DialsPhase,
  type ExecutorSetup,
} from "./dials-executor.js";
import { transferablesOf, type WorkerReply, type WorkerRequest } from "./worker-protocol.js";

/** Options of {@link WorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** Threads (>= 1, at most the number of agents). */
  workers: number;
  /** Backend every thread initialises (default: the calling thread's current backend). */
  backend?: string;
}

/** `dist/worker.js` when built, a tsx bootstrap of `src/worker.ts` from sources. */
function workerEntry(): { path: string; execArgv: string[] } {
  const built = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (existsSync(built)) return { path: built, execArgv: process.execArgv };
  const source = fileURLToPath(new URL("../worker-from-source.mjs", import.meta.url));
  const execArgv = process.execArgv.filter((arg, i, all) => arg !== "--import" && all[i - 1] !== "--import");
  if (!execArgv.some((arg) => arg.includes("@netmarl/source"))) execArgv.push("--conditions=@netmarl/source");
  return { path: source, execArgv };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  phase: DialsPhase | "start";
}

class WorkerHandle {
  readonly worker: Worker;
  readonly agents: number[];
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Why the thread is gone, once it is. */
  private failure: string | undefined;

  constructor(agents: number[]) {
    const entry = workerEntry();
    this.agents = agents;
    this.worker = new Worker(entry.path, { execArgv: entry.execArgv });
    this.worker.on("message", (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      if (reply.type === "result") pending.resolve(reply.value);
      else pending.reject(new AgentPhaseError(reply.agents, reply.phase, reply.message));
    });
    this.worker.on("error", (error) => this.fail(`the worker thread crashed: ${error.message}`));
    this.worker.on("exit", (code) => this.fail(`the worker thread exited (code ${code})`));
  }

  call<T>(request: WorkerRequest, phase: DialsPhase | "start", transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure !== undefined)
      return Promise.reject(new AgentPhaseError(this.agents, phase, this.failure));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, phase });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private fail(detail: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new AgentPhaseError(this.agents, pending.phase, detail));
    }
    this.failure ??= detail;
  }
}

export class WorkerExecutor implements DialsExecutor {
  readonly name = "worker_threads";
  private readonly options: WorkerExecutorOptions;
  private handles: WorkerHandle[] = [];
  private numAgents = 0;

  constructor(options: WorkerExecutorOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`WorkerExecutor: workers = ${options.workers}; expected an integer >= 1`);
    }
    this.options = options;
  }

  async start(setup: ExecutorSetup): Promise<void> {
    await this.close();
    const { workers } = this.options;
    if (workers > setup.numAgents) {
      throw new RangeError(
        `WorkerExecutor: workers = ${workers}; expected at most the number of agents (${setup.numAgents})`,
      );
    }
    this.numAgents = setup.numAgents;
    const backend = this.options.backend ?? tf.getBackend();
    this.handles = Array.from(
      { length: workers },
      (_, w) =>
        new WorkerHandle(
          Array.from({ length: setup.numAgents }, (_, i) => i).filter((i) => i % workers === w),
        ),
    );
    await Promise.all(
      this.handles.map((handle) =>
        handle.call({ type: "start", setup, agents: handle.agents, backend }, "start"),
      ),
    );
  }

  async trainInfluence(datasets: InfluenceDataset[]): Promise<AgentInfluenceResult[]> {
    const results = await Promise.all(
      this.handles.map((handle) => {
        const own = handle.agents.map((agent) => [agent, datasets[agent]] as [number, InfluenceDataset]);
        return handle.call<AgentInfluenceResult[]>(
          { type: "trainInfluence", datasets: own },
          "influence-training",
          transferablesOf(own),
        );
      }),
    );
    return this.byAgent(results.flat());
  }

  async trainAgents(steps: number): Promise<AgentTrainingResult[]> {
    const results = await Promise.all(
      this.handles.map((handle) =>
        handle.call<AgentTrainingResult[]>({ type: "trainAgents", steps }, "local-training"),
      ),
    );
    return this.byAgent(results.flat());
  }

  /** Terminates thread `index` (fault tests, manual cancel); its pending and later calls fail. */
  async terminateWorker(index: number): Promise<void> {
    await this.handles[index]?.worker.terminate();
  }

  async close(): Promise<void> {
    const handles = this.handles;
    this.handles = [];
    await Promise.all(handles.map((handle) => handle.worker.terminate()));
  }

  private byAgent<T extends { agent: number }>(results: T[]): T[] {
    const ordered = new Array<T>(this.numAgents);
    for (const result of results) ordered[result.agent] = result;
    return ordered;
  }
}
