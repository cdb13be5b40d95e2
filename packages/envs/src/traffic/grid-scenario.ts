/**
 * Synthetic grid scenarios with the conventions of CityFlow's own generator
 * (cityflow-project/CityFlow `tools/generate_grid_scenario.py` + `tools/generate_json_from_grid.py`,
 * Apache-2.0; spec §1.8): an R×C grid of real intersections `intersection_{x}_{y}` (x = column
 * 1…C, y = row 1…R) inside a ring of virtual ones (corners dropped), roads `road_{x}_{y}_{d}`
 * (d: 0 east, 1 north, 2 west, 3 south) drawn when one end is real, lanes ordered left turns,
 * straight, right turns, every allowed lane linked to every lane of the target road along the
 * generator's cubic Hermite curve (11 points, tangents = road direction × intersection width),
 * the 9-phase plan or `--tlPlan`'s 8-phase plan, and one flow per route (straight routes along
 * every row and column, plus 8 zig-zag routes with `--turn`).
 *
 * `generateGridScenario({ rows: 10, columns: 10, turn: true, tlPlan: true, interval: 10 })`
 * reproduces `generate_grid_scenario.py 10 10 --tlPlan --turn --interval 10`. Only uniform block
 * lengths are supported (the script's per-row distance lists are all equal by default).
 */
import { z } from "zod";
import { parseOptions } from "../env/parse-options.js";

const optionsSchema = z
  .object({
    /** Rows R of real intersections (`rowNum`). */
    rows: z.number().int().min(1).max(200),
    /** Columns C of real intersections (`colNum`). */
    columns: z.number().int().min(1).max(200),
    /** Distance between neighbouring intersections along a row, metres (`--rowDistance`). */
    rowDistance: z.number().positive().default(300),
    /** Distance between neighbouring intersections along a column, metres (`--columnDistance`). */
    columnDistance: z.number().positive().default(300),
    /** Width of every real intersection, metres (`--intersectionWidth`). */
    intersectionWidth: z.number().min(0).default(30),
    /** Left-turn lanes per road (`--numLeftLanes`). */
    numLeftLanes: z.number().int().min(0).default(1),
    /** Straight lanes per road (`--numStraightLanes`). */
    numStraightLanes: z.number().int().min(0).default(1),
    /** Right-turn lanes per road (`--numRightLanes`). */
    numRightLanes: z.number().int().min(0).default(1),
    /** Lane width, metres. */
    laneWidth: z.number().positive().default(4),
    /** Lane speed limit, m/s (`--laneMaxSpeed`). */
    laneMaxSpeed: z.number().positive().default(16.67),
    /** Add the 8 zig-zag turning routes (`--turn`). */
    turn: z.boolean().default(false),
    /** Use the 8-phase plan with 5 s right-turn-only phases between greens (`--tlPlan`). */
    tlPlan: z.boolean().default(false),
    /** Seconds between two vehicles of a flow (`--interval`). */
    interval: z.number().positive().default(2),
    /** Vehicle parameters of every flow (the script's `--veh*` defaults). */
    vehicle: z
      .object({
        length: z.number().positive().default(5),
        width: z.number().positive().default(2),
        maxPosAcc: z.number().positive().default(2),
        maxNegAcc: z.number().positive().default(4.5),
        usualPosAcc: z.number().positive().default(2),
        usualNegAcc: z.number().positive().default(4.5),
        minGap: z.number().min(0).default(2.5),
        maxSpeed: z.number().positive().default(16.67),
        headwayTime: z.number().min(0).default(1.5),
      })
      .strict()
      .default({
        length: 5,
        width: 2,
        maxPosAcc: 2,
        maxNegAcc: 4.5,
        usualPosAcc: 2,
        usualNegAcc: 4.5,
        minGap: 2.5,
        maxSpeed: 16.67,
        headwayTime: 1.5,
      }),
  })
  .strict();

export type GridScenarioOptions = z.input<typeof optionsSchema>;

