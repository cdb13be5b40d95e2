/**
 * Small hand-made CityFlow networks for the traffic tests, and the paths of the real datasets
 * (read from ../shared/data, never copied into the repo).
 */
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared-data.js";

/** `<repo>/../shared/data/cityflow`. */
export const CITYFLOW_DATA_DIR = sharedDataPath("cityflow");

export const HANGZHOU = {
  roadnet: join(CITYFLOW_DATA_DIR, "hangzhou_4x4_gudang_18041610_1h", "roadnet_4X4.json"),
  flow: join(CITYFLOW_DATA_DIR, "hangzhou_4x4_gudang_18041610_1h", "hangzhou_4x4_gudang_18041610_1h.json"),
};

export const LTOS_6X6 = {
  roadnet: join(CITYFLOW_DATA_DIR, "ltos_small_6x6", "roadnet_6_6.json"),
  flow: join(CITYFLOW_DATA_DIR, "ltos_small_6x6", "anon_6_6_small_2570_bi.json"),
};

/** The vehicle of the generator and most datasets. */
export const STANDARD_VEHICLE = {
  length: 5,
  width: 2,
  maxPosAcc: 2,
  maxNegAcc: 4.5,
  usualPosAcc: 2,
  usualNegAcc: 4.5,
  minGap: 2.5,
  maxSpeed: 11.111,
  headwayTime: 2,
};

/**
 * A — B — C on the x axis: virtual A at x = 0, real B at x = 200 (width 10), virtual C at x = 400.
 * Roads A→B and B→C, one lane each (lanes 190 m), one straight lane link of 20 m through B.
 * B's light: phase 0 (green, 30 s), phase 1 (red, 30 s).
 */
export function lineRoadnet(): Record<string, unknown> {
  return {
    intersections: [
      { id: "A", point: { x: 0, y: 0 }, width: 0, roads: ["AB"], roadLinks: [], virtual: true },
      {
        id: "B",
        point: { x: 200, y: 0 },
        width: 10,
        roads: ["AB", "BC"],
        roadLinks: [
          {
            type: "go_straight",
            startRoad: "AB",
            endRoad: "BC",
            laneLinks: [
              {
                startLaneIndex: 0,
                endLaneIndex: 0,
                points: [
                  { x: 190, y: -2 },
                  { x: 210, y: -2 },
                ],
              },
            ],
          },
        ],
        trafficLight: {
          lightphases: [
            { time: 30, availableRoadLinks: [0] },
            { time: 30, availableRoadLinks: [] },
          ],
        },
        virtual: false,
      },
      { id: "C", point: { x: 400, y: 0 }, width: 0, roads: ["BC"], roadLinks: [], virtual: true },
    ],
    roads: [
      {
        id: "AB",
        startIntersection: "A",
        endIntersection: "B",
        points: [
          { x: 0, y: 0 },
          { x: 200, y: 0 },
        ],
        lanes: [{ width: 4, maxSpeed: 11.111 }],
      },
      {
        id: "BC",
        startIntersection: "B",
        endIntersection: "C",
        points: [
          { x: 200, y: 0 },
          { x: 400, y: 0 },
        ],
        lanes: [{ width: 4, maxSpeed: 11.111 }],
      },
    ],
  };
}

/** One flow on the line network. */
export function lineFlow(interval: number, startTime: number, endTime: number): Record<string, unknown> {
  return { vehicle: { ...STANDARD_VEHICLE }, route: ["AB", "BC"], interval, startTime, endTime };
}
