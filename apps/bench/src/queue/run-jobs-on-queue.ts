/**
 * The coordinator side of `bench run --queue`: enqueues the seeds its store does not hold yet (one
 * job per seed, deterministic ids, so a re-run re-attaches to the jobs already queued or running),
 * then polls their states — polling, not events, so a Redis restart only delays it — and writes
 * the files of seeds whose worker did not share the store.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunProgress, writeFileAtomic } from "@netmarl/trainers";
import { Job, Queue } from "bullmq";
import { inspectSeedJob, type SeedJob, type SeedJobResult } from "../execution/run-seed-job.js";
import { readOwnJson, type SeedSummaryFile } from "../results/result-store.js";
import { connectQueue, describeQueueUrl, SEED_QUEUE } from "./queue-connection.js";
import {
  SEED_MESSAGE_FORMAT,
  type SeedJobReturn,
  type SeedMessage,
  seedJobId,
  unpackFile,
} from "./seed-job-message.js";
import { STORE_TOKEN_FILE } from "./seed-queue-worker.js";

/** Options of {@link runJobsOnQueue}. */
export interface QueueRunOptions {
  url: string;
  /** Backend the workers should use (else each worker's own). */
  backend?: string;
  /** Milliseconds between two looks at the pending jobs. */
  pollMs?: number;
  onProgress?: (job: SeedJob, progress: RunProgress) => void;
  onDone?: (result: SeedJobResult) => void;
  /** Warnings (Redis unreachable, …); the URL in them has no credentials. */
  onWarning?: (line: string) => void;
}

/** The token in `<suite>/.queue-store-token`, written once; workers seeing it write there directly. */
function storeToken(suiteDirectory: string): string {
  const file = join(suiteDirectory, STORE_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = randomBytes(16).toString("hex");
  mkdirSync(suiteDirectory, { recursive: true });
  writeFileAtomic(file, `${token}\n`);
  return token;
}

/** Runs `jobs` (all of one suite folder) through the seed queue; results in job order. */
export async function runJobsOnQueue(
  jobs: readonly SeedJob[],
  options: QueueRunOptions,
): Promise<SeedJobResult[]> {
  const results: SeedJobResult[] = new Array(jobs.length);
  const pending = new Map<string, number>();
  const failures: string[] = [];
  const finish = (index: number, result: SeedJobResult) => {
    results[index] = result;
    options.onDone?.(result);
  };
  jobs.forEach((job, index) => {
    const { paths, status } = inspectSeedJob(job);
    if (status === "finished") {
      finish(index, { ...job, summary: readOwnJson<SeedSummaryFile>(paths.summary), outcome: "skipped" });
    } else pending.set(seedJobId(job.suiteName, job.experiment, job.seed), index);
  });
  if (pending.size === 0) return results;

  const connection = connectQueue(options.url);
  const queue = new Queue(SEED_QUEUE, { connection });
  // connection errors surface (once) through the polling below
  queue.on("error", () => {});
  try {
    const token = storeToken(jobs[0].suiteDirectory);
    const enqueue = async (id: string, index: number) => {
      const job = jobs[index];
      const message: SeedMessage = {
        format: SEED_MESSAGE_FORMAT,
        suite: job.suiteName,
        experiment: job.experiment,
        seed: job.seed,
        storeToken: token,
        ...(options.backend === undefined ? {} : { backend: options.backend as SeedMessage["backend"] }),
      };
      // an existing job with this id (queued, running or done) is kept: that is the re-attach
      await queue.add("seed", message, {
        jobId: id,
        attempts: 1,
        removeOnComplete: false,
        removeOnFail: false,
      });
      // a job that failed in an earlier run gets one new attempt per `bench run`; one that finished
      // into a shared store whose seed folder is gone since (removed by hand) runs again
      const existing = await Job.fromId<SeedMessage, SeedJobReturn>(queue, id);
      if (existing && (await existing.isFailed())) await existing.retry("failed");
      else if (existing && (await existing.isCompleted()) && existing.returnvalue?.files === undefined) {
        await existing.retry("completed");
      }
    };
    for (const [id, index] of pending) await enqueue(id, index);
    let unreachable = false;
    while (pending.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      try {
        for (const [id, index] of [...pending]) {
          // the state first (cheap); the job itself only when it ran or runs
          const state = await queue.getJobState(id);
          if (state === "waiting" || state === "prioritized" || state === "delayed") continue;
          const job =
            state === "unknown" ? undefined : await Job.fromId<SeedMessage, SeedJobReturn>(queue, id);
          // removed from the queue (by hand, or a Redis restarted without persistence): again
          if (job === undefined) {
            await enqueue(id, index);
            continue;
          }
          if (state === "completed") {
            pending.delete(id);
            try {
              finish(index, storeReturn(jobs[index], job.returnvalue));
            } catch (error) {
              failures.push(
                `job ${index} (${id}): ${error instanceof Error ? error.message : String(error)}`,
              );
            }
          } else if (state === "failed") {
            pending.delete(id);
            failures.push(`job ${index} (${id}): ${job.failedReason}`);
          } else if (state === "active" && job.progress && typeof job.progress === "object") {
            options.onProgress?.(jobs[index], job.progress as unknown as RunProgress);
          }
        }
        unreachable = false;
      } catch (error) {
        if (!unreachable) {
          options.onWarning?.(
            `queue ${describeQueueUrl(options.url)}: ${error instanceof Error ? error.message : String(error)}; still waiting`,
          );
        }
        unreachable = true;
      }
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  if (failures.length > 0) throw new Error(`Suite run failed:\n- ${failures.join("\n- ")}`);
  return results;
}

/** Writes the files a worker sent back (summary last), unless the worker wrote them itself. */
function storeReturn(job: SeedJob, value: SeedJobReturn): SeedJobResult {
  const { paths, status } = inspectSeedJob(job);
  if (value.files !== undefined && status !== "finished") {
    mkdirSync(paths.directory, { recursive: true });
    writeFileAtomic(paths.config, unpackFile(value.files.config));
    writeFileAtomic(paths.metrics, unpackFile(value.files.metrics));
    writeFileAtomic(paths.summary, unpackFile(value.files.summary));
  }
  if (!existsSync(paths.summary)) {
    throw new Error(
      `${paths.directory}: the worker reported the seed finished in a shared store, but there is no summary.json`,
    );
  }
  return { ...job, summary: readOwnJson<SeedSummaryFile>(paths.summary), outcome: value.outcome };
}
