import { AgentGraph } from "./agent-graph.js";

/** Named undirected interaction graphs of the small networked games. */
export const GRAPH_LAYOUTS = ["line", "ring", "grid"] as const;
export type GraphLayout = (typeof GRAPH_LAYOUTS)[number];

/** The layout fields a game's options carry. */
export interface LayoutOptions {
  layout: GraphLayout;
  /** Columns of `"grid"` (must divide N); default √N. */
  gridColumns?: number;
  /** Explicit undirected edge list; overrides `layout`. */
  edges?: ReadonlyArray<readonly [number, number]>;
}

/**
 * The undirected graph of a game's options (`AgentGraph.fromEdges` mirrors every pair). Errors start with
 * `where` (e.g. "networked-coordination options") and name the offending field.
 */
export function buildLayoutGraph(numAgents: number, options: LayoutOptions, where: string): AgentGraph {
  if (options.edges !== undefined) {
    try {
      return AgentGraph.fromEdges(numAgents, options.edges);
    } catch (error) {
      throw new RangeError(`${where}: edges: ${(error as Error).message}`);
    }
  }
  const pairs: Array<[number, number]> = [];
  if (options.layout === "grid") {
    const columns = options.gridColumns ?? Math.round(Math.sqrt(numAgents));
    if (numAgents % columns !== 0) {
      throw new RangeError(
        `${where}: layout "grid" needs gridColumns dividing numAgents = ${numAgents} (a square N needs none), got gridColumns = ${columns}`,
      );
    }
    const rows = numAgents / columns;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const i = r * columns + c;
        if (c + 1 < columns) pairs.push([i, i + 1]);
        if (r + 1 < rows) pairs.push([i, i + columns]);
      }
    }
  } else {
    for (let i = 0; i + 1 < numAgents; i++) pairs.push([i, i + 1]);
    if (options.layout === "ring") {
      if (numAgents < 3)
        throw new RangeError(`${where}: layout "ring" needs numAgents >= 3, got ${numAgents}`);
      pairs.push([numAgents - 1, 0]);
    }
  }
  return AgentGraph.fromEdges(numAgents, pairs);
}
