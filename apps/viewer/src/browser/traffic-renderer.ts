import { type ReplayFrame, type TrafficScene, type TrafficState, unpackArray } from "@netmarl/envs/replay";
import { boundsOfPoints } from "./bounds-of-points.js";
import { categoryColour } from "./colours.js";
import type { FamilyRenderer, NumberArray } from "./family-renderer.js";
import { FrameCache } from "./frame-cache.js";
import { PixelLayer, packColour } from "./pixel-layer.js";
import type { Bounds, ViewTransform } from "./view-transform.js";

interface DecodedTraffic {
  readonly drivable: NumberArray;
  readonly distance: NumberArray;
  readonly speed: NumberArray;
  readonly phase: NumberArray;
}

/** CityFlow's default vehicle (5 m × 2 m); the format carries no per-vehicle size. */
const VEHICLE_LENGTH_METRES = 5;
const VEHICLE_WIDTH_METRES = 2;
/** Speed classes drawn in one path each: stopped, slow, moving. */
const SPEED_CLASS_COLOURS = ["#d62728", "#ff9f1c", "#1f4e9c"] as const;
const SPEED_CLASS_PIXELS = SPEED_CLASS_COLOURS.map(packColour);
const STOPPED_METRES_PER_SECOND = 0.1;
const SLOW_METRES_PER_SECOND = 5;
const ALL_RED = "#d62728";
/** Intersection width on screen from which green lane links are drawn. */
const LINK_DETAIL_PIXELS = 12;
/** Vehicle length on screen (CSS px) below which a vehicle is a 2 px dot (its shape is invisible). */
const HEADING_DETAIL_PIXELS = 4;

/**
 * Road networks: lanes as polylines (static layer), vehicles as rectangles placed along their
 * drivable's polyline, each intersection's signal as a square coloured by its phase and the lane
 * links its phase lets through drawn green.
 */
export class TrafficRenderer implements FamilyRenderer {
  readonly yUp = true;
  private readonly pointX: NumberArray;
  private readonly pointY: NumberArray;
  private readonly pointOffsets: NumberArray;
  /** Distance along its drivable of every polyline point (0 at each drivable's first point). */
  private readonly pointDistance: Float64Array;
  private readonly laneWidth: NumberArray;
  private readonly intersectionX: NumberArray;
  private readonly intersectionY: NumberArray;
  private readonly intersectionWidth: NumberArray;
  private readonly intersectionVirtual: NumberArray;
  private readonly agentIntersection: NumberArray;
  private readonly phaseStart: NumberArray;
  private readonly greenLinkOffsets: NumberArray;
  private readonly greenLinks: NumberArray;
  private readonly numLanes: number;
  private readonly cache = new FrameCache<ReplayFrame, DecodedTraffic>(6);
  private readonly positions: Float64Array;
  private speedClass = new Uint8Array(0);
  private vehicleX = new Float64Array(0);
  private vehicleY = new Float64Array(0);
  private headingX = new Float64Array(0);
  private headingY = new Float64Array(0);
  private maxPhase = 0;
  private readonly dots = new PixelLayer();
  private visibleLeft = Number.NEGATIVE_INFINITY;
  private visibleRight = Number.POSITIVE_INFINITY;
  private visibleBottom = Number.NEGATIVE_INFINITY;
  private visibleTop = Number.POSITIVE_INFINITY;
  /** Widest real intersection (metres). */
  private readonly typicalIntersectionWidth: number;

  constructor(
    private readonly scene: TrafficScene,
    private readonly numAgents: number,
  ) {
    this.pointX = unpackArray(scene.pointX, "scene.pointX");
    this.pointY = unpackArray(scene.pointY, "scene.pointY");
    this.pointOffsets = unpackArray(scene.pointOffsets, "scene.pointOffsets");
    this.laneWidth = unpackArray(scene.laneWidth, "scene.laneWidth");
    this.intersectionX = unpackArray(scene.intersectionX, "scene.intersectionX");
    this.intersectionY = unpackArray(scene.intersectionY, "scene.intersectionY");
    this.intersectionWidth = unpackArray(scene.intersectionWidth, "scene.intersectionWidth");
    this.intersectionVirtual = unpackArray(scene.intersectionVirtual, "scene.intersectionVirtual");
    this.agentIntersection = unpackArray(scene.agentIntersection, "scene.agentIntersection");
    this.phaseStart = unpackArray(scene.intersectionPhaseStart, "scene.intersectionPhaseStart");
    this.greenLinkOffsets = unpackArray(scene.phaseGreenLinkOffsets, "scene.phaseGreenLinkOffsets");
    this.greenLinks = unpackArray(scene.phaseGreenLinks, "scene.phaseGreenLinks");
    this.numLanes = scene.numLanes;
    if (this.pointOffsets.length !== scene.numDrivables + 1) {
      throw new Error(
        `replay: scene.pointOffsets must hold numDrivables + 1 = ${scene.numDrivables + 1} entries, got ${this.pointOffsets.length}`,
      );
    }
    if (this.pointX.length !== this.pointY.length) {
      throw new Error("replay: scene.pointX and scene.pointY must have the same length");
    }
    this.pointDistance = this.measurePolylines();
    this.positions = new Float64Array(numAgents * 2);
    let widest = 0;
    for (let i = 0; i < this.intersectionWidth.length; i++)
      widest = Math.max(widest, this.intersectionWidth[i] as number);
    this.typicalIntersectionWidth = widest;
    for (let i = 0; i < this.phaseStart.length - 1; i++) {
      this.maxPhase = Math.max(
        this.maxPhase,
        (this.phaseStart[i + 1] as number) - (this.phaseStart[i] as number),
      );
    }
  }

