import { AgentGraph } from "./agent-graph.js";

/**
 * Copies graphs into buffers it reuses (growing them when a graph has more edges), so a caller can
 * keep the graph of one step while the environment rewrites its own arrays during the next.
 * Each `capture` returns an `AgentGraph` view over the buffers, valid until the next capture. When
 * the graph is unchanged since the last capture (every step of a static graph) the previous view
 * is returned as is: no copy, no re-validation, and the same object — so consumers can key caches
 * (e.g. graph index tensors) on its identity.
 */
export class AgentGraphSnapshot {
  private offsets = new Int32Array(1);
  private neighbors = new Int32Array(0);
  private weights = new Float32Array(0);
  private last: AgentGraph | null = null;

  capture(graph: AgentGraph): AgentGraph {
    if (this.last !== null && sameGraph(this.last, graph)) return this.last;
    const n = graph.numAgents;
    const edges = graph.numEdges;
    if (this.offsets.length < n + 1) this.offsets = new Int32Array(n + 1);
    if (this.neighbors.length < edges)
      this.neighbors = new Int32Array(Math.max(edges, 2 * this.neighbors.length));
    const offsets = this.offsets.subarray(0, n + 1);
    const neighbors = this.neighbors.subarray(0, edges);
    offsets.set(graph.offsets);
    neighbors.set(graph.neighbors);
    let weights: Float32Array | undefined;
    if (graph.weights) {
      if (this.weights.length < edges)
        this.weights = new Float32Array(Math.max(edges, 2 * this.weights.length));
      weights = this.weights.subarray(0, edges);
      weights.set(graph.weights);
    }
    this.last = new AgentGraph(n, offsets, neighbors, weights);
    return this.last;
  }
}

function sameGraph(a: AgentGraph, b: AgentGraph): boolean {
  if (a.numAgents !== b.numAgents || a.numEdges !== b.numEdges) return false;
  if ((a.weights === undefined) !== (b.weights === undefined)) return false;
  return (
    sameValues(a.offsets, b.offsets) &&
    sameValues(a.neighbors, b.neighbors) &&
    (a.weights === undefined || sameValues(a.weights, b.weights as Float32Array))
  );
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
