/**
 * A CityFlow road network compiled to flat typed arrays for the engine's hot loop.
 *
 * Drivables are numbered lanes first (`0 … numLanes-1`, road by road, lane by lane) then lane
 * links (`numLanes …`), intersection by intersection in file order, roadLink by roadLink — the
 * order of `RoadNet::getDrivables()`. Geometry follows `RoadNet::loadFromJson` and
 * `Road::initLanesPoints` (lanes trimmed by the width of real intersections, offset to the right by
 * the widths of the lanes before them), lane links use the file's points or CityFlow's Bézier
 * fallback, and crossings (`Intersection::initCrosses`) are the first intersection of every pair
 * of lane-link polylines, quirks included (a parallel segment pair does not advance the second
 * polyline's running distance).
 */
import type { Point, RoadLinkType, RoadnetSpec } from "./cityflow-files.js";

/** CityFlow's `RoadLinkType` enum: the higher value has priority at a crossing. */
export const ROAD_LINK_PRIORITY: Readonly<Record<RoadLinkType, number>> = {
  go_straight: 3,
  turn_left: 2,
  turn_right: 1,
};

/** `LaneLink` default maximum speed in CityFlow (no limit on a lane link; turns are capped by the vehicle). */
const LANE_LINK_MAX_SPEED = 10000;
const GEOMETRY_EPS = 1e-8;

export class RoadNetwork {
  readonly spec: RoadnetSpec;
  readonly numRoads: number;
  readonly numLanes: number;
  readonly numLaneLinks: number;
  readonly numDrivables: number;
  readonly numIntersections: number;
  readonly numRoadLinks: number;
  readonly numCrosses: number;

  readonly roadIds: string[];
  readonly laneIds: string[];
  readonly intersectionIds: string[];
  /** First lane of each road; lanes of road r are `roadLaneStart[r] … roadLaneStart[r+1]-1`. */
  readonly roadLaneStart: Int32Array;
  readonly roadStartIntersection: Int32Array;
  readonly roadEndIntersection: Int32Array;
  /** Mean lane length of each road (CityFlow's `Road::averageLength`, the router's cost). */
  readonly roadAverageLength: Float64Array;

  readonly laneRoad: Int32Array;
  readonly laneIndexInRoad: Int32Array;
  /** Lane links leaving each lane: `laneLinkList[laneLinkOffsets[l] … laneLinkOffsets[l+1]-1]` (link numbers 0-based). */
  readonly laneLinkOffsets: Int32Array;
  readonly laneLinkList: Int32Array;

  /** Polyline of every drivable (lanes then lane links), metres, for drawing and replays. */
  readonly drivablePoints: ReadonlyArray<readonly Point[]>;
  /** Length and speed limit of every drivable (lanes then lane links). */
  readonly drivableLength: Float64Array;
  readonly drivableMaxSpeed: Float64Array;

  readonly linkStartLane: Int32Array;
  readonly linkEndLane: Int32Array;
  /** Global roadLink number of each lane link. */
  readonly linkRoadLink: Int32Array;
  /** 3 straight, 2 left, 1 right. */
  readonly linkPriority: Int8Array;
  readonly linkIsTurn: Uint8Array;
  /** Crossings along each lane link, sorted by distance from the link's start. */
  readonly linkCrossOffsets: Int32Array;
  readonly linkCrossList: Int32Array;
  /** Side (0 or 1) of the link in each entry of `linkCrossList`. */
  readonly linkCrossSide: Uint8Array;
  /** Distance of crossing c from the start of its side-s link at `[2c + s]`. */
  readonly crossDistance: Float64Array;
  readonly crossLink: Int32Array;

  readonly roadLinkIntersection: Int32Array;
  readonly roadLinkStartRoad: Int32Array;
  readonly roadLinkEndRoad: Int32Array;
  readonly roadLinkPriority: Int8Array;
  /** First roadLink of each intersection (roadLinks are numbered intersection by intersection). */
  readonly intersectionRoadLinkStart: Int32Array;
  readonly intersectionVirtual: Uint8Array;
  readonly intersectionX: Float64Array;
  readonly intersectionY: Float64Array;
  /** Phases of intersection i are `phaseStart[i] … phaseStart[i+1]-1`. */
  readonly phaseStart: Int32Array;
  readonly phaseTime: Float64Array;
  /** Green flags of phase p: `phaseGreen[phaseGreenStart[p] + localRoadLinkIndex]`. */
  readonly phaseGreenStart: Int32Array;
  readonly phaseGreen: Uint8Array;
  /** Lane links of each intersection in CityFlow's order (for the crossing notification pass). */
  readonly intersectionLinkStart: Int32Array;

