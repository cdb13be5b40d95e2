import { describe, expect, it } from "vitest";
import { Aloha } from "../aloha/aloha.js";
import { CoordinationGame } from "../coordination-game/coordination-game.js";
import type { MultiAgentEnv, ResetResult } from "../env/multi-agent-env.js";
import { isEpisodeOver } from "../env/multi-agent-env.js";
import { Jungle } from "../jungle/jungle.js";
import { MemoryCue } from "../memory-cue/memory-cue.js";
import { CooperativeNavigation } from "../mpe/cooperative-navigation.js";
import { CooperativePush } from "../mpe/cooperative-push.js";
import type { MpeEnv } from "../mpe/mpe-env.js";
import { PredatorPrey } from "../mpe/predator-prey.js";
import { NetworkedCoordination } from "../networked-coordination/networked-coordination.js";
import { PrisonersDilemma } from "../prisoners-dilemma/prisoners-dilemma.js";
import { createRng } from "../random/rng.js";
import { unpackArray } from "../replay/packed-array.js";
import { type ParsedReplay, parseReplayText } from "../replay/parse-replay.js";
import type { ReplaySink } from "../replay/replay-file-sink.js";
import type {
  GraphScene,
  GraphState,
  GridScene,
  GridState,
  MpeScene,
  MpeState,
  ReplayFrame,
  TrafficScene,
  TrafficState,
} from "../replay/replay-format.js";
import { Box } from "../spaces/box.js";
import { DialsTrafficEnv } from "../traffic/dials-traffic-env.js";
import { SignalControlEnv } from "../traffic/signal-control-env.js";
import type { TrafficEngine } from "../traffic/traffic-engine.js";
import { DialsWarehouse } from "../warehouse/warehouse.js";
import { RecordEpisode } from "./record-episode.js";

/** Keeps the lines in memory (the file sink has its own test). */
class MemorySink implements ReplaySink {
  lines: string[] = [];
  closed = false;
  write(line: string): void {
    this.lines.push(line);
  }
  flush(): void {}
  close(): void {
    this.closed = true;
  }
  text(): string {
    return this.lines.join("");
  }
}

/**
 * Plays `episodes` seeded random episodes through `RecordEpisode` and reads the env's own state
 * with `readLive` after every reset and step; returns the parsed replay and the live reads.
 */
function recordRandomEpisodes<T>(
  env: MultiAgentEnv,
  readLive: (result: ResetResult) => T,
  options: { seed?: number; episodes?: number; recordEvery?: number; maxSteps?: number } = {},
): { replay: ParsedReplay; live: T[][]; sink: MemorySink } {
  const sink = new MemorySink();
  const recorder = new RecordEpisode(env, { sink, recordEvery: options.recordEvery ?? 1 });
  const rng = createRng(99);
  const spec = env.spec;
  const length = spec.numAgents * spec.actionSpace.size;
  const actions = spec.actionSpace instanceof Box ? new Float32Array(length) : new Int32Array(length);
  const live: T[][] = [];
  for (let e = 0; e < (options.episodes ?? 1); e++) {
    const reads = [readLive(recorder.reset(e === 0 ? (options.seed ?? 5) : undefined))];
    for (let t = 0; t < (options.maxSteps ?? spec.maxSteps); t++) {
      for (let i = 0; i < spec.numAgents; i++)
        spec.actionSpace.sampleInto(rng, actions, i * spec.actionSpace.size);
      const result = recorder.step(actions);
      reads.push(readLive(result));
      if (isEpisodeOver(result)) break;
    }
    live.push(reads);
  }
  recorder.close();
  return { replay: parseReplayText(sink.text()), live, sink };
}

interface TrafficRead {
  speeds: Float64Array;
  ids: string[];
  phases: number[];
  /** Sorted distances of the vehicles on each occupied drivable. */
  byDrivable: Map<number, number[]>;
  time: number;
}

function readTraffic(engine: TrafficEngine): TrafficRead {
  const speeds = new Float64Array(engine.runningVehicles);
  engine.vehicleSpeeds(speeds);
  const net = engine.network;
  const byDrivable = new Map<number, number[]>();
  const scratch = new Float64Array(engine.runningVehicles + 1);
  for (let d = 0; d < net.numDrivables; d++) {
    const count = engine.drivableVehicleDistances(d, scratch);
    if (count > 0)
      byDrivable.set(
        d,
        Array.from(scratch.subarray(0, count)).sort((a, b) => a - b),
      );
  }
  const phases = Array.from({ length: net.numIntersections }, (_, i) => engine.phase(i));
  return { speeds, ids: engine.runningVehicleIds(), phases, byDrivable, time: engine.currentTime };
}

