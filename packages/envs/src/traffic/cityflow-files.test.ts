import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createRng, type Rng } from "../random/rng.js";
import { parseCityFlowConfig, parseFlows, parseRoadnet } from "./cityflow-files.js";
import { CityFlowFormatError } from "./cityflow-format-error.js";
import { HANGZHOU, lineFlow, lineRoadnet } from "./test-fixtures.js";

function expectFormatError(run: () => unknown, path: string, expected: RegExp): CityFlowFormatError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CityFlowFormatError);
  const error = caught as CityFlowFormatError;
  expect(error.jsonPath).toBe(path);
  expect(error.expected).toMatch(expected);
  expect(error.message).toContain(error.file);
  return error;
}

describe("CityFlow file readers", () => {
  it("read the real Hangzhou files with every id resolved", () => {
    const roadnet = parseRoadnet(readFileSync(HANGZHOU.roadnet, "utf8"), "roadnet_4X4.json");
    expect(roadnet.intersections).toHaveLength(32);
    expect(roadnet.roads).toHaveLength(80);
    expect(roadnet.intersections.filter((i) => !i.virtual)).toHaveLength(16);
    const flows = parseFlows(readFileSync(HANGZHOU.flow, "utf8"), roadnet, "hz.json");
    expect(flows).toHaveLength(2983);
    // Anchors in the dataset are adjacent, so the expanded route is the anchor list itself.
    for (const flow of flows) expect(flow.expandedRoute).toEqual(flow.route);
  });

  it("refuse non-JSON text naming the file", () => {
    const error = expectFormatError(
      () => parseRoadnet("{ not json", "my-roadnet.json"),
      "$",
      /JSON document/,
    );
    expect(error.file).toBe("my-roadnet.json");
    expect(error.message).toMatch(/^my-roadnet\.json: \$: expected a JSON document/);
  });

  it("refuse a missing field with its path", () => {
    const roadnet = lineRoadnet();
    delete (roadnet.roads as Record<string, unknown>[])[1].lanes;
    expectFormatError(() => parseRoadnet(roadnet), "$.roads[1].lanes", /required/);
  });

  it("refuse a lane index out of range", () => {
    const roadnet = lineRoadnet() as {
      intersections: { roadLinks: { laneLinks: { endLaneIndex: number }[] }[] }[];
    };
    roadnet.intersections[1].roadLinks[0].laneLinks[0].endLaneIndex = 3;
    expectFormatError(
      () => parseRoadnet(roadnet),
      "$.intersections[1].roadLinks[0].laneLinks[0].endLaneIndex",
      /lane index in \[0, 1\)/,
    );
  });

  it("refuse a negative lane width and a road shorter than its intersections", () => {
    const roadnet = lineRoadnet() as { roads: { lanes: { width: number }[]; points: { x: number }[] }[] };
    roadnet.roads[0].lanes[0].width = -4;
    expectFormatError(() => parseRoadnet(roadnet), "$.roads[0].lanes[0].width", /> 0/);
    const short = lineRoadnet() as { roads: { points: { x: number }[] }[] };
    short.roads[0].points[0].x = 195; // 5 m road, 10 m intersection width at B
    expectFormatError(() => parseRoadnet(short), "$.roads[0].points", /longer than the widths/);
  });

  it("refuse a roadLink whose road does not end at the intersection", () => {
    const roadnet = lineRoadnet() as { intersections: { roadLinks: { startRoad: string }[] }[] };
    roadnet.intersections[1].roadLinks[0].startRoad = "BC";
    expectFormatError(() => parseRoadnet(roadnet), "$.intersections[1].roadLinks[0].startRoad", /ends at B/);
  });

  it("refuse an unknown road in a route, a disconnected route and a one-road route", () => {
    const roadnet = parseRoadnet(lineRoadnet());
    const unknown = lineFlow(1, 0, 0);
    unknown.route = ["AB", "XY"];
    expectFormatError(() => parseFlows([unknown], roadnet), "$[0].route[1]", /id of a road/);
    const backwards = lineFlow(1, 0, 0);
    backwards.route = ["BC", "AB"];
    expectFormatError(() => parseFlows([backwards], roadnet), "$[0].route[1]", /reachable from BC/);
    const single = lineFlow(1, 0, 0);
    single.route = ["AB"];
    expectFormatError(() => parseFlows([single], roadnet), "$[0].route", /at least 2 roads/);
  });

  it("refuse a non-integer startTime instead of CityFlow's silent default", () => {
    const roadnet = parseRoadnet(lineRoadnet());
    const flow = lineFlow(1, 0, 0);
    flow.startTime = 2.5;
    expectFormatError(() => parseFlows([flow], roadnet), "$[0].startTime", /integer/);
  });

  it("read a config and refuse missing fields, wrong types and laneChange", () => {
    const good = {
      interval: 1,
      seed: 0,
      dir: "data/",
      roadnetFile: "r.json",
      flowFile: "f.json",
      rlTrafficLight: false,
      saveReplay: false,
    };
    expect(parseCityFlowConfig(good)).toMatchObject({ interval: 1, laneChange: false, dir: "data/" });
    const { flowFile: _dropped, ...missing } = good;
    expectFormatError(() => parseCityFlowConfig(missing), "$.flowFile", /required/);
    expectFormatError(() => parseCityFlowConfig({ ...good, interval: -1 }), "$.interval", /> 0/);
    expectFormatError(
      () => parseCityFlowConfig({ ...good, rlTrafficLight: "yes" }),
      "$.rlTrafficLight",
      /true or false/,
    );
    expectFormatError(
      () => parseCityFlowConfig({ ...good, laneChange: true }),
      "$.laneChange",
      /lane changing/,
    );
  });

  // Fuzz: random mutations of the real Hangzhou files. Every outcome is either a successful read or
  // a CityFlowFormatError with a path — never another exception and never a crash. Mutations that
  // must break the file (wrong types, missing required fields, unknown ids) are counted to show the
  // test does exercise the refusal paths.
  it("fuzz: mutated real files are read or refused with a CityFlowFormatError", () => {
    const roadnetText = readFileSync(HANGZHOU.roadnet, "utf8");
    const flowText = readFileSync(HANGZHOU.flow, "utf8");
    const roadnetValue = JSON.parse(roadnetText) as Record<string, unknown>;
    const flowValue = JSON.parse(flowText) as unknown[];
    const roadnet = parseRoadnet(roadnetValue);
    const rng = createRng(2024);
    let refused = 0;
    let accepted = 0;
    const trial = (run: () => unknown) => {
      try {
        run();
        accepted++;
      } catch (error) {
        if (!(error instanceof CityFlowFormatError)) throw error;
        expect(error.jsonPath.startsWith("$")).toBe(true);
        refused++;
      }
    };
    for (let k = 0; k < 80; k++) {
      const undo = mutate(roadnetValue, rng);
      trial(() => parseRoadnet(roadnetValue, "roadnet_4X4.json"));
      undo();
    }
    for (let k = 0; k < 80; k++) {
      const undo = mutate(flowValue, rng);
      trial(() => parseFlows(flowValue, roadnet, "flow.json"));
      undo();
    }
    for (let k = 0; k < 20; k++) {
      const cut = rng.int(roadnetText.length - 1);
      trial(() => parseRoadnet(roadnetText.slice(0, cut), "roadnet_4X4.json"));
    }
    // the files are unchanged after undoing every mutation
    expect(() => parseFlows(flowValue, parseRoadnet(roadnetValue))).not.toThrow();
    expect(refused + accepted).toBe(180);
    expect(refused).toBeGreaterThan(100);
  });
});