  private readonly roadIndexById = new Map<string, number>();
  private readonly intersectionIndexById = new Map<string, number>();

  constructor(spec: RoadnetSpec) {
    this.spec = spec;
    const roads = spec.roads;
    const inters = spec.intersections;
    this.numRoads = roads.length;
    this.numIntersections = inters.length;
    this.roadIds = roads.map((road) => road.id);
    this.intersectionIds = inters.map((inter) => inter.id);
    for (const [i, road] of roads.entries()) this.roadIndexById.set(road.id, i);
    for (const [i, inter] of inters.entries()) this.intersectionIndexById.set(inter.id, i);

    // ---- lanes
    this.roadLaneStart = new Int32Array(this.numRoads + 1);
    for (let r = 0; r < this.numRoads; r++)
      this.roadLaneStart[r + 1] = this.roadLaneStart[r] + roads[r].lanes.length;
    const numLanes = this.roadLaneStart[this.numRoads];
    this.numLanes = numLanes;
    this.roadStartIntersection = Int32Array.from(roads, (road) => road.startIntersection);
    this.roadEndIntersection = Int32Array.from(roads, (road) => road.endIntersection);
    this.roadAverageLength = new Float64Array(this.numRoads);
    this.laneRoad = new Int32Array(numLanes);
    this.laneIndexInRoad = new Int32Array(numLanes);
    this.laneIds = [];
    const lanePoints: Point[][] = [];
    const laneLength: number[] = [];
    const laneMaxSpeed: number[] = [];
    for (let r = 0; r < this.numRoads; r++) {
      const road = roads[r];
      const pts = road.points.map((p) => ({ x: p.x, y: p.y }));
      const start = inters[road.startIntersection];
      const end = inters[road.endIntersection];
      if (!start.virtual) {
        const u = unit(sub(pts[1], pts[0]));
        pts[0] = add(pts[0], scale(u, start.width));
      }
      if (!end.virtual) {
        const n = pts.length;
        const u = unit(sub(pts[n - 1], pts[n - 2]));
        pts[n - 1] = sub(pts[n - 1], scale(u, end.width));
      }
      let offsetSum = 0;
      let total = 0;
      road.lanes.forEach((lane, k) => {
        const shift = offsetSum + lane.width / 2;
        const points: Point[] = [];
        for (let j = 0; j < pts.length; j++) {
          let u: Point;
          if (j === 0) u = unit(sub(pts[1], pts[0]));
          else if (j + 1 === pts.length) u = unit(sub(pts[j], pts[j - 1]));
          else u = unit(add(unit(sub(pts[j + 1], pts[j])), unit(sub(pts[j], pts[j - 1]))));
          // v = -normal(u) = (u.y, -u.x): the right-hand side of the driving direction.
          points.push({ x: pts[j].x + u.y * shift, y: pts[j].y - u.x * shift });
        }
        const lane0 = this.roadLaneStart[r] + k;
        this.laneRoad[lane0] = r;
        this.laneIndexInRoad[lane0] = k;
        this.laneIds.push(`${road.id}_${k}`);
        lanePoints.push(points);
        const length = polylineLength(points);
        laneLength.push(length);
        laneMaxSpeed.push(lane.maxSpeed);
        total += length;
        offsetSum += lane.width;
      });
      this.roadAverageLength[r] = total / road.lanes.length;
    }

    // ---- road links and lane links
    this.intersectionRoadLinkStart = new Int32Array(this.numIntersections + 1);
    this.intersectionLinkStart = new Int32Array(this.numIntersections + 1);
    for (let i = 0; i < this.numIntersections; i++) {
      const inter = inters[i];
      this.intersectionRoadLinkStart[i + 1] = this.intersectionRoadLinkStart[i] + inter.roadLinks.length;
      let links = 0;
      for (const link of inter.roadLinks) links += link.laneLinks.length;
      this.intersectionLinkStart[i + 1] = this.intersectionLinkStart[i] + links;
    }
    this.numRoadLinks = this.intersectionRoadLinkStart[this.numIntersections];
    const numLinks = this.intersectionLinkStart[this.numIntersections];
    this.numLaneLinks = numLinks;
    this.numDrivables = numLanes + numLinks;
    this.roadLinkIntersection = new Int32Array(this.numRoadLinks);
    this.roadLinkStartRoad = new Int32Array(this.numRoadLinks);
    this.roadLinkEndRoad = new Int32Array(this.numRoadLinks);
    this.roadLinkPriority = new Int8Array(this.numRoadLinks);
    this.linkStartLane = new Int32Array(numLinks);
    this.linkEndLane = new Int32Array(numLinks);
    this.linkRoadLink = new Int32Array(numLinks);
    this.linkPriority = new Int8Array(numLinks);
    this.linkIsTurn = new Uint8Array(numLinks);
    const linkPoints: Point[][] = [];
    const linkLength: number[] = [];
    const lanesLinks: number[][] = Array.from({ length: numLanes }, () => []);
    let linkNumber = 0;
    for (let i = 0; i < this.numIntersections; i++) {
      const inter = inters[i];
      inter.roadLinks.forEach((roadLink, local) => {
        const g = this.intersectionRoadLinkStart[i] + local;
        this.roadLinkIntersection[g] = i;
        this.roadLinkStartRoad[g] = roadLink.startRoad;
        this.roadLinkEndRoad[g] = roadLink.endRoad;
        this.roadLinkPriority[g] = ROAD_LINK_PRIORITY[roadLink.type];
        for (const laneLink of roadLink.laneLinks) {
          const startLane = this.roadLaneStart[roadLink.startRoad] + laneLink.startLaneIndex;
          const endLane = this.roadLaneStart[roadLink.endRoad] + laneLink.endLaneIndex;
          const points =
            laneLink.points ??
            bezierLaneLink(
              lanePoints[startLane],
              laneLength[startLane],
              inters[roads[roadLink.startRoad].endIntersection].width,
              lanePoints[endLane],
              inters[roads[roadLink.endRoad].startIntersection].width,
            );
          this.linkStartLane[linkNumber] = startLane;
          this.linkEndLane[linkNumber] = endLane;
          this.linkRoadLink[linkNumber] = g;
          this.linkPriority[linkNumber] = ROAD_LINK_PRIORITY[roadLink.type];
          this.linkIsTurn[linkNumber] = roadLink.type === "go_straight" ? 0 : 1;
          linkPoints.push(points);
          linkLength.push(polylineLength(points));
          lanesLinks[startLane].push(linkNumber);
          linkNumber++;
        }
      });
    }
    this.laneLinkOffsets = new Int32Array(numLanes + 1);
    for (let l = 0; l < numLanes; l++)
      this.laneLinkOffsets[l + 1] = this.laneLinkOffsets[l] + lanesLinks[l].length;
    this.laneLinkList = Int32Array.from(lanesLinks.flat());

    this.drivablePoints = [...lanePoints, ...linkPoints];
    this.drivableLength = new Float64Array(this.numDrivables);
    this.drivableMaxSpeed = new Float64Array(this.numDrivables);
    for (let l = 0; l < numLanes; l++) {
      this.drivableLength[l] = laneLength[l];
      this.drivableMaxSpeed[l] = laneMaxSpeed[l];
    }
    for (let k = 0; k < numLinks; k++) {
      this.drivableLength[numLanes + k] = linkLength[k];
      this.drivableMaxSpeed[numLanes + k] = LANE_LINK_MAX_SPEED;
    }

    // ---- crossings
    const crossDistance: number[] = [];
    const crossLink: number[] = [];
    const linkCrosses: number[][] = Array.from({ length: numLinks }, () => []);
    for (let i = 0; i < this.numIntersections; i++) {
      const first = this.intersectionLinkStart[i];
      const last = this.intersectionLinkStart[i + 1];
      for (let a = first; a < last; a++) {
        for (let b = a + 1; b < last; b++) {
          const hit = firstCrossing(linkPoints[a], linkPoints[b]);
          if (hit === null) continue;
          const c = crossLink.length / 2;
          crossLink.push(a, b);
          crossDistance.push(hit[0], hit[1]);
          linkCrosses[a].push(c);
          linkCrosses[b].push(c);
        }
      }
    }
    this.numCrosses = crossLink.length / 2;
    this.crossLink = Int32Array.from(crossLink);
    this.crossDistance = Float64Array.from(crossDistance);
    this.linkCrossOffsets = new Int32Array(numLinks + 1);
    const crossList: number[] = [];
    const crossSide: number[] = [];
    for (let k = 0; k < numLinks; k++) {
      const sideOf = (c: number) => (crossLink[2 * c] === k ? 0 : 1);
      // std::sort by distance on this link (not stable; equal distances keep insertion order here).
      const sorted = linkCrosses[k]
        .map((c, order) => ({ c, order, d: crossDistance[2 * c + sideOf(c)] }))
        .sort((x, y) => x.d - y.d || x.order - y.order);
      for (const entry of sorted) {
        crossList.push(entry.c);
        crossSide.push(sideOf(entry.c));
      }
      this.linkCrossOffsets[k + 1] = crossList.length;
    }
    this.linkCrossList = Int32Array.from(crossList);
    this.linkCrossSide = Uint8Array.from(crossSide);

    // ---- traffic lights
    this.intersectionVirtual = Uint8Array.from(inters, (inter) => (inter.virtual ? 1 : 0));
    this.intersectionX = Float64Array.from(inters, (inter) => inter.point.x);
    this.intersectionY = Float64Array.from(inters, (inter) => inter.point.y);
    this.phaseStart = new Int32Array(this.numIntersections + 1);
    for (let i = 0; i < this.numIntersections; i++) {
      this.phaseStart[i + 1] = this.phaseStart[i] + inters[i].lightPhases.length;
    }
    const numPhases = this.phaseStart[this.numIntersections];
    this.phaseTime = new Float64Array(numPhases);
    this.phaseGreenStart = new Int32Array(numPhases + 1);
    let p = 0;
    for (let i = 0; i < this.numIntersections; i++) {
      for (const phase of inters[i].lightPhases) {
        this.phaseTime[p] = phase.time;
        this.phaseGreenStart[p + 1] = this.phaseGreenStart[p] + inters[i].roadLinks.length;
        p++;
      }
    }
    this.phaseGreen = new Uint8Array(this.phaseGreenStart[numPhases]);
    p = 0;
    for (let i = 0; i < this.numIntersections; i++) {
      for (const phase of inters[i].lightPhases) {
        for (const index of phase.availableRoadLinks) this.phaseGreen[this.phaseGreenStart[p] + index] = 1;
        p++;
      }
    }
  }

