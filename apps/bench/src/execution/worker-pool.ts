import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RunProgress } from "@netmarl/trainers";
import type { SeedJob, SeedJobResult } from "./run-seed-job.js";

/** The worker entry: `dist/worker.js` when built, a tsx bootstrap of `src/worker.ts` from sources. */
function workerEntry(): { path: string; execArgv: string[] } {
  const built = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (existsSync(built)) return { path: built, execArgv: process.execArgv };
  const source = fileURLToPath(new URL("../worker-from-source.mjs", import.meta.url));
  // Keep the main thread's flags except --import (loader hooks do not carry over; the bootstrap
  // registers tsx itself) and make sure workspace packages resolve to their sources.
  const execArgv = process.execArgv.filter((arg, i, all) => arg !== "--import" && all[i - 1] !== "--import");
  if (!execArgv.some((arg) => arg.includes("@netmarl/source"))) execArgv.push("--conditions=@netmarl/source");
  return { path: source, execArgv };
}

/** Work a bench worker thread runs (see `src/worker.ts`). */
export type ThreadTask = { kind: "seed"; job: SeedJob } | { kind: "dials-group"; task: unknown };

/** Messages from a bench worker thread. */
export type ThreadReply =
  | { id: number; type: "progress"; progress: RunProgress }
  | { id: number; type: "done"; result: unknown }
  | { id: number; type: "error"; message: string };

interface Running {
  onProgress?: (progress: RunProgress) => void;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * `size` long-lived bench worker threads; {@link ThreadPool.run} hands a task to a free thread (or
 * waits for one). Used by `bench run` (a fixed list of seeds) and by `bench worker` (jobs from a
 * queue, whose main thread must stay free to renew the job locks while a seed trains).
 */
export class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private readonly running = new Map<Worker, Running>();
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.release(this.spawn());
  }

  /** A new thread; one that crashes fails its task and is replaced. */
  private spawn(): Worker {
    const entry = workerEntry();
    const worker = new Worker(entry.path, { execArgv: entry.execArgv });
    worker.on("message", (reply: ThreadReply) => this.receive(worker, reply));
    worker.on("error", (error) => {
      this.finish(worker, new Error(`a worker thread crashed: ${error.message}`));
      this.workers.splice(this.workers.indexOf(worker), 1);
      if (!this.closed) this.release(this.spawn());
    });
    this.workers.push(worker);
    return worker;
  }

  /** Gives a free thread to the next waiting task, or marks it idle. */
  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  run<T>(task: ThreadTask, onProgress?: (progress: RunProgress) => void): Promise<T> {
    return new Promise<Worker>((resolve) => {
      const worker = this.idle.pop();
      if (worker) resolve(worker);
      else this.waiting.push(resolve);
    }).then(
      (worker) =>
        new Promise<T>((resolve, reject) => {
          this.running.set(worker, { onProgress, resolve: resolve as (result: unknown) => void, reject });
          worker.postMessage({ id: this.nextId++, ...task });
        }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private receive(worker: Worker, reply: ThreadReply): void {
    const running = this.running.get(worker);
    if (!running) return;
    if (reply.type === "progress") running.onProgress?.(reply.progress);
    else this.finish(worker, reply.type === "done" ? undefined : new Error(reply.message), reply);
  }

  private finish(worker: Worker, error: Error | undefined, reply?: ThreadReply): void {
    const running = this.running.get(worker);
    if (!running) return;
    this.running.delete(worker);
    if (error) running.reject(error);
    else running.resolve((reply as { result: unknown }).result);
    // a crashed thread is not reused (spawn replaces it)
    if (reply !== undefined) this.release(worker);
  }
}

/**
 * Runs seed jobs on `size` worker threads, each job on whichever worker is free; results come back
 * in job order. A job that fails rejects the whole run after the running jobs finish.
 */
export async function runJobsInWorkers(
  jobs: readonly SeedJob[],
  size: number,
  onProgress: (jobIndex: number, progress: RunProgress) => void,
  onDone: (jobIndex: number, result: SeedJobResult) => void,
): Promise<SeedJobResult[]> {
  const pool = new ThreadPool(Math.min(size, jobs.length));
  const results: SeedJobResult[] = new Array(jobs.length);
  const failures: string[] = [];
  try {
    await Promise.all(
      jobs.map(async (job, index) => {
        try {
          if (failures.length > 0) return;
          results[index] = await pool.run<SeedJobResult>({ kind: "seed", job }, (progress) =>
            onProgress(index, progress),
          );
          // A throwing callback must fail the run, not escape as an uncaught exception.
          onDone(index, results[index]);
        } catch (error) {
          failures.push(`job ${index}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  if (failures.length > 0) throw new Error(`Suite run failed:\n- ${failures.join("\n- ")}`);
  return results;
}
