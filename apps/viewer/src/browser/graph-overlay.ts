import { type ReplayFrame, type ReplayGraph, unpackArray } from "@netmarl/envs/replay";
import type { NumberArray } from "./family-renderer.js";
import type { ViewTransform } from "./view-transform.js";

interface DecodedGraph {
  readonly offsets: NumberArray;
  readonly targets: NumberArray;
  readonly weights: NumberArray | undefined;
  readonly maxAbsWeight: number;
}

/** Edge weights are drawn in this many width/opacity steps, one path each. */
const WEIGHT_LEVELS = 4;
const ARROW_PIXELS = 7;
const DIRECTED_OFFSET_PIXELS = 2.5;

/**
 * The agent graphs in effect at every frame of an episode: a frame's `graphs` replace the named
 * overlays they carry and the others stay as they were (absent = unchanged).
 */
export function resolveEpisodeGraphs(
  frames: readonly ReplayFrame[],
): Readonly<Record<string, ReplayGraph>>[] {
  const effective: Readonly<Record<string, ReplayGraph>>[] = [];
  let current: Readonly<Record<string, ReplayGraph>> = {};
  for (const frame of frames) {
    if (frame.graphs !== undefined && typeof frame.graphs === "object") {
      current = { ...current, ...frame.graphs };
    }
    effective.push(current);
  }
  return effective;
}

/** Decodes each graph once (static graphs are the same object in every frame). */
export class GraphOverlay {
  private readonly decoded = new WeakMap<ReplayGraph, DecodedGraph>();
  /** Reused between draws: source and target screen points of the directed edges drawn. */
  private readonly arrowSegments: number[] = [];

  constructor(private readonly numAgents: number) {}

  private decode(graph: ReplayGraph, name: string): DecodedGraph {
    let hit = this.decoded.get(graph);
    if (hit === undefined) {
      const offsets = unpackArray(graph.offsets, `graphs.${name}.offsets`);
      const targets = unpackArray(graph.targets, `graphs.${name}.targets`);
      if (offsets.length !== this.numAgents + 1) {
        throw new Error(
          `replay: graphs.${name}.offsets must hold numAgents + 1 = ${this.numAgents + 1} entries`,
        );
      }
      if ((offsets[this.numAgents] as number) !== targets.length) {
        throw new Error(`replay: graphs.${name}.offsets must end at targets.length = ${targets.length}`);
      }
      const weights =
        graph.weights === undefined ? undefined : unpackArray(graph.weights, `graphs.${name}.weights`);
      let maxAbsWeight = 0;
      if (weights !== undefined) {
        for (let e = 0; e < weights.length; e++)
          maxAbsWeight = Math.max(maxAbsWeight, Math.abs(weights[e] as number));
      }
      hit = { offsets, targets, weights, maxAbsWeight };
      this.decoded.set(graph, hit);
    }
    return hit;
  }

  /** Draws one overlay in CSS pixels (the context has the screen transform set). */
  draw(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    graph: ReplayGraph,
    name: string,
    colour: string,
    positions: Float64Array,
    markerRadiusPixels: number,
  ): void {
    const { offsets, targets, weights, maxAbsWeight } = this.decode(graph, name);
    const weighted = weights !== undefined && maxAbsWeight > 0;
    const levels = weighted ? WEIGHT_LEVELS : 1;
    context.strokeStyle = colour;
    context.fillStyle = colour;
    for (let level = 0; level < levels; level++) {
      const share = (level + 1) / levels;
      context.globalAlpha = weighted ? 0.15 + 0.8 * share : 0.7;
      context.lineWidth = weighted ? 0.5 + 3.5 * share : 1.5;
      context.beginPath();
      const arrows = this.arrowSegments;
      arrows.length = 0;
      // Row `agent` lists whom it hears from: a directed edge is targets[e] → agent.
      for (let agent = 0; agent < this.numAgents; agent++) {
        const ax = view.screenX(positions[2 * agent] as number);
        const ay = view.screenY(positions[2 * agent + 1] as number);
        if (Number.isNaN(ax) || Number.isNaN(ay)) continue;
        for (let e = offsets[agent] as number; e < (offsets[agent + 1] as number); e++) {
          const from = targets[e] as number;
          // Undirected graphs list both directions: draw each pair once.
          if ((!graph.directed && from < agent) || from === agent) continue;
          if (weighted) {
            const w = Math.abs(weights[e] as number) / maxAbsWeight;
            if (Math.min(levels - 1, Math.max(0, Math.ceil(w * levels) - 1)) !== level) continue;
          }
          const fx = view.screenX(positions[2 * from] as number);
          const fy = view.screenY(positions[2 * from + 1] as number);
          if (Number.isNaN(fx) || Number.isNaN(fy)) continue;
          if (!graph.directed) {
            context.moveTo(fx, fy);
            context.lineTo(ax, ay);
            continue;
          }
          // Directed edges shift to their right, so i → j and j → i are two visible lines.
          const length = Math.hypot(ax - fx, ay - fy) || 1;
          const ox = (-(ay - fy) / length) * DIRECTED_OFFSET_PIXELS;
          const oy = ((ax - fx) / length) * DIRECTED_OFFSET_PIXELS;
          context.moveTo(fx + ox, fy + oy);
          context.lineTo(ax + ox, ay + oy);
          arrows.push(fx + ox, fy + oy, ax + ox, ay + oy);
        }
      }
      context.stroke();
      if (arrows.length > 0) this.drawArrowHeads(context, arrows, markerRadiusPixels);
    }
    context.globalAlpha = 1;
  }

  /** Filled arrow heads that stop at the receiving agent's mark (so both stay visible). */
  private drawArrowHeads(
    context: CanvasRenderingContext2D,
    segments: readonly number[],
    markerRadius: number,
  ): void {
    context.beginPath();
    for (let k = 0; k < segments.length; k += 4) {
      const sx = segments[k] as number;
      const sy = segments[k + 1] as number;
      const tx = segments[k + 2] as number;
      const ty = segments[k + 3] as number;
      const length = Math.hypot(tx - sx, ty - sy);
      const stop = Math.max(markerRadius + 1, 3);
      // Short edges (a whole city's graph) get no heads: they would be all one sees.
      if (length < stop + 5 * ARROW_PIXELS) continue;
      const ux = (tx - sx) / length;
      const uy = (ty - sy) / length;
      const tipX = tx - ux * stop;
      const tipY = ty - uy * stop;
      const baseX = tipX - ux * ARROW_PIXELS;
      const baseY = tipY - uy * ARROW_PIXELS;
      context.moveTo(tipX, tipY);
      context.lineTo(baseX - uy * ARROW_PIXELS * 0.5, baseY + ux * ARROW_PIXELS * 0.5);
      context.lineTo(baseX + uy * ARROW_PIXELS * 0.5, baseY - ux * ARROW_PIXELS * 0.5);
      // No closePath: fill closes each subpath (Chromium's closePath is linear in the path's length).
    }
    context.fill();
  }
}