  roadIndex(id: string): number {
    const index = this.roadIndexById.get(id);
    if (index === undefined) throw new RangeError(`RoadNetwork: no road "${id}"`);
    return index;
  }

  intersectionIndex(id: string): number {
    const index = this.intersectionIndexById.get(id);
    if (index === undefined) throw new RangeError(`RoadNetwork: no intersection "${id}"`);
    return index;
  }

  /** Number of light phases of intersection i. */
  numPhases(intersection: number): number {
    return this.phaseStart[intersection + 1] - this.phaseStart[intersection];
  }

  /** True when lane `lane` has at least one lane link into road `road`. */
  laneLeadsToRoad(lane: number, road: number): boolean {
    for (let e = this.laneLinkOffsets[lane]; e < this.laneLinkOffsets[lane + 1]; e++) {
      if (this.laneRoad[this.linkEndLane[this.laneLinkList[e]]] === road) return true;
    }
    return false;
  }
}

function sub(a: Point, b: Point): Point {
  return { x: a.x - b.x, y: a.y - b.y };
}
function add(a: Point, b: Point): Point {
  return { x: a.x + b.x, y: a.y + b.y };
}
function scale(a: Point, k: number): Point {
  return { x: a.x * k, y: a.y * k };
}
function unit(a: Point): Point {
  const length = Math.hypot(a.x, a.y);
  return { x: a.x / length, y: a.y / length };
}
function lerp(a: Point, b: Point, t: number): Point {
  return { x: (b.x - a.x) * t + a.x, y: (b.y - a.y) * t + a.y };
}
function cross(a: Point, b: Point): number {
  return a.x * b.y - a.y * b.x;
}
function sign(x: number): number {
  return (x + GEOMETRY_EPS > 0 ? 1 : 0) - (x < GEOMETRY_EPS ? 1 : 0);
}