function expectTrafficFrame(frame: ReplayFrame, live: TrafficRead): void {
  const state = frame.state as TrafficState;
  expect(unpackArray(state.vehicleSpeed, "speed")).toEqual(live.speeds);
  expect(Array.from(unpackArray(state.phase, "phase"))).toEqual(live.phases);
  expect(state.time).toBe(live.time);
  const ids = unpackArray(state.vehicleIds, "ids");
  expect(ids.length).toBe(live.ids.length);
  expect(new Set(ids).size).toBe(ids.length);
  const drivable = unpackArray(state.vehicleDrivable, "drivable");
  const distance = unpackArray(state.vehicleDistance, "distance");
  const byDrivable = new Map<number, number[]>();
  for (let v = 0; v < drivable.length; v++) {
    const list = byDrivable.get(drivable[v]) ?? [];
    list.push(distance[v]);
    byDrivable.set(drivable[v], list);
  }
  for (const list of byDrivable.values()) list.sort((a, b) => a - b);
  expect(byDrivable).toEqual(live.byDrivable);
}

/** Every recorded frame equals the live read of its step (frames are at t = 0, k, 2k, …, last). */
function expectFramesMatch<T>(
  replay: ParsedReplay,
  live: T[][],
  check: (frame: ReplayFrame, read: T) => void,
) {
  expect(replay.episodes.length).toBe(live.length);
  replay.episodes.forEach((episode, e) => {
    for (const frame of episode.frames) check(frame, live[e][frame.t]);
    expect(episode.end?.steps).toBe(live[e].length - 1);
  });
}

describe("RecordEpisode round trip: the replay's states are the env's own at every step", () => {
  it("traffic: SignalControlEnv (generated 2×2 grid)", () => {
    const env = new SignalControlEnv({ grid: "2x2", episodeSeconds: 200, decisionSeconds: 10 });
    const { replay, live } = recordRandomEpisodes(env, () => readTraffic(env.engine));
    expect(replay.header).toMatchObject({
      family: "traffic",
      env: "cityflow/signal-control",
      numAgents: 4,
      seed: 5,
    });
    const scene = replay.scene as TrafficScene;
    expect(scene.numDrivables).toBe(env.network.numDrivables);
    expect(unpackArray(scene.pointX, "pointX").length).toBe(
      env.network.drivablePoints.reduce((sum, points) => sum + points.length, 0),
    );
    expect(Array.from(unpackArray(scene.agentIntersection, "agents"))).toEqual(
      Array.from(env.agentIntersections),
    );
    expect(replay.episodes[0].frames.length).toBe(21);
    expect(live[0].some((read) => read.ids.length > 5)).toBe(true); // there is traffic to compare
    expectFramesMatch(replay, live, expectTrafficFrame);
  });

  it("traffic: DialsTrafficEnv, two episodes, a frame every 4 steps and the last", () => {
    const env = new DialsTrafficEnv({ rows: 2, columns: 2, maxSteps: 30, inflowProbability: 0.3 });
    const { replay, live } = recordRandomEpisodes(env, () => readTraffic(env.engine), {
      episodes: 2,
      recordEvery: 4,
    });
    expect(replay.episodes.map((episode) => episode.frames.map((frame) => frame.t))).toEqual([
      [0, 4, 8, 12, 16, 20, 24, 28, 30],
      [0, 4, 8, 12, 16, 20, 24, 28, 30],
    ]);
    expect(live[1].some((read) => read.ids.length > 5)).toBe(true);
    expectFramesMatch(replay, live, expectTrafficFrame);
  });

  const mpeCases: Array<[string, () => MpeEnv, number]> = [
    ["cooperative navigation", () => new CooperativeNavigation({ numAgents: 5, maxSteps: 25 }), 0],
    ["cooperative push (movable ball)", () => new CooperativePush({ numAgents: 3, maxSteps: 25 }), 3],
    ["predator-prey (scripted prey)", () => new PredatorPrey({ numAgents: 3, maxSteps: 25 }), 2],
  ];
  it.each(mpeCases)("MPE: %s", (_name, create, extraKind) => {
    const env = create();
    const read = () => ({ position: env.world.position.slice(), velocity: env.world.velocity.slice() });
    const { replay, live } = recordRandomEpisodes(env, read);
    const scene = replay.scene as MpeScene;
    expect(scene.numEntities).toBe(env.world.numEntities);
    expect(unpackArray(scene.entitySize, "size")).toEqual(env.world.size);
    const kinds = Array.from(unpackArray(scene.entityKind, "kind"));
    expect(kinds.slice(0, env.numAgents).every((kind) => kind === 0)).toBe(true);
    if (extraKind !== 0) expect(kinds).toContain(extraKind);
    expectFramesMatch(replay, live, (frame, liveRead) => {
      const state = frame.state as MpeState;
      expect(unpackArray(state.position, "position")).toEqual(liveRead.position);
      expect(unpackArray(state.velocity, "velocity")).toEqual(liveRead.velocity);
    });
    // The k-nearest graph is dynamic: it is re-sent only when it changed, and it changes here.
    const withGraph = replay.episodes[0].frames.filter((frame) => frame.graphs?.env !== undefined);
    expect(withGraph[0].t).toBe(0);
    expect(withGraph.length).toBeGreaterThan(1);
  });
});