  private measurePolylines(): Float64Array {
    const distance = new Float64Array(this.pointX.length);
    for (let d = 0; d + 1 < this.pointOffsets.length; d++) {
      const start = this.pointOffsets[d] as number;
      const end = this.pointOffsets[d + 1] as number;
      for (let p = start + 1; p < end; p++) {
        const dx = (this.pointX[p] as number) - (this.pointX[p - 1] as number);
        const dy = (this.pointY[p] as number) - (this.pointY[p - 1] as number);
        distance[p] = (distance[p - 1] as number) + Math.hypot(dx, dy);
      }
    }
    return distance;
  }

  bounds(): Bounds {
    return boundsOfPoints(this.pointX, this.pointY);
  }

  drawStatic(context: CanvasRenderingContext2D, view: ViewTransform): void {
    const minimumWorld = 1 / view.scale; // Keep one CSS pixel of everything when zoomed out.
    context.fillStyle = "#c9c9c4";
    context.beginPath();
    for (let i = 0; i < this.intersectionX.length; i++) {
      if (this.intersectionVirtual[i] === 1) continue;
      const half = Math.max((this.intersectionWidth[i] as number) / 2, minimumWorld);
      context.rect(
        (this.intersectionX[i] as number) - half,
        (this.intersectionY[i] as number) - half,
        2 * half,
        2 * half,
      );
    }
    context.fill();
    let meanWidth = 0;
    for (let lane = 0; lane < this.laneWidth.length; lane++) meanWidth += this.laneWidth[lane] as number;
    meanWidth = this.laneWidth.length > 0 ? meanWidth / this.laneWidth.length : 3;
    context.strokeStyle = "#8d8d87";
    context.lineWidth = Math.max(meanWidth * 0.9, minimumWorld);
    context.lineCap = "butt";
    context.beginPath();
    this.setVisibleBox(view);
    for (let lane = 0; lane < this.numLanes; lane++) this.tracePolyline(context, lane);
    context.stroke();
  }

  /** The world box on screen, widened by an intersection, that `tracePolyline` culls against. */
  private setVisibleBox(view: ViewTransform): void {
    const margin = this.typicalIntersectionWidth + 10;
    this.visibleLeft = view.worldX(0) - margin;
    this.visibleRight = view.worldX(view.width) + margin;
    this.visibleBottom = Math.min(view.worldY(0), view.worldY(view.height)) - margin;
    this.visibleTop = Math.max(view.worldY(0), view.worldY(view.height)) + margin;
  }

  /** Adds drivable d's polyline to the path unless both its ends are off screen on one side. */
  private tracePolyline(context: CanvasRenderingContext2D, drivable: number): void {
    const start = this.pointOffsets[drivable] as number;
    const end = this.pointOffsets[drivable + 1] as number;
    if (end - start < 2) return;
    const x0 = this.pointX[start] as number;
    const x1 = this.pointX[end - 1] as number;
    const y0 = this.pointY[start] as number;
    const y1 = this.pointY[end - 1] as number;
    if (
      (x0 < this.visibleLeft && x1 < this.visibleLeft) ||
      (x0 > this.visibleRight && x1 > this.visibleRight) ||
      (y0 < this.visibleBottom && y1 < this.visibleBottom) ||
      (y0 > this.visibleTop && y1 > this.visibleTop)
    ) {
      return;
    }
    context.moveTo(this.pointX[start] as number, this.pointY[start] as number);
    for (let p = start + 1; p < end; p++) context.lineTo(this.pointX[p] as number, this.pointY[p] as number);
  }