/** The generated files, as the JSON values CityFlow would read. */
export interface GridScenario {
  roadnet: { intersections: unknown[]; roads: unknown[] };
  flows: unknown[];
}

const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

interface GridRoad {
  id: string;
  direction: number;
  from: [number, number];
  to: [number, number];
  points: { x: number; y: number }[];
  laneCount: number;
}

/** Parses "RxC" (e.g. "10x10") into rows and columns. */
export function parseGridSize(text: string): { rows: number; columns: number } {
  const match = /^(\d+)x(\d+)$/i.exec(text.trim());
  if (match === null) throw new RangeError(`grid = "${text}"; expected "RxC", e.g. "10x10"`);
  return { rows: Number(match[1]), columns: Number(match[2]) };
}

export function generateGridScenario(options: GridScenarioOptions): GridScenario {
  const o = parseOptions(optionsSchema, options, "grid scenario options");
  const numLanes = o.numLeftLanes + o.numStraightLanes + o.numRightLanes;
  if (numLanes === 0) throw new RangeError("grid scenario options: the roads need at least one lane");
  const rowCount = o.rows + 2;
  const columnCount = o.columns + 2;
  const inside = (i: number, j: number) => i >= 0 && j >= 0 && i < rowCount && j < columnCount;
  const trulyInside = (i: number, j: number) => i > 0 && j > 0 && i < rowCount - 1 && j < columnCount - 1;
  const corner = (i: number, j: number) =>
    (i === 0 || i === rowCount - 1) && (j === 0 || j === columnCount - 1);
  // Uniform distances: the script's x[i][j] = x[i][j-1] + rowDistance, y likewise, origin (-d, -d).
  const xOf = (j: number) => (j - 1) * o.rowDistance;
  const yOf = (i: number) => (i - 1) * o.columnDistance;
  const widthOf = (i: number, j: number) => (trulyInside(i, j) ? o.intersectionWidth : 0);
  const roads: (GridRoad | null)[][][] = [];
  for (let i = 0; i < rowCount; i++) {
    roads.push([]);
    for (let j = 0; j < columnCount; j++) {
      roads[i].push([]);
      for (let k = 0; k < 4; k++) {
        const ni = i + DY[k];
        const nj = j + DX[k];
        roads[i][j].push(
          inside(ni, nj)
            ? {
                id: `road_${j}_${i}_${k}`,
                direction: k,
                from: [i, j],
                to: [ni, nj],
                points: [
                  { x: xOf(j), y: yOf(i) },
                  { x: xOf(nj), y: yOf(ni) },
                ],
                laneCount: numLanes,
              }
            : null,
        );
      }
    }
  }
  const shouldDraw = (road: GridRoad) => trulyInside(...road.from) || trulyInside(...road.to);
  const laneKind = (c: number) =>
    c < o.numLeftLanes ? "turn_left" : c < o.numLeftLanes + o.numStraightLanes ? "go_straight" : "turn_right";

  const intersections: unknown[] = [];
  for (let i = 0; i < rowCount; i++) {
    for (let j = 0; j < columnCount; j++) {
      if (corner(i, j)) continue;
      const width = widthOf(i, j);
      const outRoads = roads[i][j].filter((r): r is GridRoad => r !== null && shouldDraw(r));
      const inRoads: GridRoad[] = [];
      for (let k = 0; k < 4; k++) {
        const pi = i - DY[k];
        const pj = j - DX[k];
        if (!inside(pi, pj)) continue;
        const road = roads[pi][pj][k];
        if (road !== null && shouldDraw(road)) inRoads.push(road);
      }
      const roadLinks: {
        type: string;
        startRoad: string;
        endRoad: string;
        direction: number;
        laneLinks: unknown[];
      }[] = [];
      for (const a of inRoads) {
        for (const b of outRoads) {
          const type = decideType(a.direction, b.direction);
          if (type === null) continue;
          const laneLinks: unknown[] = [];
          for (let c = 0; c < numLanes; c++) {
            if (laneKind(c) !== type) continue;
            for (let d = 0; d < numLanes; d++) {
              laneLinks.push({
                startLaneIndex: c,
                endLaneIndex: d,
                points: hermitePath(a, c, b, d, width, o.laneWidth),
              });
            }
          }
          if (laneLinks.length > 0)
            roadLinks.push({ type, startRoad: a.id, endRoad: b.id, direction: a.direction, laneLinks });
        }
      }
      const indices = roadLinks.map((_, k) => k);
      const ofType = (t: string) => indices.filter((k) => roadLinks[k].type === t);
      const ofDirection = (...dirs: number[]) => indices.filter((k) => dirs.includes(roadLinks[k].direction));
      const right = ofType("turn_right");
      const union = (...sets: number[][]) => [...new Set(sets.flat())].sort((p, q) => p - q);
      const both = (a: number[], b: number[]) => a.filter((k) => b.includes(k));
      const eastWest = ofDirection(0, 2);
      const northSouth = ofDirection(1, 3);
      const straight = ofType("go_straight");
      const left = ofType("turn_left");
      const phases: { time: number; availableRoadLinks: number[] }[] = [];
      if (!o.tlPlan) {
        phases.push({ time: 5, availableRoadLinks: union(right) });
        phases.push({ time: 30, availableRoadLinks: union(both(eastWest, straight), right) });
        phases.push({ time: 30, availableRoadLinks: union(both(northSouth, straight), right) });
        phases.push({ time: 30, availableRoadLinks: union(both(eastWest, left), right) });
        phases.push({ time: 30, availableRoadLinks: union(both(northSouth, left), right) });
        phases.push({ time: 30, availableRoadLinks: union(ofDirection(0), right) });
        phases.push({ time: 30, availableRoadLinks: union(ofDirection(2), right) });
        phases.push({ time: 30, availableRoadLinks: union(ofDirection(1), right) });
        phases.push({ time: 30, availableRoadLinks: union(ofDirection(3), right) });
      } else {
        phases.push({ time: 30, availableRoadLinks: union(both(eastWest, straight), right) });
        phases.push({ time: 5, availableRoadLinks: union(right) });
        if (o.numLeftLanes > 0) {
          phases.push({ time: 30, availableRoadLinks: union(both(eastWest, left), right) });
          phases.push({ time: 5, availableRoadLinks: union(right) });
        }
        phases.push({ time: 30, availableRoadLinks: union(both(northSouth, straight), right) });
        phases.push({ time: 5, availableRoadLinks: union(right) });
        if (o.numLeftLanes > 0) {
          phases.push({ time: 30, availableRoadLinks: union(both(northSouth, left), right) });
          phases.push({ time: 5, availableRoadLinks: union(right) });
        }
      }
      intersections.push({
        id: `intersection_${j}_${i}`,
        point: { x: xOf(j), y: yOf(i) },
        width,
        roads: [...inRoads, ...outRoads].map((r) => r.id),
        roadLinks,
        trafficLight: { roadLinkIndices: indices, lightphases: phases },
        virtual: !trulyInside(i, j),
      });
    }
  }
  const roadValues: unknown[] = [];
  for (let i = 0; i < rowCount; i++) {
    for (let j = 0; j < columnCount; j++) {
      for (let k = 0; k < 4; k++) {
        const road = roads[i][j][k];
        if (road === null || !shouldDraw(road)) continue;
        roadValues.push({
          id: road.id,
          points: road.points,
          lanes: Array.from({ length: numLanes }, () => ({ width: o.laneWidth, maxSpeed: o.laneMaxSpeed })),
          startIntersection: `intersection_${road.from[1]}_${road.from[0]}`,
          endIntersection: `intersection_${road.to[1]}_${road.to[0]}`,
        });
      }
    }
  }
  const flows = generateRoutes(o.rows, o.columns, o.turn).map((route) => ({
    vehicle: { ...o.vehicle },
    route,
    interval: o.interval,
    startTime: 0,
    endTime: -1,
  }));
  return { roadnet: { intersections, roads: roadValues }, flows };
}