export function polylineLength(points: readonly Point[]): number {
  let length = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    length += Math.hypot(points[k + 1].x - points[k].x, points[k + 1].y - points[k].y);
  }
  return length;
}

export function pointAt(points: readonly Point[], distance: number): Point {
  let d = Math.min(Math.max(distance, 0), polylineLength(points));
  if (d <= 0) return points[0];
  for (let k = 1; k < points.length; k++) {
    const length = Math.hypot(points[k].x - points[k - 1].x, points[k].y - points[k - 1].y);
    if (d > length) d -= length;
    else return lerp(points[k - 1], points[k], d / length);
  }
  return points[points.length - 1];
}

export function directionAt(points: readonly Point[], distance: number): Point {
  let remain = distance;
  for (let k = 0; k + 1 < points.length; k++) {
    const length = Math.hypot(points[k + 1].x - points[k].x, points[k + 1].y - points[k].y);
    if (remain < length) return unit(sub(points[k + 1], points[k]));
    remain -= length;
  }
  return unit(sub(points[points.length - 1], points[points.length - 2]));
}

/** CityFlow's fallback lane-link curve (cubic Bézier, 11 points) when the file gives no points. */
function bezierLaneLink(
  startLane: Point[],
  startLength: number,
  startWidth: number,
  endLane: Point[],
  endWidth: number,
): Point[] {
  const start = pointAt(startLane, startLength - startWidth);
  const end = pointAt(endLane, endWidth);
  const length = Math.hypot(end.x - start.x, end.y - start.y);
  const startDirection = directionAt(startLane, startLength - startWidth);
  const endDirection = directionAt(endLane, endWidth);
  let gap1 = scale(startDirection, length * 0.5);
  let gap2 = scale(endDirection, -length * 0.5);
  if (gap1.x * gap1.x + gap1.y * gap1.y < 25 && startWidth >= 5) gap1 = scale(startDirection, 5);
  if (gap2.x * gap2.x + gap2.y * gap2.y < 25 && endWidth >= 5) gap2 = scale(endDirection, 5);
  const mid1 = add(start, gap1);
  const mid2 = add(end, gap2);
  const points: Point[] = [];
  for (let i = 0; i <= 10; i++) {
    const t = i / 10;
    const p1 = lerp(start, mid1, t);
    const p2 = lerp(mid1, mid2, t);
    const p3 = lerp(mid2, end, t);
    points.push(lerp(lerp(p1, p2, t), lerp(p2, p3, t), t));
  }
  return points;
}