  private decode(frame: ReplayFrame): DecodedTraffic {
    return this.cache.get(frame, () => {
      const state = frame.state as TrafficState;
      const where = `frame t=${frame.t} state`;
      const decoded = {
        drivable: unpackArray(state.vehicleDrivable, `${where}.vehicleDrivable`),
        distance: unpackArray(state.vehicleDistance, `${where}.vehicleDistance`),
        speed: unpackArray(state.vehicleSpeed, `${where}.vehicleSpeed`),
        phase: unpackArray(state.phase, `${where}.phase`),
      };
      if (decoded.distance.length !== decoded.drivable.length) {
        throw new Error(`replay: ${where}.vehicleDistance must be as long as vehicleDrivable`);
      }
      return decoded;
    });
  }

  drawFrame(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    frame: ReplayFrame,
    pixelRatio: number,
  ): void {
    const decoded = this.decode(frame);
    const count = this.placeVehicles(decoded);
    if (VEHICLE_LENGTH_METRES * view.scale < HEADING_DETAIL_PIXELS)
      this.drawVehicleDots(context, view, count, pixelRatio);
    else this.drawVehicleShapes(context, view, count);
    this.drawSignals(context, view, decoded.phase);
  }

  /** Zoomed out: each vehicle a 2 px dot at its middle, written into a pixel layer. */
  private drawVehicleDots(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    count: number,
    pixelRatio: number,
  ): void {
    this.dots.begin(context.canvas.width, context.canvas.height);
    const size = Math.max(2, Math.round(2 * pixelRatio));
    const middle = VEHICLE_LENGTH_METRES / 2;
    for (let v = 0; v < count; v++) {
      const x = this.vehicleX[v] as number;
      if (Number.isNaN(x)) continue;
      this.dots.square(
        pixelRatio * view.screenX(x - (this.headingX[v] as number) * middle),
        pixelRatio * view.screenY((this.vehicleY[v] as number) - (this.headingY[v] as number) * middle),
        size,
        SPEED_CLASS_PIXELS[this.speedClass[v] as number] as number,
      );
    }
    this.dots.end(context);
  }

  private drawSignals(context: CanvasRenderingContext2D, view: ViewTransform, phase: NumberArray): void {
    const count = Math.min(phase.length, this.phaseStart.length - 1);
    // Lane links are inside intersections: only worth their strokes once those are a few pixels wide.
    if (this.typicalIntersectionWidth * view.scale >= LINK_DETAIL_PIXELS) {
      this.drawGreenLinks(context, view, phase, count);
    }
    const minimumWorld = 1 / view.scale;
    // A square per signalised intersection in its phase's colour, one path per colour.
    for (let colour = -1; colour < this.maxPhase; colour++) {
      context.fillStyle = colour < 0 ? ALL_RED : categoryColour(colour);
      context.beginPath();
      let any = false;
      for (let i = 0; i < count; i++) {
        if (phase[i] !== colour || this.intersectionVirtual[i] === 1) continue;
        const half = Math.max((this.intersectionWidth[i] as number) * 0.15, 2 * minimumWorld);
        context.rect(
          (this.intersectionX[i] as number) - half,
          (this.intersectionY[i] as number) - half,
          2 * half,
          2 * half,
        );
        any = true;
      }
      if (any) context.fill();
    }
  }

  /** Green lane links of every intersection's current phase, one path. */
  private drawGreenLinks(
    context: CanvasRenderingContext2D,
    view: ViewTransform,
    phase: NumberArray,
    count: number,
  ): void {
    context.strokeStyle = "rgba(40, 160, 60, 0.8)";
    context.lineWidth = 2 / view.scale;
    this.setVisibleBox(view);
    context.beginPath();
    for (let i = 0; i < count; i++) {
      const p = phase[i] as number;
      if (p < 0) continue;
      const global = (this.phaseStart[i] as number) + p;
      if (global >= (this.phaseStart[i + 1] as number)) continue;
      const from = this.greenLinkOffsets[global] as number;
      const to = this.greenLinkOffsets[global + 1] as number;
      for (let k = from; k < to; k++) {
        this.tracePolyline(context, this.numLanes + (this.greenLinks[k] as number));
      }
    }
    context.stroke();
  }

  private ensureVehicleCapacity(count: number): void {
    if (this.vehicleX.length >= count) return;
    const capacity = Math.max(count, this.vehicleX.length * 2);
    this.vehicleX = new Float64Array(capacity);
    this.vehicleY = new Float64Array(capacity);
    this.headingX = new Float64Array(capacity);
    this.headingY = new Float64Array(capacity);
    this.speedClass = new Uint8Array(capacity);
  }

