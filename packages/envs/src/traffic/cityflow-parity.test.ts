/**
 * Parity with CityFlow 1.0 (compiled from its public source; fixed-time plans of the files,
 * seed 0, 3600 steps, interval 1): the average travel times below were measured with CityFlow and
 * are given in the issue. NetMARL must land within 5 %; it currently reproduces them to 1e-4 s, so
 * the tests also pin the value to 0.01 s to catch any drift in the port.
 */
import { describe, expect, it } from "vitest";
import { parseFlows, parseRoadnet } from "./cityflow-files.js";
import { generateGridScenario } from "./grid-scenario.js";
import { loadRoadnetAndFlows } from "./load-cityflow-scenario.js";
import { RoadNetwork } from "./road-network.js";
import { HANGZHOU, LTOS_6X6 } from "./test-fixtures.js";
import { TrafficEngine } from "./traffic-engine.js";

function averageTravelTime(engine: TrafficEngine, steps = 3600): number {
  for (let s = 0; s < steps; s++) engine.nextStep();
  return engine.averageTravelTime();
}

describe("CityFlow parity (fixed-time, seed 0, 3600 s)", () => {
  it("Hangzhou 4x4: 525.2752 s", () => {
    const { network, flows } = loadRoadnetAndFlows(HANGZHOU.roadnet, HANGZHOU.flow);
    const engine = new TrafficEngine(network, flows, { seed: 0 });
    const att = averageTravelTime(engine);
    expect(Math.abs(att / 525.2752 - 1)).toBeLessThan(0.05);
    expect(att).toBeCloseTo(525.2752, 2);
    expect(engine.vehiclesCreated).toBe(2983);
  });

  it("LToS 6x6: 257.8097 s", () => {
    const { network, flows } = loadRoadnetAndFlows(LTOS_6X6.roadnet, LTOS_6X6.flow);
    const engine = new TrafficEngine(network, flows, { seed: 0 });
    const att = averageTravelTime(engine);
    expect(Math.abs(att / 257.8097 - 1)).toBeLessThan(0.05);
    expect(att).toBeCloseTo(257.8097, 2);
    expect(engine.vehiclesCreated).toBe(2570);
  });

  it("generated 10x10 grid (--tlPlan --turn --interval 10): 781.1786 s", () => {
    const scenario = generateGridScenario({ rows: 10, columns: 10, turn: true, tlPlan: true, interval: 10 });
    const roadnet = parseRoadnet(scenario.roadnet, "grid-10x10");
    const engine = new TrafficEngine(new RoadNetwork(roadnet), parseFlows(scenario.flows, roadnet), {
      seed: 0,
    });
    const att = averageTravelTime(engine);
    expect(Math.abs(att / 781.1786 - 1)).toBeLessThan(0.05);
    expect(att).toBeCloseTo(781.1786, 2);
    expect(engine.vehiclesCreated).toBe(48 * 360);
  });
});
