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
  const entry = workerEntry();
  const results: SeedJobResult[] = new Array(jobs.length);
  const failures: string[] = [];
  let next = 0;
  const workers = Array.from(
    { length: Math.min(size, jobs.length) },
    () => new Worker(entry.path, { execArgv: entry.execArgv }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const dispatch = () => {
              if (next >= jobs.length || failures.length > 0) return resolve();
              const id = next++;
              worker.postMessage({ id, job: jobs[id] });
            };
            worker.on(
              "message",
              (message: {
                id: number;
                type: string;
                progress?: RunProgress;
                result?: SeedJobResult;
                message?: string;
              }) => {
                // A throwing callback must fail the run, not escape as an uncaught exception.
                try {
                  if (message.type === "progress") onProgress(message.id, message.progress!);
                  else if (message.type === "done") {
                    results[message.id] = message.result!;
                    onDone(message.id, message.result!);
                    dispatch();
                  } else {
                    failures.push(`job ${message.id}: ${message.message}`);
                    resolve();
                  }
                } catch (error) {
                  failures.push(
                    `job ${message.id}: ${error instanceof Error ? error.message : String(error)}`,
                  );
                  resolve();
                }
              },
            );
            worker.on("error", (error) => {
              failures.push(`a worker crashed: ${error.message}`);
              resolve();
            });
            dispatch();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failures.length > 0) throw new Error(`Suite run failed:\n- ${failures.join("\n- ")}`);
  return results;
}
