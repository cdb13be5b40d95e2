/**
 * Readers for CityFlow's three input files (format: CityFlow docs `roadnet.rst`, `flow.rst`,
 * `start.rst`; loaders `RoadNet::loadFromJson`, `Engine::loadFlow`, `Engine::loadConfig` in
 * cityflow-project/CityFlow). Each reader takes the file's text (or an already parsed value) and
 * returns validated plain data with road and intersection ids resolved to indices.
 *
 * Stricter than CityFlow where CityFlow would crash or silently ignore bad input: unknown ids,
 * lane indices out of range, a roadLink whose roads do not meet at its intersection, non-positive
 * lane lengths, a non-integer `startTime` (CityFlow silently falls back to 0), a route whose
 * anchors are not connected or that spans a single road (CityFlow silently drops such flows), and
 * `laneChange: true` (not implemented) are all refused with a {@link CityFlowFormatError}.
 */
import { CityFlowFormatError } from "./cityflow-format-error.js";
import { JsonReader } from "./json-reader.js";
import { expandRoute } from "./route-planner.js";

export interface Point {
  x: number;
  y: number;
}

export interface LaneSpec {
  width: number;
  maxSpeed: number;
}

export interface RoadSpec {
  id: string;
  startIntersection: number;
  endIntersection: number;
  points: Point[];
  lanes: LaneSpec[];
}

export type RoadLinkType = "go_straight" | "turn_left" | "turn_right";

export interface LaneLinkSpec {
  startLaneIndex: number;
  endLaneIndex: number;
  /** The lane link's polyline; `null` when the file gives none (CityFlow then builds a Bézier curve). */
  points: Point[] | null;
}

export interface RoadLinkSpec {
  type: RoadLinkType;
  startRoad: number;
  endRoad: number;
  laneLinks: LaneLinkSpec[];
}

export interface LightPhaseSpec {
  /** Duration in seconds in fixed-time mode. */
  time: number;
  /** Indices into the intersection's `roadLinks` that have green. */
  availableRoadLinks: number[];
}

export interface IntersectionSpec {
  id: string;
  point: Point;
  width: number;
  virtual: boolean;
  roads: number[];
  roadLinks: RoadLinkSpec[];
  lightPhases: LightPhaseSpec[];
}

export interface RoadnetSpec {
  intersections: IntersectionSpec[];
  roads: RoadSpec[];
}

/** The vehicle parameters of a flow (`vehicle` object of flow.json). */
export interface VehicleParameters {
  length: number;
  width: number;
  maxPosAcc: number;
  maxNegAcc: number;
  usualPosAcc: number;
  usualNegAcc: number;
  minGap: number;
  maxSpeed: number;
  headwayTime: number;
}

export interface FlowSpec {
  vehicle: VehicleParameters;
  /** Anchor roads as road indices (consecutive anchors joined by shortest path). */
  route: number[];
  /** The full route after joining anchors by shortest path (always >= 2 roads). */
  expandedRoute: number[];
  interval: number;
  startTime: number;
  /** Last spawn time, or -1 for no end. */
  endTime: number;
}

export interface CityFlowConfig {
  interval: number;
  seed: number;
  dir: string;
  roadnetFile: string;
  flowFile: string;
  rlTrafficLight: boolean;
  laneChange: boolean;
  saveReplay: boolean;
}

const ROAD_LINK_TYPES: readonly RoadLinkType[] = ["go_straight", "turn_left", "turn_right"];

const VEHICLE_FIELDS: ReadonlyArray<
  readonly [keyof VehicleParameters, { min?: number; minExclusive?: number }]
> = [
  ["length", { minExclusive: 0 }],
  ["width", { minExclusive: 0 }],
  ["maxPosAcc", { minExclusive: 0 }],
  ["maxNegAcc", { minExclusive: 0 }],
  ["usualPosAcc", { minExclusive: 0 }],
  ["usualNegAcc", { minExclusive: 0 }],
  ["minGap", { min: 0 }],
  ["maxSpeed", { minExclusive: 0 }],
  ["headwayTime", { min: 0 }],
];

