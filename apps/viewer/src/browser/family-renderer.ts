import type { ReplayFrame } from "@netmarl/envs/replay";
import type { Bounds, ViewTransform } from "./view-transform.js";

/**
 * What the pane needs from each family's renderer. Geometry is decoded once at construction;
 * `drawFrame` must not allocate per call beyond decoding a frame it has not cached.
 */
export interface FamilyRenderer {
  /** True when the world's y axis points up (road networks, particles). */
  readonly yUp: boolean;
  /** World extent to fit at start. */
  bounds(): Bounds;
  /** Static geometry, in world units (the context has the world transform set). */
  drawStatic(context: CanvasRenderingContext2D, view: ViewTransform): void;
  /** One frame's moving parts, in world units (`pixelRatio`: device pixels per CSS pixel). */
  drawFrame(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    frame: ReplayFrame,
    pixelRatio: number,
  ): void;
  /** World positions of the agents in `frame` (x0, y0, x1, y1 …; NaN where an agent is absent). */
  agentPositions(frame: ReplayFrame): Float64Array;
  /** Radius (CSS px) of an agent's mark, where overlay arrows stop short of the receiving agent. */
  markerRadiusPixels(view: ViewTransform): number;
  /** Family-specific hover lines for one agent (signal phase, position, hp …). */
  describeAgent(frame: ReplayFrame, agent: number): string[];
}

/** A decoded array as plain numbers to read (all packed dtypes are indexable the same way). */
export type NumberArray = ArrayLike<number>;
