/**
 * Worker-thread entry of the bench: runs the tasks sent by its `ThreadPool` one at a time — a seed
 * job (reporting progress) or a DIALS agent-group task. Each thread initialises its own
 * TensorFlow.js backend (`job.backend`, `task.backend`).
 */
import { parentPort } from "node:worker_threads";
import { runSeedJob } from "./execution/run-seed-job.js";
import type { ThreadReply, ThreadTask } from "./execution/worker-pool.js";
import { runDialsGroupTask } from "./queue/dials-group-task.js";

if (!parentPort) throw new Error("apps/bench worker.ts must run in a worker thread");
const port = parentPort;

async function runTask(id: number, task: ThreadTask): Promise<unknown> {
  if (task.kind === "seed") {
    return runSeedJob(task.job, (progress) =>
      port.postMessage({ id, type: "progress", progress } satisfies ThreadReply),
    );
  }
  return runDialsGroupTask(task.task);
}

port.on("message", async (message: ThreadTask & { id: number }) => {
  try {
    port.postMessage({
      id: message.id,
      type: "done",
      result: await runTask(message.id, message),
    } satisfies ThreadReply);
  } catch (error) {
    port.postMessage({
      id: message.id,
      type: "error",
      message: error instanceof Error ? error.message : String(error),
    } satisfies ThreadReply);
  }
});
