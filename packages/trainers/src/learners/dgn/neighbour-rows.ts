import { AgentGraph } from "@netmarl/envs";

/**
 * Padded neighbour rows ([graphs][agent][maxNeighbors], −1 = padding, the ReplayBuffer's layout)
 * ↔ CSR graphs, for the graph learners (DGN, IP). Self-loops are dropped: the relation kernel always adds the agent itself
 * (`GraphAttention` attends over the neighbourhood *including self*), and environments such as
 * jungle list the agent as its own first neighbour, which would otherwise count it twice.
 */
export class NeighbourRows {
  readonly numAgents: number;
  readonly maxNeighbors: number;
  private readonly offsets: Int32Array;
  private readonly neighbors: Int32Array;

  /** Room for `maxGraphs` graphs of `numAgents` agents. */
  constructor(numAgents: number, maxNeighbors: number, maxGraphs: number) {
    this.numAgents = numAgents;
    this.maxNeighbors = maxNeighbors;
    this.offsets = new Int32Array(maxGraphs * numAgents + 1);
    this.neighbors = new Int32Array(maxGraphs * numAgents * maxNeighbors);
  }

  /**
   * Writes one graph's rows (self-loops dropped) into `out` at graph slot `graphIndex`. Throws when
   * an agent has more than `maxNeighbors` other neighbours.
   */
  static writeRows(
    graph: AgentGraph,
    maxNeighbors: number,
    out: Int32Array,
    graphIndex = 0,
    algorithm = "dgn",
  ): void {
    const n = graph.numAgents;
    const base = graphIndex * n * maxNeighbors;
    out.fill(-1, base, base + n * maxNeighbors);
    for (let agent = 0; agent < n; agent++) {
      let count = 0;
      for (let e = graph.offsets[agent]; e < graph.offsets[agent + 1]; e++) {
        const j = graph.neighbors[e];
        if (j === agent) continue;
        if (count === maxNeighbors) {
          throw new RangeError(
            `${algorithm}: agent ${agent} has more than maxNeighbors = ${maxNeighbors} neighbours (self excluded); raise maxNeighbors in the ${algorithm} config`,
          );
        }
        out[base + agent * maxNeighbors + count++] = j;
      }
    }
  }

  /**
   * One CSR graph of `graphs × numAgents` nodes (graph b's agent i is node b·N + i) from padded
   * rows. The returned graph views this object's buffers: it is valid until the next call.
   */
  toGraph(rows: Int32Array, graphs: number): AgentGraph {
    const n = this.numAgents;
    const k = this.maxNeighbors;
    let e = 0;
    for (let node = 0; node < graphs * n; node++) {
      this.offsets[node] = e;
      const graphBase = node - (node % n);
      for (let slot = 0; slot < k; slot++) {
        const j = rows[node * k + slot];
        if (j >= 0 && j !== node % n) this.neighbors[e++] = graphBase + j;
      }
    }
    this.offsets[graphs * n] = e;
    return new AgentGraph(
      graphs * n,
      this.offsets.subarray(0, graphs * n + 1),
      this.neighbors.subarray(0, e),
    );
  }
}
