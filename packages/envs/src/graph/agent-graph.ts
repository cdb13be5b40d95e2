import { DirectedGraph, UndirectedGraph } from "graphology";
// The public signatures use graphology-types' interface: graphology's own declarations are CommonJS
// with a default-exported class, which a NodeNext ESM consumer sees as a namespace, not a type.
import type { AbstractGraph as GraphologyGraph } from "graphology-types";

/** Options of {@link AgentGraph.fromEdges}. */
export interface FromEdgesOptions {
  /** When false (default) every edge [u, v] also makes v a neighbour of u. */
  directed?: boolean;
  /** One weight per given edge (mirrored with it when undirected). */
  weights?: ArrayLike<number>;
  /** Allow [i, i] edges (an agent hearing itself). Default false. */
  allowSelfLoops?: boolean;
}

/**
 * The interaction graph of N agents in CSR form, for hot paths: the neighbours of agent i are
 * `neighbors[offsets[i] … offsets[i + 1])`, the agents i *hears from* (its in-neighbours). A
 * directed edge [u, v] makes u a neighbour of v, so messages flow along edges as in PyG.
 * Within a row the neighbours keep the order in which the edges were given.
 */
export class AgentGraph {
  readonly numAgents: number;
  readonly offsets: Int32Array;
  readonly neighbors: Int32Array;
  readonly weights: Float32Array | undefined;

  /** Validates and wraps CSR arrays (no copy). */
  constructor(numAgents: number, offsets: Int32Array, neighbors: Int32Array, weights?: Float32Array) {
    if (!Number.isInteger(numAgents) || numAgents < 0) {
      throw new RangeError(`AgentGraph: numAgents = ${numAgents}; expected an integer >= 0`);
    }
    if (offsets.length !== numAgents + 1 || offsets[0] !== 0) {
      throw new RangeError(
        `AgentGraph: offsets must have numAgents + 1 = ${numAgents + 1} entries starting at 0, got ${offsets.length}`,
      );
    }
    for (let i = 0; i < numAgents; i++) {
      if (offsets[i + 1] < offsets[i]) {
        throw new RangeError(`AgentGraph: offsets must not decrease, but offsets[${i + 1}] < offsets[${i}]`);
      }
    }
    if (offsets[numAgents] !== neighbors.length) {
      throw new RangeError(
        `AgentGraph: offsets[numAgents] = ${offsets[numAgents]} must equal neighbors.length = ${neighbors.length}`,
      );
    }
    for (let e = 0; e < neighbors.length; e++) {
      const j = neighbors[e];
      if (!(j >= 0 && j < numAgents)) {
        throw new RangeError(
          `AgentGraph: neighbors[${e}] = ${j}; expected an agent index in [0, ${numAgents})`,
        );
      }
    }
    if (weights !== undefined && weights.length !== neighbors.length) {
      throw new RangeError(
        `AgentGraph: weights has ${weights.length} entries; expected one per edge (${neighbors.length})`,
      );
    }
    this.numAgents = numAgents;
    this.offsets = offsets;
    this.neighbors = neighbors;
    this.weights = weights;
  }

  /** Number of (directed) neighbour entries. */
  get numEdges(): number {
    return this.neighbors.length;
  }

  /** The agents `agent` hears from (a view, not a copy). */
  neighborsOf(agent: number): Int32Array {
    return this.neighbors.subarray(this.offsets[agent], this.offsets[agent + 1]);
  }

  degree(agent: number): number {
    return this.offsets[agent + 1] - this.offsets[agent];
  }

  /** True when j is a neighbour of i exactly when i is a neighbour of j. */
  isSymmetric(): boolean {
    for (let i = 0; i < this.numAgents; i++) {
      for (let e = this.offsets[i]; e < this.offsets[i + 1]; e++) {
        if (!this.hasNeighbor(this.neighbors[e], i)) return false;
      }
    }
    return true;
  }

  hasNeighbor(agent: number, neighbor: number): boolean {
    for (let e = this.offsets[agent]; e < this.offsets[agent + 1]; e++) {
      if (this.neighbors[e] === neighbor) return true;
    }
    return false;
  }

