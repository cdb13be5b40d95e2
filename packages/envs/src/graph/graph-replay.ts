/**
 * Replay scene and state of the graph games (`replay-format.ts`, family `graph`): their only
 * geometry is the agent graph, drawn at layout positions when the env has a named layout.
 */
import { packArray } from "../replay/packed-array.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { LayoutOptions } from "./layout-graph.js";

export function buildGraphScene(
  nodePosition: Float64Array | undefined,
  actionNames: readonly string[] | undefined,
): GraphScene {
  return {
    kind: "scene",
    family: "graph",
    ...(nodePosition !== undefined ? { nodePosition: packArray(nodePosition) } : {}),
    ...(actionNames !== undefined ? { actionNames } : {}),
  };
}

/** The per-agent value that is the game's state (float32), or an empty state for stateless games. */
export function buildGraphState(agentValue?: ArrayLike<number>, agentValueName?: string): GraphState {
  if (agentValue === undefined) return {};
  return { agentValue: packArray(Float32Array.from(agentValue)), agentValueName };
}

/** N points on the unit circle, agent 0 at the top, clockwise (x, y per agent). */
export function circlePositions(numAgents: number): Float64Array {
  const positions = new Float64Array(2 * numAgents);
  for (let i = 0; i < numAgents; i++) {
    const angle = Math.PI / 2 - (2 * Math.PI * i) / numAgents;
    positions[2 * i] = Math.cos(angle);
    positions[2 * i + 1] = Math.sin(angle);
  }
  return positions;
}

/**
 * Positions of `buildLayoutGraph`'s named layouts (one unit between neighbours, y down the rows);
 * undefined for an explicit edge list, which the viewer lays out itself.
 */
export function layoutPositions(numAgents: number, options: LayoutOptions): Float64Array | undefined {
  if (options.edges !== undefined) return undefined;
  if (options.layout === "ring") return circlePositions(numAgents);
  const columns =
    options.layout === "grid" ? (options.gridColumns ?? Math.round(Math.sqrt(numAgents))) : numAgents;
  const positions = new Float64Array(2 * numAgents);
  for (let i = 0; i < numAgents; i++) {
    positions[2 * i] = i % columns;
    positions[2 * i + 1] = 0 - Math.floor(i / columns); // rows go down (y up, as the other families); 0 − 0 is +0
  }
  return positions;
}
