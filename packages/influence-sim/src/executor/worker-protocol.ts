import type { InfluenceDataset } from "../influence/influence-dataset.js";
import type { DialsPhase, ExecutorSetup } from "./dials-executor.js";

/** Messages from the executor to a worker thread. */
export type WorkerRequest =
  | { type: "start"; setup: ExecutorSetup; agents: number[]; backend: string }
  | { type: "trainInfluence"; datasets: [number, InfluenceDataset][] }
  | { type: "trainAgents"; steps: number };

/** Replies, matched to requests by `id`. */
export type WorkerReply =
  | { id: number; type: "result"; value: unknown }
  | { id: number; type: "error"; agents: number[]; phase: DialsPhase | "start"; message: string };

/** The distinct buffers of every typed array inside `value` (to transfer instead of copy). */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (node: unknown) => {
    if (node === null || typeof node !== "object") return;
    if (ArrayBuffer.isView(node)) {
      // only arrays that own their whole buffer: transferring a view would detach its neighbours
      if (
        node.buffer instanceof ArrayBuffer &&
        node.byteOffset === 0 &&
        node.byteLength === node.buffer.byteLength
      ) {
        buffers.add(node.buffer);
      }
      return;
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) visit(child);
  };
  visit(value);
  return [...buffers];
}
