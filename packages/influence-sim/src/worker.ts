/**
 * Entry of a DIALS worker thread (see `WorkerExecutor`): owns an {@link AgentGroup} and answers
 * the executor's requests in order.
 */
import { parentPort } from "node:worker_threads";
import { initBackend } from "@netmarl/graph-nn";
import { AgentGroup } from "./executor/agent-group.js";
import { AgentPhaseError } from "./executor/dials-executor.js";
import { transferablesOf, type WorkerReply, type WorkerRequest } from "./executor/worker-protocol.js";

let group: AgentGroup | undefined;

async function handle(request: WorkerRequest): Promise<unknown> {
  if (request.type === "start") {
    await initBackend(request.backend as never, { log: false });
    group?.dispose();
    group = new AgentGroup(request.setup, request.agents);
    return null;
  }
  if (group === undefined) throw new Error("the worker was not started");
  if (request.type === "trainInfluence") return group.trainInfluence(new Map(request.datasets));
  return group.trainAgents(request.steps);
}

parentPort?.on("message", async (request: WorkerRequest & { id: number }) => {
  let reply: WorkerReply;
  try {
    const value = await handle(request);
    reply = { id: request.id, type: "result", value };
  } catch (error) {
    const known = error instanceof AgentPhaseError;
    reply = {
      id: request.id,
      type: "error",
      agents: known ? [...error.agents] : (group?.indices ?? []),
      phase: known ? error.phase : "start",
      message: known ? error.detail : error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(reply, reply.type === "result" ? transferablesOf(reply.value) : []);
});
