/**
 * The DIALS side of `bench worker`: agent-group jobs from the DIALS queue, each run on a bench
 * worker thread (decode, validate, train, encode all happen there).
 */
import { UnrecoverableError, Worker } from "bullmq";
import type { ThreadPool } from "../execution/worker-pool.js";
import { connectQueue, DIALS_QUEUE } from "./queue-connection.js";

export interface DialsQueueWorkerOptions {
  url: string;
  concurrency: number;
  /** The worker threads that run the jobs (shared with the seed worker). */
  pool: ThreadPool;
  /** Backend of a job that does not name one. */
  backend?: string;
  lockSeconds?: number;
  log: (line: string) => void;
}

export function startDialsQueueWorker(options: DialsQueueWorkerOptions): { close(): Promise<void> } {
  const { pool } = options;
  const connection = connectQueue(options.url);
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const worker = new Worker<Record<string, unknown>, string>(
    DIALS_QUEUE,
    async (job) => {
      const data =
        options.backend !== undefined &&
        job.data &&
        typeof job.data === "object" &&
        job.data.backend === undefined
          ? { ...job.data, backend: options.backend }
          : job.data;
      try {
        return await pool.run<string>({ kind: "dials-group", task: data });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.log(`DIALS job ${job.id} failed: ${reason}`);
        // the same task fails the same way again: fail the call once, with its reason
        throw new UnrecoverableError(reason);
      }
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 3,
    },
  );
  worker.on("error", (error) => options.log(`DIALS queue error: ${error.message}`));
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
