import type { AgentGraph } from "../graph/agent-graph.js";
import { packArray } from "./packed-array.js";
import type { ReplayGraph } from "./replay-format.js";

/**
 * An `AgentGraph` as a replay overlay: row i lists the agents i hears from (for a directed graph
 * such as a BN-DAG, i's parents), as in `AgentGraph`. `directed` defaults to "not symmetric".
 */
export function toReplayGraph(
  graph: AgentGraph,
  label: string,
  directed: boolean = !graph.isSymmetric(),
): ReplayGraph {
  return {
    offsets: packArray(graph.offsets),
    targets: packArray(graph.neighbors),
    ...(graph.weights !== undefined ? { weights: packArray(graph.weights) } : {}),
    label,
    directed,
  };
}

/** True when two overlays draw the same (compares the packed bytes, so it is exact). */
export function sameReplayGraph(a: ReplayGraph | undefined, b: ReplayGraph): boolean {
  return (
    a !== undefined &&
    a.label === b.label &&
    a.directed === b.directed &&
    a.offsets.b64 === b.offsets.b64 &&
    a.targets.b64 === b.targets.b64 &&
    a.weights?.b64 === b.weights?.b64
  );
}