function parseInput(reader: JsonReader, input: unknown): unknown {
  return typeof input === "string" ? reader.parse(input) : input;
}

/** Reads `config.json` (text or parsed value). */
export function parseCityFlowConfig(input: unknown, file = "config.json"): CityFlowConfig {
  const reader: JsonReader = new JsonReader(file);
  const root = reader.object(parseInput(reader, input), "$");
  const config: CityFlowConfig = {
    interval: reader.number(reader.member(root, "interval", "$"), "$.interval", { minExclusive: 0 }),
    seed: reader.number(reader.member(root, "seed", "$"), "$.seed", { integer: true }),
    dir: readDir(reader, reader.member(root, "dir", "$")),
    roadnetFile: reader.string(reader.member(root, "roadnetFile", "$"), "$.roadnetFile"),
    flowFile: reader.string(reader.member(root, "flowFile", "$"), "$.flowFile"),
    rlTrafficLight: reader.boolean(reader.member(root, "rlTrafficLight", "$"), "$.rlTrafficLight"),
    laneChange: Object.hasOwn(root, "laneChange") ? reader.boolean(root.laneChange, "$.laneChange") : false,
    saveReplay: reader.boolean(reader.member(root, "saveReplay", "$"), "$.saveReplay"),
  };
  if (config.laneChange) {
    reader.fail("$.laneChange", "false (NetMARL's engine does not model lane changing)", true);
  }
  return config;
}

function readDir(reader: JsonReader, value: unknown): string {
  // CityFlow concatenates dir + file name, so "" (the current folder) is a valid dir.
  if (typeof value !== "string") reader.fail("$.dir", "a string (folder, may be empty)", value);
  return value;
}

