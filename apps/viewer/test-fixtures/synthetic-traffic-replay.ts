import type { Rng } from "@netmarl/envs";
import { packArray, type ReplayRecord, type TrafficScene } from "@netmarl/envs/replay";
import { csrGraph } from "./csr-graph.js";
import { syntheticHeader } from "./synthetic-header.js";

const BLOCK_METRES = 300;
const INTERSECTION_METRES = 30;
const LANE_METRES = 3.2;
const LANES_PER_ROAD = 3; // 0 turns left, 1 goes straight, 2 turns right (CityFlow's grid files)
const DESIRED_SPEED = 11;
const PHASE_FRAMES = 3;
const DIRECTIONS = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
] as const;

interface Node {
  readonly x: number;
  readonly y: number;
  readonly virtual: boolean;
}

/**
 * A CityFlow-like grid for viewer tests and the 35 × 35 frame-rate run, NOT an engine run:
 * rows × columns signalised intersections 300 m apart with three-lane roads, four two-approach
 * phases cycling, and vehicles that enter at the border, wait at red, turn by their lane and
 * leave at the border. Every draw comes from `rng`.
 */
export function* syntheticTrafficReplay(options: {
  rows: number;
  columns: number;
  frames: number;
  /** Vehicles entering over the episode (spawned during its first 75 %). */
  vehicles: number;
  /** Simulated seconds between frames. */
  secondsPerFrame: number;
  rng: Rng;
}): Generator<ReplayRecord> {
  const { rows, columns, frames, rng, secondsPerFrame } = options;
  const nodes: Node[] = [];
  const nodeAt = new Map<string, number>();
  for (let i = -1; i <= rows; i++) {
    for (let j = -1; j <= columns; j++) {
      const outsideRow = i < 0 || i >= rows;
      const outsideColumn = j < 0 || j >= columns;
      if (outsideRow && outsideColumn) continue;
      nodeAt.set(`${i},${j}`, nodes.length);
      nodes.push({ x: j * BLOCK_METRES, y: i * BLOCK_METRES, virtual: outsideRow || outsideColumn });
    }
  }
  const agents = nodes.flatMap((node, index) => (node.virtual ? [] : [index]));
  const numAgents = agents.length;
  // Roads: every real node to each neighbour, and each virtual neighbour back in.
  const roadFrom: number[] = [];
  const roadTo: number[] = [];
  const roadDirection: number[] = [];
  const roadOut = new Map<string, number>(); // `${node},${direction}` → road
  const addRoad = (from: number, to: number, direction: number) => {
    roadOut.set(`${from},${direction}`, roadFrom.length);
    roadFrom.push(from);
    roadTo.push(to);
    roadDirection.push(direction);
  };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const a = nodeAt.get(`${i},${j}`) as number;
      DIRECTIONS.forEach(([dx, dy], direction) => {
        const b = nodeAt.get(`${i + dy},${j + dx}`) as number;
        addRoad(a, b, direction);
        if ((nodes[b] as Node).virtual) addRoad(b, a, (direction + 2) % 4);
      });
    }
  }
  const numRoads = roadFrom.length;
  const numLanes = numRoads * LANES_PER_ROAD;
  const pointsOf: number[][] = []; // per drivable: x0, y0, x1, y1, …
  for (let road = 0; road < numRoads; road++) {
    const from = nodes[roadFrom[road] as number] as Node;
    const to = nodes[roadTo[road] as number] as Node;
    const [ux, uy] = DIRECTIONS[roadDirection[road] as number] as readonly [number, number];
    const startCut = from.virtual ? 0 : INTERSECTION_METRES / 2;
    const endCut = to.virtual ? 0 : INTERSECTION_METRES / 2;
    for (let k = 0; k < LANES_PER_ROAD; k++) {
      const offset = (k + 0.5) * LANE_METRES; // to the right of travel: (uy, -ux)
      pointsOf.push([
        from.x + ux * startCut + uy * offset,
        from.y + uy * startCut - ux * offset,
        to.x - ux * endCut + uy * offset,
        to.y - uy * endCut - ux * offset,
      ]);
    }
  }
  // Lane links: lane k of a road into a real node continues on lane k of the road its turn takes.
  const laneLink = new Int32Array(numLanes).fill(-1);
  const linkEndRoad: number[] = [];
  const linkPhase: number[] = [];
  const linkIntersection: number[] = [];
  for (let road = 0; road < numRoads; road++) {
    const node = roadTo[road] as number;
    if ((nodes[node] as Node).virtual) continue;
    const direction = roadDirection[road] as number;
    for (let k = 0; k < LANES_PER_ROAD; k++) {
      const outDirection = k === 0 ? (direction + 1) % 4 : k === 1 ? direction : (direction + 3) % 4;
      const outRoad = roadOut.get(`${node},${outDirection}`) as number;
      const inPoints = pointsOf[road * LANES_PER_ROAD + k] as number[];
      const outPoints = pointsOf[outRoad * LANES_PER_ROAD + k] as number[];
      const [ux, uy] = DIRECTIONS[direction] as readonly [number, number];
      const x0 = inPoints[2] as number;
      const y0 = inPoints[3] as number;
      const x1 = outPoints[0] as number;
      const y1 = outPoints[1] as number;
      const along = (x1 - x0) * ux + (y1 - y0) * uy;
      pointsOf.push(k === 1 ? [x0, y0, x1, y1] : [x0, y0, x0 + ux * along, y0 + uy * along, x1, y1]);
      laneLink[road * LANES_PER_ROAD + k] = linkEndRoad.length;
      linkEndRoad.push(outRoad);
      // Phases 0/2: east-west / north-south straight and right; 1/3: their left turns.
      linkPhase.push((direction % 2) * 2 + (k === 0 ? 1 : 0));
      linkIntersection.push(node);
    }
  }
  const numLinks = linkEndRoad.length;
  const pointOffsets = new Int32Array(pointsOf.length + 1);
  pointsOf.forEach((points, d) => {
    pointOffsets[d + 1] = (pointOffsets[d] as number) + points.length / 2;
  });
  const flat = pointsOf.flat();
  const drivableLength = Float64Array.from(pointsOf, (points) => {
    let length = 0;
    for (let p = 2; p < points.length; p += 2) {
      length += Math.hypot(
        (points[p] as number) - (points[p - 2] as number),
        (points[p + 1] as number) - (points[p - 1] as number),
      );
    }
    return length;
  });
  const phaseStart = new Int32Array(nodes.length + 1);
  nodes.forEach((node, i) => {
    phaseStart[i + 1] = (phaseStart[i] as number) + (node.virtual ? 0 : 4);
  });
  const greenOf: number[][] = Array.from({ length: phaseStart[nodes.length] as number }, () => []);
  for (let link = 0; link < numLinks; link++) {
    greenOf[(phaseStart[linkIntersection[link] as number] as number) + (linkPhase[link] as number)]?.push(
      link,
    );
  }
  const greenOffsets = new Int32Array(greenOf.length + 1);
  greenOf.forEach((links, p) => {
    greenOffsets[p + 1] = (greenOffsets[p] as number) + links.length;
  });

  yield syntheticHeader("traffic", `grid-${rows}x${columns}`, numAgents, 12, 0);
  const scene: TrafficScene = {
    kind: "scene",
    family: "traffic",
    intersectionIds: nodes.map((_, i) => `intersection_${i}`),
    intersectionX: packArray(Float64Array.from(nodes, (n) => n.x)),
    intersectionY: packArray(Float64Array.from(nodes, (n) => n.y)),
    intersectionWidth: packArray(Float64Array.from(nodes, (n) => (n.virtual ? 0 : INTERSECTION_METRES))),
    intersectionVirtual: packArray(Uint8Array.from(nodes, (n) => (n.virtual ? 1 : 0))),
    numLanes,
    numDrivables: numLanes + numLinks,
    pointOffsets: packArray(pointOffsets),
    pointX: packArray(Float64Array.from(flat.filter((_, i) => i % 2 === 0))),
    pointY: packArray(Float64Array.from(flat.filter((_, i) => i % 2 === 1))),
    laneWidth: packArray(new Float64Array(numLanes).fill(LANE_METRES)),
    laneRoad: packArray(
      Int32Array.from({ length: numLanes }, (_, lane) => Math.floor(lane / LANES_PER_ROAD)),
    ),
    roadIds: roadFrom.map((_, road) => `road_${road}`),
    agentIntersection: packArray(Int32Array.from(agents)),
    phaseGreenLinkOffsets: packArray(greenOffsets),
    phaseGreenLinks: packArray(Int32Array.from(greenOf.flat())),
    intersectionPhaseStart: packArray(phaseStart),
  };
  yield scene;

  // Vehicles: spawn frame, entry lane; then drivable + distance, stepped per frame.
  const entryLanes: number[] = [];
  for (let road = 0; road < numRoads; road++) {
    if ((nodes[roadFrom[road] as number] as Node).virtual) {
      for (let k = 0; k < LANES_PER_ROAD; k++) entryLanes.push(road * LANES_PER_ROAD + k);
    }
  }
  const total = options.vehicles;
  const spawnFrame = Int32Array.from(
    { length: total },
    () => 1 + rng.int(Math.max(1, Math.floor(frames * 0.75))),
  );
  const drivable = Int32Array.from({ length: total }, () => entryLanes[rng.int(entryLanes.length)] as number);
  const distance = new Float64Array(total);
  const speed = new Float64Array(total);
  const gone = new Uint8Array(total);
  const phase = new Int32Array(nodes.length);
  const phaseOffset = Int32Array.from(nodes, () => rng.int(4 * PHASE_FRAMES));
  const neighbours = csrGraph(
    agents.map((node) => {
      const targets: number[] = [];
      for (let direction = 0; direction < 4; direction++) {
        const road = roadOut.get(`${node},${direction}`) as number;
        const to = agents.indexOf(roadTo[road] as number);
        if (to >= 0) targets.push(to);
      }
      return targets;
    }),
    { label: "adjacent intersections", directed: false },
  );
  const ids = new Int32Array(total);
  const outDrivable = new Int32Array(total);
  const outDistance = new Float64Array(total);
  const outSpeed = new Float64Array(total);
  for (let t = 0; t < frames; t++) {
    nodes.forEach((node, i) => {
      phase[i] = node.virtual ? 0 : Math.floor((t + (phaseOffset[i] as number)) / PHASE_FRAMES) % 4;
    });
    let running = 0;
    for (let v = 0; v < total; v++) {
      if (gone[v] === 1 || (spawnFrame[v] as number) > t) continue;
      if ((spawnFrame[v] as number) < t) advanceVehicle(v);
      if (gone[v] === 1) continue;
      ids[running] = v;
      outDrivable[running] = drivable[v] as number;
      outDistance[running] = distance[v] as number;
      outSpeed[running] = speed[v] as number;
      running++;
    }
    yield {
      kind: "frame",
      episode: 0,
      t,
      state: {
        vehicleIds: packArray(ids.subarray(0, running)),
        vehicleDrivable: packArray(outDrivable.subarray(0, running)),
        vehicleDistance: packArray(outDistance.subarray(0, running)),
        vehicleSpeed: packArray(outSpeed.subarray(0, running)),
        phase: packArray(phase),
        time: t * secondsPerFrame,
      },
      ...(t > 0
        ? {
            actions: packArray(Int32Array.from(agents, (node) => phase[node] as number)),
            rewards: packArray(new Float32Array(numAgents).fill(-running / numAgents)),
          }
        : {}),
      ...(t === 0 ? { graphs: { neighbours } } : {}),
    };
  }
  yield {
    kind: "episode-end",
    episode: 0,
    steps: frames - 1,
    returns: packArray(new Float32Array(numAgents)),
  };

  /** Drives vehicle v for one frame: along its drivable, stopping at a red light, onward at green. */
  function advanceVehicle(v: number): void {
    let left = DESIRED_SPEED * secondsPerFrame;
    speed[v] = DESIRED_SPEED;
    while (left > 0) {
      const d = drivable[v] as number;
      const room = (drivableLength[d] as number) - (distance[v] as number);
      if (left < room) {
        distance[v] = (distance[v] as number) + left;
        return;
      }
      left -= room;
      if (d < numLanes) {
        const link = laneLink[d] as number;
        if (link < 0) {
          gone[v] = 1; // Reached the border.
          return;
        }
        const node = linkIntersection[link] as number;
        if (phase[node] !== linkPhase[link]) {
          distance[v] = drivableLength[d] as number;
          speed[v] = 0;
          return;
        }
        drivable[v] = numLanes + link;
      } else {
        const road = linkEndRoad[d - numLanes] as number;
        drivable[v] = road * LANES_PER_ROAD + rng.int(LANES_PER_ROAD); // picks its next turn's lane
      }
      distance[v] = 0;
    }
  }
}
