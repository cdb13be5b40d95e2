import { describe, expect, it } from "vitest";
import { parseFlows, parseRoadnet } from "./cityflow-files.js";
import { generateGridScenario, generateRoutes, parseGridSize } from "./grid-scenario.js";
import { RoadNetwork } from "./road-network.js";

describe("generateGridScenario (CityFlow generator conventions)", () => {
  it("builds the R×C grid, its virtual ring, roads and routes", () => {
    const rows = 2;
    const columns = 3;
    const scenario = generateGridScenario({ rows, columns, turn: true });
    const roadnet = parseRoadnet(scenario.roadnet, "grid");
    expect(roadnet.intersections).toHaveLength((rows + 2) * (columns + 2) - 4);
    expect(roadnet.intersections.filter((i) => !i.virtual)).toHaveLength(rows * columns);
    expect(roadnet.roads).toHaveLength(4 * rows * columns + 2 * rows + 2 * columns);
    const flows = parseFlows(scenario.flows, roadnet);
    expect(flows).toHaveLength(2 * rows + 2 * columns + 8);
    expect(flows[0].interval).toBe(2);
    expect(flows[0].endTime).toBe(-1);
    expect(flows[0].vehicle.headwayTime).toBe(1.5);
    // first straight route: eastbound along row 1 with C + 1 roads
    expect(generateRoutes(rows, columns, false)[0]).toEqual([
      "road_0_1_0",
      "road_1_1_0",
      "road_2_1_0",
      "road_3_1_0",
    ]);
    // --turn: zig-zag from (1, 0) going north then east, min(2C, 2R + 1) = 5 roads
    expect(generateRoutes(rows, columns, true)[2 * rows + 2 * columns]).toEqual([
      "road_1_0_1",
      "road_1_1_0",
      "road_2_1_1",
      "road_2_2_0",
      "road_3_2_1",
    ]);
  });

  it("uses 300 m blocks, 30 m intersections and the generator's Hermite lane links", () => {
    const scenario = generateGridScenario({ rows: 1, columns: 1 });
    const network = new RoadNetwork(parseRoadnet(scenario.roadnet));
    // boundary roads: 300 m, trimmed by 30 m at the real end
    expect(network.drivableLength[network.roadLaneStart[network.roadIndex("road_0_1_0")]]).toBeCloseTo(
      270,
      9,
    );
    const inter = scenario.roadnet.intersections.find(
      (i) => (i as { id: string }).id === "intersection_1_1",
    ) as {
      roadLinks: { type: string; startRoad: string; laneLinks: { points: { x: number; y: number }[] }[] }[];
    };
    const straight = inter.roadLinks.find((l) => l.type === "go_straight" && l.startRoad === "road_0_1_0");
    const points = straight?.laneLinks[1].points ?? [];
    expect(points).toHaveLength(11);
    // starts at the end of lane 1 of the eastbound road (x = -30, shifted 6 m right) and ends 30 m past the centre
    expect(points[0].x).toBeCloseTo(-30, 9);
    expect(points[0].y).toBeCloseTo(-6, 9);
    expect(points[10].x).toBeCloseTo(30, 9);
    expect(points[10].y).toBeCloseTo(-6, 9);
  });

  it("gives the 9-phase plan by default and the --tlPlan 8-phase plan on request", () => {
    const phasesOf = (tlPlan: boolean) => {
      const scenario = generateGridScenario({ rows: 1, columns: 1, tlPlan });
      const inter = parseRoadnet(scenario.roadnet).intersections.find((i) => !i.virtual);
      return inter?.lightPhases ?? [];
    };
    expect(phasesOf(false).map((p) => p.time)).toEqual([5, 30, 30, 30, 30, 30, 30, 30, 30]);
    const plan = phasesOf(true);
    expect(plan.map((p) => p.time)).toEqual([30, 5, 30, 5, 30, 5, 30, 5]);
    // right turns (4 roadLinks) are green in every phase; a 5 s phase has only them
    expect(plan[1].availableRoadLinks).toHaveLength(4);
    expect(plan[0].availableRoadLinks).toHaveLength(6);
  });

  it("refuses bad sizes", () => {
    expect(() => parseGridSize("10by10")).toThrow(/RxC/);
    expect(parseGridSize("7x5")).toEqual({ rows: 7, columns: 5 });
    expect(() => generateGridScenario({ rows: 0, columns: 3 })).toThrow(/rows/);
  });
});