/** Reads `roadnet.json` (text or parsed value). */
export function parseRoadnet(input: unknown, file = "roadnet.json"): RoadnetSpec {
  const reader: JsonReader = new JsonReader(file);
  const root = reader.object(parseInput(reader, input), "$");
  const interValues = reader.array(reader.member(root, "intersections", "$"), "$.intersections");
  const roadValues = reader.array(reader.member(root, "roads", "$"), "$.roads");

  const interIndex = new Map<string, number>();
  const interObjects: Record<string, unknown>[] = [];
  interValues.forEach((value, i) => {
    const path = `$.intersections[${i}]`;
    const object = reader.object(value, path);
    const id = reader.string(reader.member(object, "id", path), `${path}.id`);
    if (interIndex.has(id)) reader.fail(`${path}.id`, "an id not used by an earlier intersection", id);
    interIndex.set(id, i);
    interObjects.push(object);
  });
  const roadIndex = new Map<string, number>();
  const roadObjects: Record<string, unknown>[] = [];
  roadValues.forEach((value, i) => {
    const path = `$.roads[${i}]`;
    const object = reader.object(value, path);
    const id = reader.string(reader.member(object, "id", path), `${path}.id`);
    if (roadIndex.has(id)) reader.fail(`${path}.id`, "an id not used by an earlier road", id);
    roadIndex.set(id, i);
    roadObjects.push(object);
  });
  const knownIntersection = (value: unknown, path: string): number => {
    const id = reader.string(value, path);
    const index = interIndex.get(id);
    if (index === undefined) reader.fail(path, "the id of an intersection in $.intersections", id);
    return index;
  };
  const knownRoad = (value: unknown, path: string): number => {
    const id = reader.string(value, path);
    const index = roadIndex.get(id);
    if (index === undefined) reader.fail(path, "the id of a road in $.roads", id);
    return index;
  };

  const roads: RoadSpec[] = roadObjects.map((object, i) => {
    const path = `$.roads[${i}]`;
    const lanesValue = reader.array(reader.member(object, "lanes", path), `${path}.lanes`);
    if (lanesValue.length === 0) reader.fail(`${path}.lanes`, "at least one lane", lanesValue);
    const pointsValue = reader.array(reader.member(object, "points", path), `${path}.points`);
    if (pointsValue.length < 2) reader.fail(`${path}.points`, "at least 2 points", pointsValue);
    return {
      id: object.id as string,
      startIntersection: knownIntersection(
        reader.member(object, "startIntersection", path),
        `${path}.startIntersection`,
      ),
      endIntersection: knownIntersection(
        reader.member(object, "endIntersection", path),
        `${path}.endIntersection`,
      ),
      points: pointsValue.map((p, k) => reader.point(p, `${path}.points[${k}]`)),
      lanes: lanesValue.map((laneValue, k) => {
        const lanePath = `${path}.lanes[${k}]`;
        const lane = reader.object(laneValue, lanePath);
        return {
          width: reader.number(reader.member(lane, "width", lanePath), `${lanePath}.width`, {
            minExclusive: 0,
          }),
          maxSpeed: reader.number(reader.member(lane, "maxSpeed", lanePath), `${lanePath}.maxSpeed`, {
            minExclusive: 0,
          }),
        };
      }),
    };
  });

  const intersections: IntersectionSpec[] = interObjects.map((object, i) => {
    const path = `$.intersections[${i}]`;
    const isVirtual = reader.boolean(reader.member(object, "virtual", path), `${path}.virtual`);
    const roadsValue = reader.array(reader.member(object, "roads", path), `${path}.roads`);
    const spec: IntersectionSpec = {
      id: object.id as string,
      point: reader.point(reader.member(object, "point", path), `${path}.point`),
      width: 0,
      virtual: isVirtual,
      roads: roadsValue.map((r, k) => knownRoad(r, `${path}.roads[${k}]`)),
      roadLinks: [],
      lightPhases: [],
    };
    if (isVirtual) return spec; // CityFlow reads nothing else of a virtual intersection
    spec.width = reader.number(reader.member(object, "width", path), `${path}.width`, { min: 0 });
    const linksValue = reader.array(reader.member(object, "roadLinks", path), `${path}.roadLinks`);
    spec.roadLinks = linksValue.map((linkValue, k) => {
      const linkPath = `${path}.roadLinks[${k}]`;
      const link = reader.object(linkValue, linkPath);
      const type = reader.string(reader.member(link, "type", linkPath), `${linkPath}.type`) as RoadLinkType;
      if (!ROAD_LINK_TYPES.includes(type))
        reader.fail(`${linkPath}.type`, `one of ${ROAD_LINK_TYPES.join(", ")}`, type);
      const startRoad = knownRoad(reader.member(link, "startRoad", linkPath), `${linkPath}.startRoad`);
      const endRoad = knownRoad(reader.member(link, "endRoad", linkPath), `${linkPath}.endRoad`);
      if (roads[startRoad].endIntersection !== i) {
        reader.fail(`${linkPath}.startRoad`, `a road that ends at ${spec.id}`, roads[startRoad].id);
      }
      if (roads[endRoad].startIntersection !== i) {
        reader.fail(`${linkPath}.endRoad`, `a road that starts at ${spec.id}`, roads[endRoad].id);
      }
      const laneLinksValue = reader.array(
        reader.member(link, "laneLinks", linkPath),
        `${linkPath}.laneLinks`,
      );
      const laneLinks = laneLinksValue.map((laneLinkValue, m) => {
        const llPath = `${linkPath}.laneLinks[${m}]`;
        const laneLink = reader.object(laneLinkValue, llPath);
        const startLanes = roads[startRoad].lanes.length;
        const endLanes = roads[endRoad].lanes.length;
        const startLaneIndex = reader.number(
          reader.member(laneLink, "startLaneIndex", llPath),
          `${llPath}.startLaneIndex`,
          {
            integer: true,
          },
        );
        if (startLaneIndex < 0 || startLaneIndex >= startLanes) {
          reader.fail(
            `${llPath}.startLaneIndex`,
            `a lane index in [0, ${startLanes}) (road ${roads[startRoad].id} has ${startLanes} lanes)`,
            startLaneIndex,
          );
        }
        const endLaneIndex = reader.number(
          reader.member(laneLink, "endLaneIndex", llPath),
          `${llPath}.endLaneIndex`,
          {
            integer: true,
          },
        );
        if (endLaneIndex < 0 || endLaneIndex >= endLanes) {
          reader.fail(
            `${llPath}.endLaneIndex`,
            `a lane index in [0, ${endLanes}) (road ${roads[endRoad].id} has ${endLanes} lanes)`,
            endLaneIndex,
          );
        }
        let points: Point[] | null = null;
        if (Object.hasOwn(laneLink, "points")) {
          const pointsValue = reader.array(laneLink.points, `${llPath}.points`);
          if (pointsValue.length === 1)
            reader.fail(`${llPath}.points`, "an empty array or at least 2 points", pointsValue);
          if (pointsValue.length >= 2)
            points = pointsValue.map((p, q) => reader.point(p, `${llPath}.points[${q}]`));
        }
        return { startLaneIndex, endLaneIndex, points };
      });
      return { type, startRoad, endRoad, laneLinks };
    });
    const lightPath = `${path}.trafficLight`;
    const light = reader.object(reader.member(object, "trafficLight", path), lightPath);
    const phasesValue = reader.array(
      reader.member(light, "lightphases", lightPath),
      `${lightPath}.lightphases`,
    );
    if (phasesValue.length === 0) reader.fail(`${lightPath}.lightphases`, "at least one phase", phasesValue);
    spec.lightPhases = phasesValue.map((phaseValue, k) => {
      const phasePath = `${lightPath}.lightphases[${k}]`;
      const phase = reader.object(phaseValue, phasePath);
      const time = reader.number(reader.member(phase, "time", phasePath), `${phasePath}.time`, { min: 0 });
      const available = reader.array(
        reader.member(phase, "availableRoadLinks", phasePath),
        `${phasePath}.availableRoadLinks`,
      );
      const availableRoadLinks = available.map((value, q) => {
        const index = reader.number(value, `${phasePath}.availableRoadLinks[${q}]`, {
          integer: true,
          min: 0,
        });
        if (index >= spec.roadLinks.length) {
          reader.fail(
            `${phasePath}.availableRoadLinks[${q}]`,
            `a roadLink index in [0, ${spec.roadLinks.length})`,
            index,
          );
        }
        return index;
      });
      return { time, availableRoadLinks };
    });
    if (!spec.lightPhases.some((phase) => phase.time > 0)) {
      reader.fail(
        `${lightPath}.lightphases`,
        "at least one phase with time > 0 (fixed-time cycling needs one)",
        phasesValue,
      );
    }
    return spec;
  });

  // Lane length = polyline length minus the widths of the real intersections at both ends
  // (`Road::initLanesPoints`); it must stay positive.
  roads.forEach((road, i) => {
    let length = 0;
    for (let k = 0; k + 1 < road.points.length; k++) {
      length += Math.hypot(road.points[k + 1].x - road.points[k].x, road.points[k + 1].y - road.points[k].y);
    }
    const start = intersections[road.startIntersection];
    const end = intersections[road.endIntersection];
    const trimmed = length - (start.virtual ? 0 : start.width) - (end.virtual ? 0 : end.width);
    if (!(trimmed > 0)) {
      reader.fail(
        `$.roads[${i}].points`,
        `a polyline longer than the widths of its real end intersections (${length.toFixed(3)} m - widths = ${trimmed.toFixed(3)} m, must be > 0)`,
        road.points,
      );
    }
  });
  return { intersections, roads };
}

