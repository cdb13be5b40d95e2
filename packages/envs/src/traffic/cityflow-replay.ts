/**
 * CityFlow's own replay files, so CityFlow's frontend (`frontend/index.html`) plays our runs:
 * the `roadnetLogFile` (`Engine` constructor → `RoadNet::convertToJson`) and the
 * `replayLogFile` (`Engine::updateLog`, one line per engine step). Ported from CityFlow
 * (`src/engine/engine.cpp`, `src/roadnet/roadnet.cpp`, cityflow-project/CityFlow master):
 *
 * - roadnet log: `{"static": {"nodes": [{id, point: [x, y], virtual, width (real ones only),
 *   outline: [x0, y0, x1, y1, …]}], "edges": [{id, from, to, points: [[x, y], …], nLane,
 *   laneWidths}]}}`; the outline is `Intersection::getOutline`'s convex hull.
 * - replay line: for every running vehicle `x y angle id laneChange length width,` then `;`, then
 *   for every road that ends at a real intersection `roadId s0 s1 …,` with one light state per
 *   lane: `g` (every lane link of the lane green), `r`, or `i` (the end intersection has ≤ 1
 *   phase: no light drawn). `angle` = atan2 of the drivable's direction at the vehicle;
 *   `laneChange` is always 0 (this engine does not change lanes, as CityFlow with
 *   `laneChange: false`).
 */
import type { Point } from "./cityflow-files.js";
import { directionAt, pointAt, type RoadNetwork } from "./road-network.js";
import type { TrafficEngine } from "./traffic-engine.js";
import { readTrafficVehicles } from "./traffic-replay.js";

export interface CityFlowRoadnetLog {
  static: {
    nodes: Array<{
      id: string;
      point: [number, number];
      virtual: boolean;
      width?: number;
      outline: number[];
    }>;
    edges: Array<{
      id: string;
      from: string;
      to: string;
      points: Array<[number, number]>;
      nLane: number;
      laneWidths: number[];
    }>;
  };
}

/** `RoadNet::convertToJson` of the network (what CityFlow writes to `roadnetLogFile`). */
export function buildCityFlowRoadnetLog(network: RoadNetwork): CityFlowRoadnetLog {
  const { intersections, roads } = network.spec;
  return {
    static: {
      nodes: intersections.map((inter, i) => ({
        id: inter.id,
        point: [inter.point.x, inter.point.y],
        virtual: inter.virtual,
        ...(inter.virtual ? {} : { width: inter.width }),
        outline: intersectionOutline(network, i).flatMap((p) => [p.x, p.y]),
      })),
      edges: roads.map((road) => ({
        id: road.id,
        from: intersections[road.startIntersection].id,
        to: intersections[road.endIntersection].id,
        points: road.points.map((p): [number, number] => [p.x, p.y]),
        nLane: road.lanes.length,
        laneWidths: road.lanes.map((lane) => lane.width),
      })),
    },
  };
}

/** `Intersection::getOutline`: the convex hull of the centre and the road mouths, verbatim. */
function intersectionOutline(network: RoadNetwork, i: number): Point[] {
  const { intersections, roads } = network.spec;
  const inter = intersections[i];
  const position = inter.point;
  const points: Point[] = [{ x: position.x, y: position.y }];
  for (const r of inter.roads) {
    const road = roads[r];
    const start = intersections[road.startIntersection].point;
    const end = intersections[road.endIntersection].point;
    const length = Math.hypot(end.x - start.x, end.y - start.y);
    let direction = { x: (end.x - start.x) / length, y: (end.y - start.y) / length };
    const normal = { x: -direction.y, y: direction.x };
    if (road.startIntersection === i) direction = { x: -direction.x, y: -direction.y };
    let roadWidth = 0;
    for (const lane of road.lanes) roadWidth += lane.width;
    const deltaWidth = Math.max(0.5 * Math.min(inter.width, roadWidth), 5);
    const a = { x: position.x - direction.x * inter.width, y: position.y - direction.y * inter.width };
    const b = { x: a.x - normal.x * roadWidth, y: a.y - normal.y * roadWidth };
    points.push(a, b);
    if (deltaWidth < network.roadAverageLength[r]) {
      points.push(
        { x: a.x - direction.x * deltaWidth, y: a.y - direction.y * deltaWidth },
        { x: b.x - direction.x * deltaWidth, y: b.y - direction.y * deltaWidth },
      );
    }
  }
  // Graham scan from the lowest point (std::min_element: the first of equal minima).
  let lowest = 0;
  for (let k = 1; k < points.length; k++) if (points[k].y < points[lowest].y) lowest = k;
  const p0 = points[lowest];
  points.splice(lowest, 1);
  const angle = (p: Point) => Math.atan2(p.y - p0.y, p.x - p0.x);
  points.sort((p, q) => angle(p) - angle(q));
  const cross = (ax: number, ay: number, bx: number, by: number) => ax * by - ay * bx;
  const stack: Point[] = [p0];
  for (const point of points) {
    let p2 = stack[stack.length - 1];
    if (stack.length < 2) {
      if (point.x !== p2.x || point.y !== p2.y) stack.push(point);
      continue;
    }
    let p1 = stack[stack.length - 2];
    while (stack.length > 1 && cross(point.x - p2.x, point.y - p2.y, p2.x - p1.x, p2.y - p1.y) >= 0) {
      p2 = p1;
      stack.pop();
      if (stack.length > 1) p1 = stack[stack.length - 2];
    }
    stack.push(point);
  }
  return stack;
}

/** One `replayLogFile` line (without the newline) of the engine's current state. */
export function formatCityFlowReplayLine(engine: TrafficEngine): string {
  const network = engine.network;
  const vehicles = readTrafficVehicles(engine);
  const ids = engine.runningVehicleIds(); // same slot order as readTrafficVehicles
  const parts: string[] = [];
  for (let v = 0; v < vehicles.count; v++) {
    const points = network.drivablePoints[vehicles.drivable[v]];
    const position = pointAt(points, vehicles.distance[v]);
    const direction = directionAt(points, vehicles.distance[v]);
    parts.push(
      `${position.x} ${position.y} ${Math.atan2(direction.y, direction.x)} ${ids[v]} 0 ${vehicles.length[v]} ${vehicles.width[v]},`,
    );
  }
  parts.push(";");
  for (let r = 0; r < network.numRoads; r++) {
    const end = network.roadEndIntersection[r];
    if (network.intersectionVirtual[end]) continue;
    parts.push(network.roadIds[r]);
    const implicit = network.numPhases(end) <= 1;
    for (let lane = network.roadLaneStart[r]; lane < network.roadLaneStart[r + 1]; lane++) {
      parts.push(implicit ? " i" : laneIsGreen(engine, lane) ? " g" : " r");
    }
    parts.push(",");
  }
  return parts.join("");
}

/** CityFlow's `can_go`: every lane link leaving the lane is available (a lane without links: true). */
function laneIsGreen(engine: TrafficEngine, lane: number): boolean {
  const network = engine.network;
  for (let e = network.laneLinkOffsets[lane]; e < network.laneLinkOffsets[lane + 1]; e++) {
    if (!engine.roadLinkIsGreen(network.linkRoadLink[network.laneLinkList[e]])) return false;
  }
  return true;
}