describe("RecordEpisode", () => {
  it("does not change the env's results or its random stream (same seed, wrapped vs unwrapped)", () => {
    const play = (env: MultiAgentEnv) => {
      const rng = createRng(3);
      const actions = new Int32Array(env.spec.numAgents);
      const out: number[][] = [];
      for (let episode = 0; episode < 2; episode++) {
        out.push(Array.from(env.reset(episode === 0 ? 11 : undefined).obs));
        for (let t = 0; t < 30; t++) {
          for (let i = 0; i < actions.length; i++) env.spec.actionSpace.sampleInto(rng, actions, i);
          const result = env.step(actions);
          out.push(Array.from(result.obs), Array.from(result.rewards));
          if (isEpisodeOver(result)) break;
        }
      }
      return out;
    };
    const options = { rows: 2, columns: 2, maxSteps: 20, inflowProbability: 0.3 };
    const plain = play(new DialsTrafficEnv(options));
    const recorded = play(new RecordEpisode(new DialsTrafficEnv(options), { sink: new MemorySink() }));
    expect(recorded).toEqual(plain);
    const mpe = () => new CooperativeNavigation({ numAgents: 4, maxSteps: 25, actionMode: "discrete" });
    expect(play(new RecordEpisode(mpe(), { sink: new MemorySink() }))).toEqual(play(mpe()));
  });

  it("ends an unfinished episode at the next reset and at close, and refuses bad options", () => {
    const sink = new MemorySink();
    const env = new RecordEpisode(new CooperativeNavigation({ numAgents: 2, maxSteps: 25 }), { sink });
    env.reset(1);
    env.step(new Int32Array(2));
    env.reset();
    env.close();
    const replay = parseReplayText(sink.text());
    expect(replay.episodes.map((episode) => episode.end?.steps)).toEqual([1, 0]);
    expect(sink.closed).toBe(true);
    const game = () => new CooperativeNavigation({ numAgents: 2 });
    expect(() => new RecordEpisode(game(), { sink, recordEvery: 0 })).toThrow(
      /recordEvery = 0; expected a positive integer/,
    );
    expect(() => new RecordEpisode(game(), {})).toThrow(/exactly one of path/);
  });
});

describe("RecordEpisode round trip: grid worlds", () => {
  it("jungle: cells, agent cells and hp, food hp", () => {
    const env = new Jungle({ mapSize: 12, numAgents: 6, numFood: 4, maxSteps: 30 });
    const units = env.numAgents + env.numFood;
    const read = () =>
      Array.from({ length: units }, (_, unit) => ({ position: env.positionOf(unit), hp: env.hpOf(unit) }));
    const { replay, live } = recordRandomEpisodes(env, read);
    expect(replay.scene).toMatchObject({
      family: "grid",
      width: 12,
      height: 12,
      cellLegend: ["empty", "agent", "food"],
    });
    expectFramesMatch(replay, live, (frame, units) => {
      const state = frame.state as GridState;
      const cells = new Uint8Array(144);
      const foodHp = new Float32Array(144);
      const agentCell: number[] = [];
      units.forEach(({ position, hp }, unit) => {
        const cell = position === undefined ? -1 : position[1] * 12 + position[0];
        if (unit < env.numAgents) agentCell.push(cell);
        if (cell < 0) return;
        cells[cell] = unit < env.numAgents ? 1 : 2;
        if (unit >= env.numAgents) foodHp[cell] = hp;
      });
      expect(unpackArray(state.cells, "cells")).toEqual(cells);
      expect(Array.from(unpackArray(state.agentCell, "agentCell"))).toEqual(agentCell);
      expect(unpackArray(state.agentValue, "hp")).toEqual(
        Float32Array.from(units.slice(0, env.numAgents), (u) => u.hp),
      );
      expect(unpackArray(state.cellValue, "food hp")).toEqual(foodHp);
    });
  });

  it("DIALS warehouse: shelves static, items and robots per frame as in the env's state vector", () => {
    const env = new DialsWarehouse({ maxSteps: 40, itemProbability: 0.1 });
    const side = env.gridSide;
    const cells = side * side;
    const read = (result: ResetResult) => ({
      state: (result.state as Float32Array).slice(),
      robots: env.robotCells(),
    });
    const { replay, live } = recordRandomEpisodes(env, read);
    const scene = replay.scene as GridScene;
    expect(scene.cellLegend).toEqual(["floor", "shelf", "item", "agent", "scripted robot"]);
    let items = 0;
    expectFramesMatch(replay, live, (frame, { state, robots }) => {
      const replayCells = unpackArray((frame.state as GridState).cells, "cells");
      const robotGlobal = Array.from(robots, (local, robot) => {
        const i = Math.floor(robot / env.robotsPerSide);
        const j = robot % env.robotsPerSide;
        return (4 * i + Math.floor(local / 5)) * side + 4 * j + (local % 5);
      });
      const agentCell = Array.from(env.learnerIds, (robot) => robotGlobal[robot]);
      expect(Array.from(unpackArray((frame.state as GridState).agentCell, "agentCell"))).toEqual(agentCell);
      for (let cell = 0; cell < cells; cell++) {
        const robot = state[cells + cell] === 1;
        expect(replayCells[cell] >= 3).toBe(robot);
        if (!robot) expect(replayCells[cell] === 2).toBe(state[cell] === 1);
        if (replayCells[cell] === 2) items++;
      }
    });
    expect(items).toBeGreaterThan(0);
  });
});

