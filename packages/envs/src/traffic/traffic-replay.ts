/**
 * Replay scene and state of a road network run by `TrafficEngine` (`replay-format.ts`, family
 * `traffic`), shared by `SignalControlEnv` and `DialsTrafficEnv`: both drive the same engine, so
 * the geometry and the vehicle arrays come from one place.
 */
import { packArray } from "../replay/packed-array.js";
import type { TrafficScene, TrafficState } from "../replay/replay-format.js";
import type { RoadNetwork } from "./road-network.js";
import type { RunningVehicleArrays, TrafficEngine } from "./traffic-engine.js";

/** The static scene: intersections, drivable polylines, lane roads, agents' lights and phases. */
export function buildTrafficScene(network: RoadNetwork, agentIntersections: Int32Array): TrafficScene {
  const widths = Float64Array.from(network.spec.intersections, (inter) => inter.width);
  const pointCounts = network.drivablePoints.map((points) => points.length);
  const pointOffsets = new Int32Array(network.numDrivables + 1);
  for (let d = 0; d < network.numDrivables; d++) pointOffsets[d + 1] = pointOffsets[d] + pointCounts[d];
  const pointX = new Float64Array(pointOffsets[network.numDrivables]);
  const pointY = new Float64Array(pointX.length);
  network.drivablePoints.forEach((points, d) => {
    points.forEach((point, k) => {
      pointX[pointOffsets[d] + k] = point.x;
      pointY[pointOffsets[d] + k] = point.y;
    });
  });
  const laneWidth = new Float64Array(network.numLanes);
  for (let l = 0; l < network.numLanes; l++) {
    const road = network.spec.roads[network.laneRoad[l]];
    laneWidth[l] = road.lanes[network.laneIndexInRoad[l]].width;
  }
  // Green lane links of each phase: the lane links of the phase's green roadLinks.
  const numPhases = network.phaseStart[network.numIntersections];
  const greenOffsets = new Int32Array(numPhases + 1);
  const greenLinks: number[] = [];
  for (let i = 0; i < network.numIntersections; i++) {
    const firstRoadLink = network.intersectionRoadLinkStart[i];
    for (let p = network.phaseStart[i]; p < network.phaseStart[i + 1]; p++) {
      for (let k = network.intersectionLinkStart[i]; k < network.intersectionLinkStart[i + 1]; k++) {
        const local = network.linkRoadLink[k] - firstRoadLink;
        if (network.phaseGreen[network.phaseGreenStart[p] + local] === 1) greenLinks.push(k);
      }
      greenOffsets[p + 1] = greenLinks.length;
    }
  }
  const agentIntersection = new Int32Array(agentIntersections);
  return {
    kind: "scene",
    family: "traffic",
    intersectionIds: network.intersectionIds,
    intersectionX: packArray(network.intersectionX),
    intersectionY: packArray(network.intersectionY),
    intersectionWidth: packArray(widths),
    intersectionVirtual: packArray(network.intersectionVirtual),
    numLanes: network.numLanes,
    numDrivables: network.numDrivables,
    pointOffsets: packArray(pointOffsets),
    pointX: packArray(pointX),
    pointY: packArray(pointY),
    laneWidth: packArray(laneWidth),
    laneRoad: packArray(network.laneRoad),
    roadIds: network.roadIds,
    agentIntersection: packArray(agentIntersection),
    intersectionPhaseStart: packArray(network.phaseStart),
    phaseGreenLinkOffsets: packArray(greenOffsets),
    phaseGreenLinks: packArray(Int32Array.from(greenLinks)),
  };
}

/** Reads the engine's running vehicles into arrays sized for them (a fresh set per call). */
export function readTrafficVehicles(engine: TrafficEngine): RunningVehicleArrays & { count: number } {
  const n = engine.runningVehicles;
  const arrays = {
    number: new Int32Array(n),
    drivable: new Int32Array(n),
    distance: new Float64Array(n),
    speed: new Float64Array(n),
    length: new Float64Array(n),
    width: new Float64Array(n),
  };
  const count = engine.readRunningVehicles(arrays);
  return { ...arrays, count };
}

/** One frame's state: every running vehicle (slot order) and every intersection's phase. */
export function buildTrafficState(engine: TrafficEngine): TrafficState {
  const vehicles = readTrafficVehicles(engine);
  const numIntersections = engine.network.numIntersections;
  const phase = new Int32Array(numIntersections);
  for (let i = 0; i < numIntersections; i++) phase[i] = engine.phase(i);
  return {
    vehicleIds: packArray(vehicles.number),
    vehicleDrivable: packArray(vehicles.drivable),
    vehicleDistance: packArray(vehicles.distance),
    vehicleSpeed: packArray(vehicles.speed),
    phase: packArray(phase),
    time: engine.currentTime,
  };
}