function decideType(from: number, to: number): string | null {
  if ((from + 1) % 4 === to) return "turn_left";
  if ((to + 1) % 4 === from) return "turn_right";
  if (from === to) return "go_straight";
  return null; // U-turn: the script skips it
}

/** `findPath`: cubic Hermite curve from lane c of road a's end to lane d of road b's start, 11 points. */
function hermitePath(a: GridRoad, c: number, b: GridRoad, d: number, width: number, laneWidth: number) {
  const [uxa, uya] = unitOf(a);
  const [uxb, uyb] = unitOf(b);
  const shiftA = c * laneWidth + laneWidth / 2;
  const shiftB = d * laneWidth + laneWidth / 2;
  const endA = a.points[1];
  const startB = b.points[0];
  const pxa = endA.x - uxa * width + uya * shiftA;
  const pya = endA.y - uya * width - uxa * shiftA;
  const pxb = startB.x + uxb * width + uyb * shiftB;
  const pyb = startB.y + uyb * width - uxb * shiftB;
  const points: { x: number; y: number }[] = [];
  for (let k = 0; k <= 10; k++) {
    const t = k / 10;
    const t2 = t * t;
    const t3 = t2 * t;
    const k1 = 2 * t3 - 3 * t2 + 1;
    const k2 = t3 - 2 * t2 + t;
    const k3 = -2 * t3 + 3 * t2;
    const k4 = t3 - t2;
    points.push({
      x: k1 * pxa + k2 * uxa * width + k3 * pxb + k4 * uxb * width,
      y: k1 * pya + k2 * uya * width + k3 * pyb + k4 * uyb * width,
    });
  }
  return points;
}

