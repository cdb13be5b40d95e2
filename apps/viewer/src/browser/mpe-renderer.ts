import { type MpeScene, type MpeState, type ReplayFrame, unpackArray } from "@netmarl/envs/replay";
import type { FamilyRenderer, NumberArray } from "./family-renderer.js";
import { formatNumber } from "./format-number.js";
import { FrameCache } from "./frame-cache.js";
import type { Bounds, ViewTransform } from "./view-transform.js";

/** Fill per entity kind: learning agent, landmark, scripted agent (prey), movable object (scene.entityKind). */
const KIND_COLOURS = ["#4e79a7", "#a0a0a0", "#e15759", "#9c755f"] as const;
const KIND_NAMES = ["agent", "landmark", "scripted agent", "movable object"] as const;
/** Landmarks under agents: kinds in the order landmark, object, agent, scripted agent. */
const KIND_DRAW_ORDER = [1, 3, 0, 2] as const;

interface DecodedMpe {
  readonly position: NumberArray;
  readonly velocity: NumberArray;
}

/** Particle worlds: every entity a circle of its size, one path per kind. */
export class MpeRenderer implements FamilyRenderer {
  readonly yUp = true;
  private readonly kind: NumberArray;
  private readonly size: NumberArray;
  private readonly numEntities: number;
  private readonly cache = new FrameCache<ReplayFrame, DecodedMpe>(6);
  private readonly positions: Float64Array;

  constructor(
    private readonly scene: MpeScene,
    private readonly numAgents: number,
  ) {
    this.kind = unpackArray(scene.entityKind, "scene.entityKind");
    this.size = unpackArray(scene.entitySize, "scene.entitySize");
    this.numEntities = scene.numEntities;
    if (this.kind.length !== this.numEntities || this.size.length !== this.numEntities) {
      throw new Error(
        `replay: scene.entityKind and scene.entitySize must hold numEntities = ${this.numEntities} entries`,
      );
    }
    if (!Array.isArray(scene.bounds) || scene.bounds.length !== 4) {
      throw new Error("replay: scene.bounds must be [xmin, ymin, xmax, ymax]");
    }
    this.positions = new Float64Array(numAgents * 2);
  }

  bounds(): Bounds {
    return this.scene.bounds;
  }

  drawStatic(context: CanvasRenderingContext2D, view: ViewTransform): void {
    const [xmin, ymin, xmax, ymax] = this.scene.bounds;
    context.strokeStyle = "#d0d0cc";
    context.lineWidth = 1 / view.scale;
    context.strokeRect(xmin, ymin, xmax - xmin, ymax - ymin);
  }

  private decode(frame: ReplayFrame): DecodedMpe {
    return this.cache.get(frame, () => {
      const state = frame.state as MpeState;
      const where = `frame t=${frame.t} state`;
      const position = unpackArray(state.position, `${where}.position`);
      if (position.length !== 2 * this.numEntities) {
        throw new Error(
          `replay: ${where}.position must hold numEntities × 2 = ${2 * this.numEntities} numbers`,
        );
      }
      return { position, velocity: unpackArray(state.velocity, `${where}.velocity`) };
    });
  }

  drawFrame(context: CanvasRenderingContext2D, view: ViewTransform, frame: ReplayFrame): void {
    const { position } = this.decode(frame);
    const minimumRadius = 1.5 / view.scale;
    for (const kind of KIND_DRAW_ORDER) {
      context.fillStyle = KIND_COLOURS[kind] as string;
      context.beginPath();
      let any = false;
      for (let e = 0; e < this.numEntities; e++) {
        if (this.kind[e] !== kind) continue;
        const x = position[2 * e] as number;
        const y = position[2 * e + 1] as number;
        const r = Math.max(this.size[e] as number, minimumRadius);
        context.moveTo(x + r, y);
        context.arc(x, y, r, 0, 2 * Math.PI);
        any = true;
      }
      if (any) context.fill();
    }
  }

  markerRadiusPixels(view: ViewTransform): number {
    return Math.max((this.size[0] as number) * view.scale, 1.5);
  }

  agentPositions(frame: ReplayFrame): Float64Array {
    const { position } = this.decode(frame);
    for (let agent = 0; agent < this.numAgents; agent++) {
      this.positions[2 * agent] = (position[2 * agent] as number | undefined) ?? Number.NaN;
      this.positions[2 * agent + 1] = (position[2 * agent + 1] as number | undefined) ?? Number.NaN;
    }
    return this.positions;
  }

  describeAgent(frame: ReplayFrame, agent: number): string[] {
    const { position, velocity } = this.decode(frame);
    const kind = KIND_NAMES[this.kind[agent] as number] ?? "entity";
    return [
      `${kind}, radius ${formatNumber(this.size[agent] as number)}`,
      `position (${formatNumber(position[2 * agent] as number)}, ${formatNumber(position[2 * agent + 1] as number)})`,
      `velocity (${formatNumber(velocity[2 * agent] as number)}, ${formatNumber(velocity[2 * agent + 1] as number)})`,
    ];
  }
}