/** Reads `flow.json` (text or parsed value) against a parsed roadnet. */
export function parseFlows(input: unknown, roadnet: RoadnetSpec, file = "flow.json"): FlowSpec[] {
  const reader: JsonReader = new JsonReader(file);
  const flowValues = reader.array(parseInput(reader, input), "$");
  const roadIndex = new Map<string, number>();
  for (const [i, road] of roadnet.roads.entries()) roadIndex.set(road.id, i);
  const adjacency = buildRoadAdjacency(roadnet);
  const roadLengths = roadnet.roads.map((road) => approximateLaneLength(roadnet, road));
  return flowValues.map((flowValue, i) => {
    const path = `$[${i}]`;
    const flow = reader.object(flowValue, path);
    const vehicleValue = reader.object(reader.member(flow, "vehicle", path), `${path}.vehicle`);
    const vehicle = {} as VehicleParameters;
    for (const [field, bounds] of VEHICLE_FIELDS) {
      vehicle[field] = reader.number(
        reader.member(vehicleValue, field, `${path}.vehicle`),
        `${path}.vehicle.${field}`,
        bounds,
      );
    }
    const routeValue = reader.array(reader.member(flow, "route", path), `${path}.route`);
    if (routeValue.length === 0) reader.fail(`${path}.route`, "at least one road id", routeValue);
    const route = routeValue.map((value, k) => {
      const id = reader.string(value, `${path}.route[${k}]`);
      const index = roadIndex.get(id);
      if (index === undefined) reader.fail(`${path}.route[${k}]`, "the id of a road in the roadnet", id);
      return index;
    });
    const expanded = expandRoute(route, adjacency, roadLengths);
    if (typeof expanded === "number") {
      reader.fail(
        `${path}.route[${expanded}]`,
        `a road reachable from ${roadnet.roads[route[expanded - 1]].id} through roadLinks`,
        roadnet.roads[route[expanded]].id,
      );
    }
    if (expanded.length < 2) {
      reader.fail(
        `${path}.route`,
        "a route spanning at least 2 roads (CityFlow 1.0 drops one-road routes)",
        routeValue,
      );
    }
    const interval = reader.number(reader.member(flow, "interval", path), `${path}.interval`, {
      minExclusive: 0,
    });
    const startTime = Object.hasOwn(flow, "startTime")
      ? reader.number(flow.startTime, `${path}.startTime`, { integer: true, min: 0 })
      : 0;
    const endTime = Object.hasOwn(flow, "endTime")
      ? reader.number(flow.endTime, `${path}.endTime`, { integer: true, min: -1 })
      : -1;
    return { vehicle, route, expandedRoute: expanded, interval, startTime, endTime };
  });
}