function unitOf(road: GridRoad): [number, number] {
  const dx = road.points[1].x - road.points[0].x;
  const dy = road.points[1].y - road.points[0].y;
  const length = Math.hypot(dx, dy);
  return [dx / length, dy / length];
}

/** `generate_route`: straight routes per row and column, plus the 8 zig-zag routes with `turn`. */
export function generateRoutes(rows: number, columns: number, turn: boolean): string[][] {
  const routes: string[][] = [];
  const straight = (x0: number, y0: number, direction: number, steps: number) => {
    const route: string[] = [];
    let x = x0;
    let y = y0;
    for (let s = 0; s < steps; s++) {
      route.push(`road_${x}_${y}_${direction}`);
      x += DX[direction];
      y += DY[direction];
    }
    return route;
  };
  for (let i = 1; i <= rows; i++) {
    routes.push(straight(0, i, 0, columns + 1));
    routes.push(straight(columns + 1, i, 2, columns + 1));
  }
  for (let i = 1; i <= columns; i++) {
    routes.push(straight(i, 0, 1, rows + 1));
    routes.push(straight(i, rows + 1, 3, rows + 1));
  }
  if (turn) {
    const zigzag = (x0: number, y0: number, directions: [number, number]) => {
      const steps =
        directions[0] % 2 === 0 ? Math.min(rows * 2, columns * 2 + 1) : Math.min(columns * 2, rows * 2 + 1);
      const route: string[] = [];
      let x = x0;
      let y = y0;
      let current = 0;
      for (let s = 0; s < steps; s++) {
        route.push(`road_${x}_${y}_${directions[current]}`);
        x += DX[directions[current]];
        y += DY[directions[current]];
        current = 1 - current;
      }
      return route;
    };
    routes.push(zigzag(1, 0, [1, 0]));
    routes.push(zigzag(0, 1, [0, 1]));
    routes.push(zigzag(columns + 1, rows, [2, 3]));
    routes.push(zigzag(columns, rows + 1, [3, 2]));
    routes.push(zigzag(0, rows, [0, 3]));
    routes.push(zigzag(1, rows + 1, [3, 0]));
    routes.push(zigzag(columns + 1, 1, [2, 1]));
    routes.push(zigzag(columns, 0, [1, 2]));
  }
  return routes;
}