describe("RecordEpisode round trip: graph games", () => {
  it("Aloha: the backlogs are the agent values; the casec ladder gives node positions", () => {
    const env = new Aloha({ numAgents: 10, maxSteps: 30 });
    const { replay, live } = recordRandomEpisodes(env, () => env.getBacklogs());
    const scene = replay.scene as GraphScene;
    expect(Array.from(unpackArray(scene.nodePosition, "nodePosition")).slice(0, 4)).toEqual([0, 0, 1, 0]);
    expect(Array.from(unpackArray(scene.nodePosition, "nodePosition")).slice(10, 12)).toEqual([0, -1]);
    expectFramesMatch(replay, live, (frame, backlogs) => {
      const state = frame.state as GraphState;
      expect(state.agentValueName).toBe("backlog");
      expect(unpackArray(state.agentValue, "backlog")).toEqual(Float32Array.from(backlogs));
    });
  });

  const bitGames: Array<[string, () => MultiAgentEnv, string]> = [
    ["coordination game", () => new CoordinationGame({ numAgents: 5 }), "bit"],
    ["memory cue", () => new MemoryCue({ numAgents: 3 }), "cue"],
  ];
  it.each(bitGames)("%s: the state's bits are the agent values", (_name, create, valueName) => {
    const env = create();
    const n = env.spec.numAgents;
    const { replay, live } = recordRandomEpisodes(env, (result) =>
      (result.state as Float32Array).slice(0, n),
    );
    expectFramesMatch(replay, live, (frame, bits) => {
      const state = frame.state as GraphState;
      expect(state.agentValueName).toBe(valueName);
      expect(unpackArray(state.agentValue, valueName)).toEqual(bits);
    });
  });

  it("prisoners' dilemma and networked coordination: layout positions; actions are the state", () => {
    const dilemma = recordRandomEpisodes(
      new PrisonersDilemma({ numAgents: 4, layout: "ring", maxSteps: 5 }),
      () => 0,
    );
    const positions = unpackArray((dilemma.replay.scene as GraphScene).nodePosition, "nodePosition");
    expect(positions[0]).toBeCloseTo(0, 12);
    expect(positions[1]).toBe(1); // agent 0 at the top of the ring
    for (const frame of dilemma.replay.episodes[0].frames.slice(1)) {
      const lastAction = unpackArray((frame.state as GraphState).agentValue, "last action");
      expect(Array.from(lastAction)).toEqual(Array.from(unpackArray(frame.actions, "actions")));
    }
    const coordination = recordRandomEpisodes(
      new NetworkedCoordination({ numAgents: 6, gridColumns: 3 }),
      () => 0,
    );
    const grid = unpackArray((coordination.replay.scene as GraphScene).nodePosition, "nodePosition");
    expect(Array.from(grid)).toEqual([0, 0, 1, 0, 2, 0, 0, -1, 1, -1, 2, -1]);
    expect(coordination.replay.episodes[0].frames[0].graphs?.env.label).toBe("neighbours");
  });
});
