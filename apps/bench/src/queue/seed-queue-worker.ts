/**
 * `bench worker`: pulls seed jobs from the queue and runs each on a bench worker thread — the same
 * `runSeedJob` as `bench run` — so the main thread stays free to renew BullMQ's job locks. A job
 * whose worker dies (kill -9) loses its lock; BullMQ's stalled-job check then hands it to another
 * worker, which resumes from the seed's last checkpoint when the store is shared.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UnrecoverableError, Worker } from "bullmq";
import type { SeedJobResult } from "../execution/run-seed-job.js";
import type { ThreadPool } from "../execution/worker-pool.js";
import { seedPaths } from "../results/result-store.js";
import { connectQueue, describeQueueUrl, SEED_QUEUE } from "./queue-connection.js";
import { packFile, parseSeedMessage, type SeedJobReturn } from "./seed-job-message.js";

/** Marks a suite folder with its coordinator's token; a worker that finds it shares the store. */
export const STORE_TOKEN_FILE = ".queue-store-token";

/** Options of {@link startSeedQueueWorker}. */
export interface SeedQueueWorkerOptions {
  url: string;
  /** Jobs run at once. */
  concurrency: number;
  /** The worker threads that run the jobs (shared with the DIALS worker). */
  pool: ThreadPool;
  /** The only folder this worker writes to (suites go to `<store>/<suite>`). */
  storeDirectory: string;
  /** Backend of a job that does not name one. */
  backend?: string;
  /** Seconds a job's lock lasts without renewal: how soon a dead worker's job moves on (BullMQ default 30). */
  lockSeconds?: number;
  log: (line: string) => void;
}

/** How often a running job's progress is written to Redis. */
const PROGRESS_INTERVAL_MS = 1000;

export function startSeedQueueWorker(options: SeedQueueWorkerOptions): { close(): Promise<void> } {
  const { pool } = options;
  const connection = connectQueue(options.url);
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const worker = new Worker<unknown, SeedJobReturn>(
    SEED_QUEUE,
    async (job) => {
      let message: ReturnType<typeof parseSeedMessage>;
      try {
        if (job.name !== "seed") throw new RangeError(`unknown job name "${job.name}"; expected "seed"`);
        message = parseSeedMessage(job.data);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.log(`rejected job ${job.id}: ${reason}`);
        // refused for good: retrying a malformed message cannot help
        throw new UnrecoverableError(`rejected: ${reason}`);
      }
      const suiteDirectory = join(options.storeDirectory, message.suite);
      const tokenFile = join(suiteDirectory, STORE_TOKEN_FILE);
      const shared = existsSync(tokenFile) && readFileSync(tokenFile, "utf8").trim() === message.storeToken;
      options.log(
        `job ${job.id}: ${message.experiment.algorithm.id} on ${message.experiment.env.id}, seed ${message.seed}${shared ? " (shared store)" : ""}`,
      );
      let lastProgress = 0;
      const running = pool.run<SeedJobResult>(
        {
          kind: "seed",
          job: {
            suiteName: message.suite,
            suiteDirectory,
            experiment: message.experiment,
            seed: message.seed,
            backend: message.backend ?? options.backend,
          },
        },
        (progress) => {
          if (performance.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = performance.now();
          job.updateProgress({ ...progress }).catch(() => {});
        },
      );
      // a failure is final (attempts: 1): the same data fails the same way on any worker
      const result = await running.catch((error: Error) => {
        options.log(`job ${job.id} failed: ${error.message}`);
        throw error;
      });
      options.log(`job ${job.id}: ${result.outcome}`);
      if (shared) return { outcome: result.outcome, summary: result.summary };
      const seedDirectory = seedPaths(suiteDirectory, message.experiment, message.seed).directory;
      const read = (file: string) => packFile(readFileSync(join(seedDirectory, file), "utf8"));
      return {
        outcome: result.outcome,
        summary: result.summary,
        files: { config: read("config.json"), metrics: read("metrics.jsonl"), summary: read("summary.json") },
      };
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 3,
    },
  );
  worker.on("error", (error) => options.log(`queue error: ${error.message}`));
  options.log(
    `worker: ${options.concurrency} thread(s) on ${describeQueueUrl(options.url)}, store ${options.storeDirectory}`,
  );
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
