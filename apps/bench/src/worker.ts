/**
 * Worker-thread entry of the bench: runs seed jobs sent by the pool, one at a time, and reports
 * progress. Each worker initialises its own TensorFlow.js backend (`job.backend`).
 */
import { parentPort } from "node:worker_threads";
import { runSeedJob, type SeedJob } from "./execution/run-seed-job.js";

if (!parentPort) throw new Error("apps/bench worker.ts must run in a worker thread");
const port = parentPort;

port.on("message", async (message: { id: number; job: SeedJob }) => {
  try {
    const result = await runSeedJob(message.job, (progress) =>
      port.postMessage({ id: message.id, type: "progress", progress }),
    );
    port.postMessage({ id: message.id, type: "done", result });
  } catch (error) {
    port.postMessage({
      id: message.id,
      type: "error",
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