  /** Front position and heading of each vehicle: its drivable's polyline at its distance. */
  private placeVehicles(decoded: DecodedTraffic): number {
    const count = decoded.drivable.length;
    this.ensureVehicleCapacity(count);
    const numDrivables = this.pointOffsets.length - 1;
    for (let v = 0; v < count; v++) {
      const drivable = decoded.drivable[v] as number;
      const speed = decoded.speed[v] as number;
      this.speedClass[v] = speed < STOPPED_METRES_PER_SECOND ? 0 : speed < SLOW_METRES_PER_SECOND ? 1 : 2;
      if (drivable < 0 || drivable >= numDrivables) {
        this.vehicleX[v] = Number.NaN;
        continue;
      }
      const start = this.pointOffsets[drivable] as number;
      const end = this.pointOffsets[drivable + 1] as number;
      const distance = decoded.distance[v] as number;
      let segment = start + 1;
      while (segment < end - 1 && (this.pointDistance[segment] as number) < distance) segment++;
      if (segment >= end) {
        this.vehicleX[v] = Number.NaN;
        continue;
      }
      const x0 = this.pointX[segment - 1] as number;
      const y0 = this.pointY[segment - 1] as number;
      const dx = (this.pointX[segment] as number) - x0;
      const dy = (this.pointY[segment] as number) - y0;
      const length = Math.hypot(dx, dy) || 1;
      const along = distance - (this.pointDistance[segment - 1] as number);
      this.headingX[v] = dx / length;
      this.headingY[v] = dy / length;
      this.vehicleX[v] = x0 + (dx / length) * along;
      this.vehicleY[v] = y0 + (dy / length) * along;
    }
    return count;
  }

  /** Zoomed in: each vehicle a rectangle along its heading, one path per speed class. */
  private drawVehicleShapes(context: CanvasRenderingContext2D, view: ViewTransform, count: number): void {
    const length = VEHICLE_LENGTH_METRES;
    const halfWidth = Math.max(VEHICLE_WIDTH_METRES, 1.5 / view.scale) / 2;
    // Only what is on screen (plus a vehicle's length): zoomed in on a city, most vehicles are not.
    const left = view.worldX(0) - length;
    const right = view.worldX(view.width) + length;
    const bottom = Math.min(view.worldY(0), view.worldY(view.height)) - length;
    const top = Math.max(view.worldY(0), view.worldY(view.height)) + length;
    for (let speedClass = 0; speedClass < SPEED_CLASS_COLOURS.length; speedClass++) {
      context.fillStyle = SPEED_CLASS_COLOURS[speedClass] as string;
      context.beginPath();
      for (let v = 0; v < count; v++) {
        if (this.speedClass[v] !== speedClass) continue;
        const x = this.vehicleX[v] as number;
        const y = this.vehicleY[v] as number;
        if (!(x >= left && x <= right && y >= bottom && y <= top)) continue; // also drops NaN
        const hx = this.headingX[v] as number;
        const hy = this.headingY[v] as number;
        // Rectangle from the front back along the heading; (-hy, hx) is its left side.
        const bx = x - hx * length;
        const by = y - hy * length;
        context.moveTo(x - hy * halfWidth, y + hx * halfWidth);
        context.lineTo(x + hy * halfWidth, y - hx * halfWidth);
        context.lineTo(bx + hy * halfWidth, by - hx * halfWidth);
        context.lineTo(bx - hy * halfWidth, by + hx * halfWidth);
        // No closePath: fill closes each subpath, and Chromium's closePath is linear in the path's
        // length (quadratic over a frame of thousands of vehicles).
      }
      context.fill();
    }
  }

  agentPositions(_frame: ReplayFrame): Float64Array {
    for (let agent = 0; agent < this.numAgents; agent++) {
      const i = (this.agentIntersection[agent] as number | undefined) ?? -1;
      this.positions[2 * agent] = i >= 0 ? (this.intersectionX[i] as number) : Number.NaN;
      this.positions[2 * agent + 1] = i >= 0 ? (this.intersectionY[i] as number) : Number.NaN;
    }
    return this.positions;
  }

  describeAgent(frame: ReplayFrame, agent: number): string[] {
    const i = (this.agentIntersection[agent] as number | undefined) ?? -1;
    if (i < 0) return [];
    const phase = this.decode(frame).phase[i] as number;
    return [
      `intersection ${this.scene.intersectionIds[i] ?? i}`,
      `phase ${phase < 0 ? "all red" : phase}`,
      `vehicles in the network ${this.decode(frame).drivable.length}`,
    ];
  }
}