/** Distances along a and b of the first crossing of two polylines (CityFlow's scan order), or null. */
function firstCrossing(a: readonly Point[], b: readonly Point[]): [number, number] | null {
  let distanceA = 0;
  for (let ia = 0; ia + 1 < a.length; ia++) {
    const a1 = a[ia];
    const a2 = a[ia + 1];
    let distanceB = 0;
    for (let ib = 0; ib + 1 < b.length; ib++) {
      const b1 = b[ib];
      const b2 = b[ib + 1];
      const u = sub(a2, a1);
      const v = sub(b2, b1);
      const denominator = cross(u, v);
      // CityFlow `continue`s here before advancing distanceB: kept for identical crossing distances.
      if (sign(denominator) === 0) continue;
      const t = cross(sub(b1, a1), v) / denominator;
      const p = { x: a1.x + u.x * t, y: a1.y + u.y * t };
      if (onSegment(a1, a2, p) && onSegment(b1, b2, p)) {
        return [
          distanceA + Math.hypot(p.x - a1.x, p.y - a1.y),
          distanceB + Math.hypot(p.x - b1.x, p.y - b1.y),
        ];
      }
      distanceB += Math.hypot(v.x, v.y);
    }
    distanceA += Math.hypot(a2.x - a1.x, a2.y - a1.y);
  }
  return null;
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  const v1 = cross(sub(b, a), sub(p, a));
  const v2 = (p.x - a.x) * (p.x - b.x) + (p.y - a.y) * (p.y - b.y);
  return sign(v1) === 0 && sign(v2) <= 0;
}
