import { UndirectedGraph } from "graphology";
import { describe, expect, it } from "vitest";
import { AgentGraph } from "./agent-graph.js";

describe("AgentGraph", () => {
  it("builds CSR rows of in-neighbours from undirected edges", () => {
    const graph = AgentGraph.fromEdges(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(Array.from(graph.offsets)).toEqual([0, 1, 3, 5, 6]);
    expect(Array.from(graph.neighborsOf(1))).toEqual([0, 2]);
    expect(Array.from(graph.neighborsOf(3))).toEqual([2]);
    expect(graph.numEdges).toBe(6);
    expect(graph.isSymmetric()).toBe(true);
  });

  it("makes u a neighbour of v for a directed edge [u, v], keeping weights with edges", () => {
    const graph = AgentGraph.fromEdges(
      3,
      { sources: [0, 2], targets: [1, 1] },
      { directed: true, weights: [0.5, 2] },
    );
    expect(Array.from(graph.neighborsOf(1))).toEqual([0, 2]);
    expect(Array.from(graph.weights!)).toEqual([0.5, 2]);
    expect(graph.degree(0)).toBe(0);
    expect(graph.isSymmetric()).toBe(false);
  });

  it("refuses self-loops, duplicates and out-of-range agents with clear errors", () => {
    expect(() => AgentGraph.fromEdges(3, [[1, 1]])).toThrow(/edge 0 is a self-loop \[1, 1\]/);
    expect(AgentGraph.fromEdges(3, [[1, 1]], { allowSelfLoops: true }).neighborsOf(1)).toEqual(
      Int32Array.of(1),
    );
    expect(() => AgentGraph.fromEdges(3, [[0, 3]])).toThrow(
      /edge 0 has target 3; expected an agent index in \[0, 3\)/,
    );
    expect(() =>
      AgentGraph.fromEdges(3, [
        [0, 1],
        [1, 0],
      ]),
    ).toThrow(/duplicate edge/);
    expect(() => new AgentGraph(2, Int32Array.of(0, 2, 1), Int32Array.of(1))).toThrow(/must not decrease/);
    expect(() => new AgentGraph(2, Int32Array.of(0, 1, 2), Int32Array.of(1, 5))).toThrow(
      /neighbors\[1\] = 5/,
    );
  });

  it("round-trips through graphology", () => {
    const source = new UndirectedGraph();
    for (const node of ["a", "b", "c", "d"]) source.addNode(node);
    source.addEdge("a", "b", { weight: 2 });
    source.addEdge("b", "c", { weight: 3 });
    source.addEdge("c", "d", { weight: 4 });
    const graph = AgentGraph.fromGraphology(source, { weightAttribute: "weight" });
    expect(Array.from(graph.neighborsOf(2))).toEqual([1, 3]);
    expect(Array.from(graph.weights!.subarray(graph.offsets[2], graph.offsets[3]))).toEqual([3, 4]);
    const back = graph.toGraphology();
    expect(back.type).toBe("undirected");
    expect(back.order).toBe(4);
    expect(back.size).toBe(3);
    expect(back.getEdgeAttribute(back.edge("1", "2")!, "weight")).toBe(3);
    const again = AgentGraph.fromGraphology(back, { weightAttribute: "weight" });
    expect(again.offsets).toEqual(graph.offsets);
    expect(new Set(again.neighbors)).toEqual(new Set(graph.neighbors));
  });

  it("builds the complete graph with or without self-loops", () => {
    expect(AgentGraph.complete(3).numEdges).toBe(6);
    expect(Array.from(AgentGraph.complete(3, { selfLoops: true }).neighborsOf(1))).toEqual([0, 1, 2]);
  });
});

describe("AgentGraphSnapshot", () => {
  it("keeps a graph's rows after the source arrays are rewritten, reusing its buffers", async () => {
    const { AgentGraphSnapshot } = await import("./agent-graph-snapshot.js");
    const offsets = Int32Array.of(0, 1, 2);
    const neighbors = Int32Array.of(1, 0);
    const live = new AgentGraph(2, offsets, neighbors);
    const snapshot = new AgentGraphSnapshot();
    const kept = snapshot.capture(live);
    neighbors[0] = 0; // the environment rewrites its graph in place during the next step
    expect(Array.from(kept.neighborsOf(0))).toEqual([1]);
    const bigger = AgentGraph.complete(5);
    const next = snapshot.capture(bigger);
    expect(next.numEdges).toBe(20);
    expect(Array.from(next.neighborsOf(4))).toEqual([0, 1, 2, 3]);
  });

  it("returns the same view while the graph is unchanged, a new one when an edge or weight changes", async () => {
    const { AgentGraphSnapshot } = await import("./agent-graph-snapshot.js");
    const neighbors = Int32Array.of(1, 0, 1);
    const weights = Float32Array.of(1, 1, 1);
    const live = new AgentGraph(3, Int32Array.of(0, 1, 2, 3), neighbors, weights);
    const snapshot = new AgentGraphSnapshot();
    const first = snapshot.capture(live);
    expect(snapshot.capture(live)).toBe(first);
    weights[2] = 0.5;
    const reweighted = snapshot.capture(live);
    expect(reweighted).not.toBe(first);
    expect(reweighted.weights?.[2]).toBe(0.5);
    neighbors[2] = 0;
    const rewired = snapshot.capture(live);
    expect(rewired).not.toBe(reweighted);
    expect(Array.from(rewired.neighborsOf(2))).toEqual([0]);
    expect(snapshot.capture(live)).toBe(rewired);
  });
});