  /**
   * Builds a graph from [u, v] pairs (or parallel `sources`/`targets` arrays). Duplicate edges,
   * out-of-range agents and (unless allowed) self-loops are refused.
   */
  static fromEdges(
    numAgents: number,
    edges: ArrayLike<readonly [number, number]> | { sources: ArrayLike<number>; targets: ArrayLike<number> },
    options: FromEdgesOptions = {},
  ): AgentGraph {
    const { sources, targets } = "sources" in edges ? edges : splitPairs(edges);
    if (sources.length !== targets.length) {
      throw new RangeError(
        `AgentGraph.fromEdges: sources has ${sources.length} entries but targets has ${targets.length}`,
      );
    }
    if (options.weights !== undefined && options.weights.length !== sources.length) {
      throw new RangeError(
        `AgentGraph.fromEdges: weights has ${options.weights.length} entries; expected one per edge (${sources.length})`,
      );
    }
    const mirrored = options.directed !== true;
    const count = sources.length * (mirrored ? 2 : 1);
    const from = new Int32Array(count);
    const to = new Int32Array(count);
    const weight = options.weights ? new Float32Array(count) : undefined;
    let written = 0;
    for (let e = 0; e < sources.length; e++) {
      const u = sources[e];
      const v = targets[e];
      for (const [name, x] of [
        ["source", u],
        ["target", v],
      ] as const) {
        if (!Number.isInteger(x) || x < 0 || x >= numAgents) {
          throw new RangeError(
            `AgentGraph.fromEdges: edge ${e} has ${name} ${x}; expected an agent index in [0, ${numAgents})`,
          );
        }
      }
      if (u === v) {
        if (options.allowSelfLoops !== true) {
          throw new RangeError(
            `AgentGraph.fromEdges: edge ${e} is a self-loop [${u}, ${u}]; pass allowSelfLoops: true to keep it`,
          );
        }
      }
      from[written] = u;
      to[written] = v;
      if (weight) weight[written] = options.weights![e];
      written++;
      if (mirrored && u !== v) {
        from[written] = v;
        to[written] = u;
        if (weight) weight[written] = options.weights![e];
        written++;
      }
    }
    return fromDirectedPairs(
      numAgents,
      from.subarray(0, written),
      to.subarray(0, written),
      weight?.subarray(0, written),
    );
  }

  /**
   * Converts a graphology graph: nodes are agents in `nodeOrder` (default: the graph's node order),
   * undirected edges connect both ways, a directed edge s→t makes s a neighbour of t.
   */
  static fromGraphology(
    graph: GraphologyGraph,
    options: { nodeOrder?: readonly string[]; weightAttribute?: string; allowSelfLoops?: boolean } = {},
  ): AgentGraph {
    const order = options.nodeOrder ?? graph.nodes();
    if (order.length !== graph.order) {
      throw new RangeError(
        `AgentGraph.fromGraphology: nodeOrder lists ${order.length} nodes but the graph has ${graph.order}`,
      );
    }
    const indexOf = new Map<string, number>();
    order.forEach((node, index) => {
      if (!graph.hasNode(node))
        throw new RangeError(`AgentGraph.fromGraphology: node "${node}" is not in the graph`);
      indexOf.set(node, index);
    });
    const from: number[] = [];
    const to: number[] = [];
    const weights: number[] = [];
    const attribute = options.weightAttribute;
    graph.forEachEdge((edge, attributes, source, target, _sa, _ta, undirected) => {
      const s = indexOf.get(source)!;
      const t = indexOf.get(target)!;
      if (s === t && options.allowSelfLoops !== true) {
        throw new RangeError(
          `AgentGraph.fromGraphology: edge "${edge}" is a self-loop on "${source}"; pass allowSelfLoops: true to keep it`,
        );
      }
      const w = attribute === undefined ? 1 : Number(attributes[attribute]);
      if (attribute !== undefined && !Number.isFinite(w)) {
        throw new RangeError(
          `AgentGraph.fromGraphology: edge "${edge}" attribute ${attribute} = ${attributes[attribute]}; expected a finite number`,
        );
      }
      from.push(s);
      to.push(t);
      weights.push(w);
      if (undirected && s !== t) {
        from.push(t);
        to.push(s);
        weights.push(w);
      }
    });
    return fromDirectedPairs(
      order.length,
      Int32Array.from(from),
      Int32Array.from(to),
      attribute === undefined ? undefined : Float32Array.from(weights),
    );
  }

