import { type GraphScene, type GraphState, type ReplayFrame, unpackArray } from "@netmarl/envs/replay";
import { firstAgentAction } from "./agent-actions.js";
import { boundsOfPoints } from "./bounds-of-points.js";
import { categoryColour } from "./colours.js";
import type { FamilyRenderer, NumberArray } from "./family-renderer.js";
import { formatNumber } from "./format-number.js";
import { FrameCache } from "./frame-cache.js";
import type { Bounds, ViewTransform } from "./view-transform.js";

interface DecodedGraphFrame {
  readonly actions: NumberArray;
  readonly value: NumberArray | undefined;
  readonly valueMin: number;
  readonly valueMax: number;
}

const NO_ACTION_COLOUR = "#9a9a94";

/**
 * Games whose only geometry is the agent graph: agents as nodes at the scene's layout (a circle
 * when it has none), filled by the action they took, sized and labelled by the per-agent value.
 * The edges are the graph overlay's.
 */
export class GraphRenderer implements FamilyRenderer {
  readonly yUp = true; // The envs' layouts put grid row r at y = −r.
  private readonly positions: Float64Array;
  private readonly nodeRadius: number;
  private readonly cache = new FrameCache<ReplayFrame, DecodedGraphFrame>(6);
  private readonly numActionColours: number;

  constructor(
    scene: GraphScene,
    private readonly numAgents: number,
  ) {
    this.positions = new Float64Array(numAgents * 2);
    if (scene.nodePosition !== undefined) {
      const layout = unpackArray(scene.nodePosition, "scene.nodePosition");
      if (layout.length !== 2 * numAgents) {
        throw new Error(`replay: scene.nodePosition must hold numAgents × 2 = ${2 * numAgents} numbers`);
      }
      this.positions.set(layout);
    } else {
      // No layout: the unit circle, agent 0 on top, clockwise (the envs' own ring layout).
      for (let i = 0; i < numAgents; i++) {
        this.positions[2 * i] = Math.sin((2 * Math.PI * i) / numAgents);
        this.positions[2 * i + 1] = Math.cos((2 * Math.PI * i) / numAgents);
      }
    }
    const [xmin, ymin, xmax, ymax] = this.bounds();
    this.nodeRadius = Math.max(xmax - xmin, ymax - ymin) / (8 * Math.sqrt(numAgents) + 8);
    this.numActionColours = Math.max(scene.actionNames?.length ?? 0, 10);
  }

  bounds(): Bounds {
    const [xmin, ymin, xmax, ymax] = boundsOfPoints(this.positions, this.positions.subarray(1), 2);
    const margin = Math.max(xmax - xmin, ymax - ymin, 1e-9) * 0.08;
    return [xmin - margin, ymin - margin, xmax + margin, ymax + margin];
  }

  drawStatic(): void {}

  private decode(frame: ReplayFrame): DecodedGraphFrame {
    return this.cache.get(frame, () => {
      const state = frame.state as GraphState;
      const where = `frame t=${frame.t}`;
      const actions = frame.actions === undefined ? [] : unpackArray(frame.actions, `${where} actions`);
      const value =
        state.agentValue === undefined
          ? undefined
          : unpackArray(state.agentValue, `${where} state.agentValue`);
      let valueMin = Number.POSITIVE_INFINITY;
      let valueMax = Number.NEGATIVE_INFINITY;
      if (value !== undefined) {
        for (let i = 0; i < value.length; i++) {
          valueMin = Math.min(valueMin, value[i] as number);
          valueMax = Math.max(valueMax, value[i] as number);
        }
      }
      return { actions, value, valueMin, valueMax };
    });
  }

  private radiusOf(decoded: DecodedGraphFrame, agent: number): number {
    if (decoded.value === undefined || !(decoded.valueMax > decoded.valueMin)) return this.nodeRadius;
    const share =
      ((decoded.value[agent] as number) - decoded.valueMin) / (decoded.valueMax - decoded.valueMin);
    return this.nodeRadius * (0.6 + 0.8 * share);
  }

  drawFrame(context: CanvasRenderingContext2D, view: ViewTransform, frame: ReplayFrame): void {
    const decoded = this.decode(frame);
    const minimumRadius = 2 / view.scale;
    // One path per action (and one for "no action yet"), so a frame is a handful of fills.
    for (let action = -1; action < this.numActionColours; action++) {
      context.fillStyle = action < 0 ? NO_ACTION_COLOUR : categoryColour(action);
      context.beginPath();
      let any = false;
      for (let agent = 0; agent < this.numAgents; agent++) {
        const taken = firstAgentAction(decoded.actions, this.numAgents, agent);
        const bucket = Number.isFinite(taken) ? Math.round(taken) % this.numActionColours : -1;
        if (bucket !== action) continue;
        const x = this.positions[2 * agent] as number;
        const y = this.positions[2 * agent + 1] as number;
        const r = Math.max(this.radiusOf(decoded, agent), minimumRadius);
        context.moveTo(x + r, y);
        context.arc(x, y, r, 0, 2 * Math.PI);
        any = true;
      }
      if (any) context.fill();
    }
    this.drawValueLabels(context, view, decoded);
  }

  /** The per-agent value as text beside each node, when nodes are big enough to read it. */
  private drawValueLabels(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    decoded: DecodedGraphFrame,
  ): void {
    if (decoded.value === undefined || this.nodeRadius * view.scale < 5) return;
    context.save();
    // Text in CSS pixels: the world transform's x scale is view.scale × the device pixel ratio.
    const pixelRatio = context.getTransform().a / view.scale;
    context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
    context.fillStyle = "#222";
    context.font = "11px system-ui, sans-serif";
    context.textAlign = "left";
    context.textBaseline = "middle";
    for (let agent = 0; agent < this.numAgents; agent++) {
      context.fillText(
        formatNumber(decoded.value[agent] as number),
        view.screenX(this.positions[2 * agent] as number) + this.radiusOf(decoded, agent) * view.scale + 3,
        view.screenY(this.positions[2 * agent + 1] as number),
      );
    }
    context.restore();
  }

  markerRadiusPixels(view: ViewTransform): number {
    return Math.max(this.nodeRadius * view.scale, 2); // the mean node; value-sized ones vary ±40 %
  }

  agentPositions(): Float64Array {
    return this.positions;
  }

  describeAgent(frame: ReplayFrame, agent: number): string[] {
    const decoded = this.decode(frame);
    const state = frame.state as GraphState;
    if (decoded.value === undefined) return [];
    return [`${state.agentValueName ?? "value"} ${formatNumber(decoded.value[agent] as number)}`];
  }
}
