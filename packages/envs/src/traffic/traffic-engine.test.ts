import { describe, expect, it } from "vitest";
import { parseFlows, parseRoadnet } from "./cityflow-files.js";
import { RoadNetwork } from "./road-network.js";
import { lineFlow, lineRoadnet } from "./test-fixtures.js";
import { TrafficEngine } from "./traffic-engine.js";

function lineEngine(flows: Record<string, unknown>[], rlTrafficLight = false, seed = 0) {
  const roadnet = parseRoadnet(lineRoadnet());
  const network = new RoadNetwork(roadnet);
  return {
    network,
    engine: new TrafficEngine(network, parseFlows(flows, roadnet), { rlTrafficLight, seed }),
  };
}

describe("RoadNetwork geometry", () => {
  it("trims lanes by the width of real intersections and measures lane links", () => {
    const { network } = lineEngine([]);
    expect(network.numLanes).toBe(2);
    expect(network.numLaneLinks).toBe(1);
    expect(network.drivableLength[0]).toBeCloseTo(190, 12); // 200 m minus B's width, A is virtual
    expect(network.drivableLength[1]).toBeCloseTo(190, 12);
    expect(network.drivableLength[2]).toBeCloseTo(20, 12);
    expect(network.laneIds).toEqual(["AB_0", "BC_0"]);
    expect(network.numCrosses).toBe(0);
  });
});

describe("TrafficEngine", () => {
  it("moves a free vehicle by v' = min(maxSpeed, v + maxPosAcc·dt), Δx = (v + v')·dt/2, and times its trip", () => {
    const { engine } = lineEngine([lineFlow(1, 0, 0)]);
    // Hand-worked: 400 m of lanes and link, green light, no leader, no turn.
    let v = 0;
    let x = 0;
    let finishStep = -1;
    for (let s = 0; finishStep < 0; s++) {
      const next = Math.min(11.111, v + 2);
      x += (v + next) / 2;
      v = next;
      if (x > 400) finishStep = s;
    }
    for (let s = 0; s < 60; s++) engine.nextStep();
    expect(engine.vehiclesCreated).toBe(1);
    expect(engine.vehiclesFinished).toBe(1);
    expect(engine.averageTravelTime()).toBe(finishStep); // created at t = 0, finished at t = finishStep
  });

  it("stops a vehicle before a red light and releases it on green (controlled mode)", () => {
    const { engine, network } = lineEngine([lineFlow(1, 0, 0)], true);
    const b = network.intersectionIndex("B");
    engine.setPhase(b, 1);
    for (let s = 0; s < 80; s++) engine.nextStep();
    const distances = new Float64Array(4);
    expect(engine.drivableVehicleDistances(0, distances)).toBe(1);
    expect(distances[0]).toBeLessThanOrEqual(190);
    expect(distances[0]).toBeGreaterThan(180);
    expect(engine.laneWaitingCount(0)).toBe(1);
    expect(engine.vehiclesFinished).toBe(0);
    engine.setPhase(b, 0);
    for (let s = 0; s < 60; s++) engine.nextStep();
    expect(engine.vehiclesFinished).toBe(1);
  });

  it("counts waiting-buffer vehicles in the average travel time", () => {
    // 60 vehicles at t = 0 … 59 behind a red light: nobody finishes, so at t = 100 the average
    // travel time is 100 − mean(0 … 59) = 70.5, whether a vehicle is on the lane or still buffered.
    const { engine, network } = lineEngine([lineFlow(1, 0, 59)], true);
    engine.setPhase(network.intersectionIndex("B"), 1);
    for (let s = 0; s < 100; s++) engine.nextStep();
    expect(engine.vehiclesCreated).toBe(60);
    expect(engine.activeVehicles).toBe(60);
    expect(engine.runningVehicles).toBeLessThan(60); // 190 m hold about 25 vehicles
    expect(engine.runningVehicles).toBeGreaterThan(20);
    expect(engine.averageTravelTime()).toBeCloseTo(70.5, 10);
    const counts = engine.laneVehicleCounts();
    expect(counts[0]).toBe(engine.runningVehicles);
    // the queue is at rest: every vehicle on the lane is waiting (speed < 0.1)
    expect(engine.laneWaitingCounts()[0]).toBe(counts[0]);
    const speeds = new Float64Array(100);
    expect(engine.vehicleSpeeds(speeds)).toBe(engine.runningVehicles);
  });

  it("spawns flows by interval from startTime to endTime", () => {
    const { engine } = lineEngine([lineFlow(5, 10, 30)]);
    for (let s = 0; s < 40; s++) engine.nextStep();
    expect(engine.vehiclesCreated).toBe(5); // t = 10, 15, 20, 25, 30
  });

  it("cycles fixed-time phases by their time and ignores them in controlled mode", () => {
    const fixed = lineEngine([]);
    const b = fixed.network.intersectionIndex("B");
    const roadLink = fixed.network.intersectionRoadLinkStart[b];
    for (let s = 0; s < 29; s++) fixed.engine.nextStep();
    expect(fixed.engine.phase(b)).toBe(0);
    expect(fixed.engine.roadLinkIsGreen(roadLink)).toBe(true);
    fixed.engine.nextStep();
    expect(fixed.engine.phase(b)).toBe(1);
    expect(fixed.engine.roadLinkIsGreen(roadLink)).toBe(false);
    for (let s = 0; s < 30; s++) fixed.engine.nextStep();
    expect(fixed.engine.phase(b)).toBe(0);
    const controlled = lineEngine([], true);
    for (let s = 0; s < 100; s++) controlled.engine.nextStep();
    expect(controlled.engine.phase(b)).toBe(0);
    expect(() => controlled.engine.setPhase(b, 2)).toThrow(/phase 2/);
  });

  it("is deterministic for a seed and restarts cleanly on reset", () => {
    const { engine } = lineEngine([lineFlow(3, 0, 200)]);
    const run = () => {
      engine.reset(7);
      for (let s = 0; s < 300; s++) engine.nextStep();
      return [engine.averageTravelTime(), engine.vehiclesFinished, engine.runningVehicles];
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first[1]).toBeGreaterThan(50);
  });
});
