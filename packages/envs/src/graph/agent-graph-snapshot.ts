import { AgentGraph } from "./agent-graph.js";

/**
 * Copies graphs into buffers it reuses (growing them when a graph has more edges), so a caller can
 * keep the graph of one step while the environment rewrites its own arrays during the next.
 * Each `capture` returns a new `AgentGraph` view over the buffers, valid until the next capture.
 */
export class AgentGraphSnapshot {
  private offsets = new Int32Array(1);
  private neighbors = new Int32Array(0);
  private weights = new Float32Array(0);

  capture(graph: AgentGraph): AgentGraph {
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
    return new AgentGraph(n, offsets, neighbors, weights);
  }
}