/** For each road, the roads reachable through one of its end intersection's roadLinks. */
export function buildRoadAdjacency(roadnet: RoadnetSpec): number[][] {
  const adjacency: number[][] = roadnet.roads.map(() => []);
  const linked = roadnet.roads.map(() => new Set<number>());
  for (const intersection of roadnet.intersections) {
    for (const link of intersection.roadLinks) linked[link.startRoad].add(link.endRoad);
  }
  // CityFlow's Dijkstra walks `endIntersection.getRoads()` in file order, keeping connected ones.
  roadnet.roads.forEach((road, r) => {
    for (const next of roadnet.intersections[road.endIntersection].roads) {
      if (linked[r].has(next) && !adjacency[r].includes(next)) adjacency[r].push(next);
    }
  });
  return adjacency;
}

function approximateLaneLength(roadnet: RoadnetSpec, road: RoadSpec): number {
  let length = 0;
  for (let k = 0; k + 1 < road.points.length; k++) {
    length += Math.hypot(road.points[k + 1].x - road.points[k].x, road.points[k + 1].y - road.points[k].y);
  }
  const start = roadnet.intersections[road.startIntersection];
  const end = roadnet.intersections[road.endIntersection];
  return length - (start.virtual ? 0 : start.width) - (end.virtual ? 0 : end.width);
}

export { CityFlowFormatError };
