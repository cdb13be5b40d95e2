import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CooperativeNavigation } from "../mpe/cooperative-navigation.js";
import { createRng } from "../random/rng.js";
import { RecordEpisode } from "../wrappers/record-episode.js";
import { DialsTrafficEnv } from "./dials-traffic-env.js";
import { RecordCityFlowReplay } from "./record-cityflow-replay.js";
import { SignalControlEnv } from "./signal-control-env.js";

const directory = mkdtempSync(join(tmpdir(), "netmarl-cityflow-replay-"));
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The schema CityFlow's frontend (`frontend/script.js`: `start`, `drawNode`, `drawEdge`,
 * `drawStep`) reads, as checks: what it parses must parse, every road it looks up must exist,
 * and the light states must be the tokens it colours. Returns the vehicles per line.
 */
function checkCityFlowReplay(roadnetText: string, replayText: string): number[] {
  const roadnet = JSON.parse(roadnetText);
  expect(Object.keys(roadnet)).toEqual(["static"]);
  const nodes = new Map<string, { virtual: boolean }>();
  for (const node of roadnet.static.nodes) {
    expect(typeof node.id).toBe("string");
    expect(node.point).toHaveLength(2);
    expect(node.point.every(Number.isFinite)).toBe(true);
    expect(typeof node.virtual).toBe("boolean");
    if (!node.virtual) expect(node.width).toBeGreaterThanOrEqual(0);
    // drawNode walks outline pairs and builds a PIXI.Polygon from them.
    expect(node.outline.length % 2).toBe(0);
    expect(node.outline.length).toBeGreaterThanOrEqual(6);
    expect(node.outline.every(Number.isFinite)).toBe(true);
    nodes.set(node.id, node);
  }
  const lightLanes = new Map<string, number>(); // roads with lights: `to` is a real node
  for (const edge of roadnet.static.edges) {
    expect(nodes.has(edge.from) && nodes.has(edge.to)).toBe(true);
    expect(edge.points.length).toBeGreaterThanOrEqual(2);
    for (const point of edge.points) expect(point.length === 2 && point.every(Number.isFinite)).toBe(true);
    expect(Number.isInteger(edge.nLane) && edge.nLane >= 1).toBe(true);
    expect(edge.laneWidths).toHaveLength(edge.nLane);
    expect(edge.laneWidths.every((width: number) => width > 0)).toBe(true);
    if (!nodes.get(edge.to)?.virtual) lightLanes.set(edge.id, edge.nLane);
  }
  const lines = replayText.split("\n");
  expect(lines.pop()).toBe(""); // every line ends with a newline
  return lines.map((line) => {
    const [carPart, lightPart, ...rest] = line.split(";");
    expect(rest).toEqual([]);
    const cars = carPart.split(",");
    expect(cars.pop()).toBe(""); // the frontend stops at length - 1: each car ends with ","
    for (const car of cars) {
      const fields = car.split(" ");
      expect(fields).toHaveLength(7);
      const [x, y, angle, id, laneChange, length, width] = fields;
      for (const value of [x, y, angle, length, width]) expect(value).toMatch(NUMBER);
      expect(id).toMatch(/^\S+$/);
      expect(["-1", "0", "1"]).toContain(laneChange); // turnSignalTextures[laneChange + 1]
      expect(Number(length)).toBeGreaterThan(0);
      expect(Number(width)).toBeGreaterThan(0);
    }
    const lights = lightPart.split(",");
    expect(lights.pop()).toBe("");
    const seen = new Set<string>();
    for (const light of lights) {
      const [road, ...states] = light.split(" ");
      expect(lightLanes.get(road), `road ${road} has lights`).toBe(states.length);
      for (const state of states) expect(["g", "r", "i"]).toContain(state);
      seen.add(road);
    }
    expect(seen.size).toBe(lightLanes.size);
    return cars.length;
  });
}

describe("RecordCityFlowReplay: CityFlow's roadnetLogFile and replayLogFile", () => {
  it("SignalControlEnv: one line per engine second, the schema CityFlow's frontend reads", () => {
    const files = {
      roadnetLogFile: join(directory, "roadnet-log.json"),
      replayLogFile: join(directory, "replay.txt"),
    };
    const env = new SignalControlEnv({ grid: "2x2", episodeSeconds: 100, decisionSeconds: 10 });
    const recorder = new RecordCityFlowReplay(env, files);
    const running: number[] = [];
    const states = new Set<string>();
    recorder.reset(3);
    const rng = createRng(1);
    const actions = new Int32Array(env.numAgents);
    for (let t = 0; t < 10; t++) {
      for (let i = 0; i < actions.length; i++) actions[i] = rng.int(4);
      recorder.step(actions);
      running.push(env.engine.runningVehicles);
    }
    recorder.close();
    const replay = readFileSync(files.replayLogFile, "utf8");
    const perLine = checkCityFlowReplay(readFileSync(files.roadnetLogFile, "utf8"), replay);
    expect(perLine).toHaveLength(100);
    expect(perLine.filter((_, k) => k % 10 === 9)).toEqual(running);
    expect(Math.max(...perLine)).toBeGreaterThan(5);
    for (const token of replay.split(/[;,\n]/))
      for (const state of token.split(" ").slice(1)) states.add(state);
    expect(states.has("g") && states.has("r")).toBe(true);
    // Ids are CityFlow's flow_<flow>_<serial> of the running vehicles.
    const lastIds = replay
      .trimEnd()
      .split("\n")
      .at(-1)!
      .split(";")[0]
      .split(",")
      .slice(0, -1)
      .map((car) => car.split(" ")[3]);
    expect(lastIds).toEqual(env.engine.runningVehicleIds());
  });

  it("DialsTrafficEnv inside RecordEpisode: found through the wrapper; refuses non-traffic envs and bad paths", () => {
    const files = {
      roadnetLogFile: join(directory, "dials-roadnet.json"),
      replayLogFile: join(directory, "dials.txt"),
    };
    const inner = new RecordEpisode(
      new DialsTrafficEnv({ rows: 2, columns: 2, maxSteps: 20, inflowProbability: 0.3 }),
      {
        path: join(directory, "dials.ndjson"),
      },
    );
    const env = new RecordCityFlowReplay(inner, files);
    env.reset(0);
    for (let t = 0; t < 20; t++) env.step(new Int32Array(4));
    env.close();
    const perLine = checkCityFlowReplay(
      readFileSync(files.roadnetLogFile, "utf8"),
      readFileSync(files.replayLogFile, "utf8"),
    );
    expect(perLine).toHaveLength(20);
    expect(() => new RecordCityFlowReplay(new CooperativeNavigation(), files)).toThrow(
      /has no TrafficEngine/,
    );
    expect(() => new RecordCityFlowReplay(new DialsTrafficEnv(), { ...files, replayLogFile: "" })).toThrow(
      /replayLogFile must be a non-empty file path/,
    );
  });
});