  /** Every agent hears every other agent (and itself with `selfLoops`). */
  static complete(numAgents: number, options: { selfLoops?: boolean } = {}): AgentGraph {
    const degree = options.selfLoops === true ? numAgents : numAgents - 1;
    const offsets = new Int32Array(numAgents + 1);
    const neighbors = new Int32Array(numAgents * Math.max(degree, 0));
    let e = 0;
    for (let i = 0; i < numAgents; i++) {
      for (let j = 0; j < numAgents; j++) if (j !== i || options.selfLoops === true) neighbors[e++] = j;
      offsets[i + 1] = e;
    }
    return new AgentGraph(numAgents, offsets, neighbors);
  }

  /**
   * A graphology copy for analysis and drawing: undirected when the graph is symmetric, otherwise
   * directed with an edge neighbour → agent. Node keys are "0" … "N-1"; weights go to `weight`.
   */
  toGraphology(): GraphologyGraph {
    const symmetric = this.isSymmetric();
    const graph: GraphologyGraph = symmetric ? new UndirectedGraph() : new DirectedGraph();
    for (let i = 0; i < this.numAgents; i++) graph.addNode(String(i), { index: i });
    for (let i = 0; i < this.numAgents; i++) {
      for (let e = this.offsets[i]; e < this.offsets[i + 1]; e++) {
        const j = this.neighbors[e];
        if (symmetric && j > i) continue; // each undirected pair once
        const attributes = this.weights ? { weight: this.weights[e] } : {};
        graph.mergeEdge(String(j), String(i), attributes);
      }
    }
    return graph;
  }
}

function splitPairs(pairs: ArrayLike<readonly [number, number]>) {
  const sources = new Int32Array(pairs.length);
  const targets = new Int32Array(pairs.length);
  for (let e = 0; e < pairs.length; e++) {
    const pair = pairs[e];
    if (pair?.length !== 2) {
      throw new RangeError(`AgentGraph.fromEdges: edge ${e} must be a pair [source, target]`);
    }
    sources[e] = pair[0];
    targets[e] = pair[1];
    if (sources[e] !== pair[0] || targets[e] !== pair[1]) {
      throw new RangeError(`AgentGraph.fromEdges: edge ${e} = [${pair}] must hold two agent indices`);
    }
  }
  return { sources, targets };
}

/** CSR by target: a stable counting sort of the pairs, refusing duplicates. */
function fromDirectedPairs(
  numAgents: number,
  from: Int32Array,
  to: Int32Array,
  weights?: Float32Array,
): AgentGraph {
  const offsets = new Int32Array(numAgents + 1);
  for (let e = 0; e < to.length; e++) offsets[to[e] + 1]++;
  for (let i = 0; i < numAgents; i++) offsets[i + 1] += offsets[i];
  const cursor = offsets.slice(0, numAgents);
  const neighbors = new Int32Array(to.length);
  const sortedWeights = weights ? new Float32Array(to.length) : undefined;
  for (let e = 0; e < to.length; e++) {
    const slot = cursor[to[e]]++;
    neighbors[slot] = from[e];
    if (sortedWeights) sortedWeights[slot] = weights![e];
  }
  const seen = new Int32Array(numAgents).fill(-1);
  for (let i = 0; i < numAgents; i++) {
    for (let e = offsets[i]; e < offsets[i + 1]; e++) {
      const j = neighbors[e];
      if (seen[j] === i) throw new RangeError(`AgentGraph: duplicate edge ${j} → ${i}`);
      seen[j] = i;
    }
  }
  return new AgentGraph(numAgents, offsets, neighbors, sortedWeights);
}