/** Applies one random mutation somewhere in `root` and returns a function that undoes it. */
function mutate(root: unknown, rng: Rng): () => void {
  // walk down a random path to a container and one of its keys
  let container = root as Record<string | number, unknown>;
  let key: string | number = 0;
  for (let depth = 0; depth < 12; depth++) {
    const keys: (string | number)[] = Array.isArray(container)
      ? container.map((_, i) => i)
      : Object.keys(container);
    if (keys.length === 0) break;
    key = keys[rng.int(keys.length)];
    const child = container[key];
    if (child === null || typeof child !== "object" || rng.uniform() < 0.15) break;
    container = child as Record<string | number, unknown>;
  }
  const had = Object.hasOwn(container, key);
  const old = container[key];
  const kind = rng.int(6);
  if (kind === 0 && !Array.isArray(container)) delete container[key];
  else if (kind === 1) container[key] = typeof old === "number" ? -Math.abs(old) - 1 : -7;
  else if (kind === 2) container[key] = typeof old === "string" ? `${old}_unknown` : "road_9_9_9";
  else if (kind === 3) container[key] = null;
  else if (kind === 4) container[key] = typeof old === "number" ? old + 1000 : [];
  else container[key] = typeof old === "number" ? 0.5 : {};
  return () => {
    if (had) container[key] = old;
    else delete container[key];
  };
}
