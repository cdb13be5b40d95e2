/** The edge arrays of a graph batch (edges sorted by target). */
interface EdgeArrays {
  numNodes: number;
  numEdges: number;
  sources: Int32Array;
  targets: Int32Array;
}

/**
 * For each edge e = (i → j) of `graph`, the index of the edge (j → i), or −1 when the graph has
 * no such edge (a one-way link, e.g. in a k-nearest-neighbour graph).
 */
export function reverseEdgeIndex(graph: EdgeArrays): Int32Array {
  const { sources, targets, numEdges, numNodes } = graph;
  // Edges are sorted by target: edges into node t are [start[t], start[t + 1]).
  const start = new Int32Array(numNodes + 1);
  for (let e = 0; e < numEdges; e++) start[targets[e] + 1]++;
  for (let i = 0; i < numNodes; i++) start[i + 1] += start[i];
  const reverse = new Int32Array(numEdges).fill(-1);
  for (let e = 0; e < numEdges; e++) {
    const i = sources[e];
    const j = targets[e];
    for (let f = start[i]; f < start[i + 1]; f++) {
      if (sources[f] === j) {
        reverse[e] = f;
        break;
      }
    }
  }
  return reverse;
}
