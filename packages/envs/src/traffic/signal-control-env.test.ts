import { describe, expect, it } from "vitest";
import { checkEnv } from "../testing/check-env.js";
import { SignalControlEnv } from "./signal-control-env.js";
import { HANGZHOU } from "./test-fixtures.js";

describe("SignalControlEnv", () => {
  it("passes checkEnv on a generated 2x2 grid", () => {
    const env = new SignalControlEnv({ grid: "2x2", episodeSeconds: 300 });
    expect(env.spec.numAgents).toBe(4);
    checkEnv(env);
  });

  it("maps CoLight's actions to the Hangzhou phases 1-4, with phase 0 as yellow", () => {
    const env = new SignalControlEnv({ roadnet: HANGZHOU.roadnet, flow: HANGZHOU.flow, adjacency: "road" });
    expect(env.numAgents).toBe(16);
    const { obs } = env.reset(0);
    // initial phase 1 = WSES: bits [WL, WS, EL, ES, NL, NS, SL, SS] = [0,1,0,1,0,0,0,0]
    expect(Array.from(obs.subarray(0, 8))).toEqual([0, 1, 0, 1, 0, 0, 0, 0]);
    const inter = env.agentIntersections[0];
    expect(env.engine.phase(inter)).toBe(1);
    // switch every agent to action 2 (WLEL): 5 s of phase 0, then phase 3
    const actions = new Int32Array(16).fill(2);
    const result = env.step(actions);
    expect(env.engine.phase(inter)).toBe(3);
    expect(Array.from(result.obs.subarray(0, 8))).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
    expect(typeof result.infos.averageTravelTime).toBe("number");
    // the 12 counts are the entering lanes' vehicle counts
    const counts = env.engine.laneVehicleCounts();
    const west = env.network.roadIndex("road_0_1_0");
    const lane0 = env.network.roadLaneStart[west];
    expect(result.obs[8]).toBe(counts[lane0]);
    // road graph: corner intersection_1_1 has 2 real neighbours
    const g = env.graph();
    expect(g.offsets[1] - g.offsets[0]).toBe(2);
  });

  it("pays −0.25 × the mean waiting count of the window (all red from yellow → negative)", () => {
    const env = new SignalControlEnv({ grid: "1x1", gridOptions: { interval: 2 }, episodeSeconds: 600 });
    env.reset(0);
    let total = 0;
    for (let k = 0; k < 30; k++) {
      const r = env.step(new Int32Array([k % 4]));
      expect(r.rewards[0]).toBeLessThanOrEqual(0);
      // rewards are multiples of −0.25 / 10
      expect(Math.abs(Math.round(r.rewards[0] / -0.025) * -0.025 - r.rewards[0])).toBeLessThan(1e-5);
      total += r.rewards[0];
    }
    expect(total).toBeLessThan(0);
  });

  it("uses CoLight's top-k distance graph by default", () => {
    const env = new SignalControlEnv({ grid: "3x3" });
    const g = env.graph();
    for (let i = 0; i < 9; i++) expect(g.offsets[i + 1] - g.offsets[i]).toBe(4);
    // the centre (row 2, column 2 = agent 4) hears its 4 direct neighbours
    const centre = Array.from(g.neighbors.subarray(g.offsets[4], g.offsets[5])).sort();
    expect(centre).toEqual([1, 3, 5, 7]);
  });

  it("refuses bad options with the field name", () => {
    expect(() => new SignalControlEnv({ numPhases: 5 as 4 })).toThrow(/numPhases/);
    expect(() => new SignalControlEnv({ roadnet: HANGZHOU.roadnet })).toThrow(/together/);
    expect(() => new SignalControlEnv({ grid: "ten" })).toThrow(/RxC/);
  });
});
