/**
 * # DIALS traffic grid (keep/switch lights, bitmap observations, local simulators)
 *
 * | | |
 * |---|---|
 * | Agents | one per intersection of an R×C grid (DIALS: 2x2, 5x5, 7x7, 10x10) |
 * | Actions | `Discrete(2)`: 0 keep, 1 switch (3 s of yellow, then the other direction's green); actions during yellow are ignored |
 * | Observation | 40 bits: for the incoming edges from W, S, E, N, occupancy of 10 m cells 0…8 from the junction (cell 9, the entry zone, is the influence source and is dropped), then the light one-hot (3 = N–S green, 2 = N–S yellow, 1 = E–W yellow, 0 = E–W green) |
 * | Reward | mean speed of the vehicles on the 4 incoming edges / 10 m/s (0 when empty) |
 * | Termination | none; truncated after 300 steps (1 s each) |
 * | Demand | every boundary entry edge: a vehicle with probability 0.1 per second, going straight across the grid |
 * | Graph | grid 4-neighbourhood |
 * | Local view | d-set = the 36 edge bits; influence sources = the 4 entry cells (`numSources 4`, `numValues 2`); the local simulator is a 1×1 grid that inserts a vehicle at 6 m (speed 9.5, or 3 when the edge holds more than 8) on each edge whose source is 1 and whose entry cell is free (`localInsertion: "source-onset"`: only where the source was 0 the step before) |
 * | Source | `INFLUENCEorg/DIALS` (d08e915) `simulators/traffic/traffic/envs/{global_traffic.py, local_traffic.py}`, `INFLUENCEorg/flow` (90a97326) `flow/envs/traffic_light_grid.py`; spec §7 |
 *
 * DIALS runs SUMO (IDM car following); this port uses NetMARL's CityFlow engine with DIALS's
 * parameters (100 m single-lane edges, 10 m/s, accel 2.6, decel 7.5, min gap 2.5, length 5,
 * tau 1), as the spec recommends. Yellow is CityFlow's red with its "cannot stop, goes on" rule.
 * Junctions are 4 m wide (CityFlow needs a lane link); blocks are 108 m so every edge is 100 m.
 * Entry vehicles are inserted at 0 m at 10 m/s when the edge's last vehicle is 20 m ahead,
 * otherwise they queue in CityFlow's waiting buffer. All lights are learning agents (the final
 * DIALS commit drives non-learners by SUMO's actuated logic; the spec asks for the RL version).
 */
import { z } from "zod";
import type { LocalSimulator, LocalView } from "../env/local-view.js";
import type { Actions, EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { createRng, type Rng } from "../random/rng.js";
import type { TrafficScene, TrafficState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import { parseFlows, parseRoadnet, type VehicleParameters } from "./cityflow-files.js";
import { RoadNetwork } from "./road-network.js";
import { TrafficEngine } from "./traffic-engine.js";
import { buildTrafficScene, buildTrafficState } from "./traffic-replay.js";

const optionsSchema = z
  .object({
    /** Rows of intersections. */
    rows: z.number().int().min(1).max(40).default(2),
    /** Columns of intersections. */
    columns: z.number().int().min(1).max(40).default(2),
    /** Probability of a new vehicle per boundary entry edge per second (`probability`). */
    inflowProbability: z.number().min(0).max(1).default(0.1),
    /** Yellow seconds after a switch (`switch_time`). */
    yellowSeconds: z.number().int().min(1).default(3),
    /** Steps per episode (`horizon`). */
    maxSteps: z.number().int().min(1).default(300),
    /**
     * When the local simulator inserts a vehicle: `"every-source"` (DIALS' `local_traffic.py`) on
     * every step whose source is 1; `"source-onset"` only where the source turns from 0 to 1 — a
     * vehicle that stays in the entry cell for consecutive steps is one vehicle, not several.
     */
    localInsertion: z.enum(["every-source", "source-onset"]).default("every-source"),
  })
  .strict();

export type DialsTrafficOptions = z.input<typeof optionsSchema>;

const EDGE_LENGTH = 100;
const JUNCTION_WIDTH = 4;
const CELL_LENGTH = 10;
const CELLS = 10;
const SPEED_LIMIT = 10;
const OBS_DIM = 40;
const LOCAL_STATE_DIM = 36;
const DIALS_VEHICLE: VehicleParameters = {
  length: 5,
  width: 2,
  maxPosAcc: 2.6,
  maxNegAcc: 7.5,
  usualPosAcc: 2.6,
  usualNegAcc: 7.5,
  minGap: 2.5,
  maxSpeed: 10,
  headwayTime: 1,
};
/** Approach order of the observation: from W, S, E, N (`node_mapping`). Direction d of the edge: E, N, W, S. */
const APPROACH_DIRECTIONS = [0, 1, 2, 3];
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

/** The grid world shared by the global environment and the local simulators. */
class DialsGrid {
  readonly network: RoadNetwork;
  readonly engine: TrafficEngine;
  readonly numAgents: number;
  readonly rows: number;
  readonly columns: number;
  readonly agentIntersections: Int32Array;
  /** Incoming lane of agent a from approach k at [4a + k] (−1 if none). */
  readonly incomingLanes: Int32Array;
  /** Boundary entry lanes and the straight route starting on each. */
  readonly entryLanes: Int32Array;
  readonly entryRoutes: Int32Array;
  /** Straight route starting on each agent's incoming lane, [4a + k] (for local insertions). */
  readonly incomingRoutes: Int32Array;
  readonly vehicleType: number;
  /** Light state: direction 0 = N–S green, 1 = E–W green; yellow flag; seconds in yellow. */
  readonly direction: Uint8Array;
  readonly yellow: Uint8Array;
  readonly lastChange: Int32Array;
  private readonly distances = new Float64Array(64);

  constructor(rows: number, columns: number) {
    this.rows = rows;
    this.columns = columns;
    const block = EDGE_LENGTH + 2 * JUNCTION_WIDTH;
    const outer = EDGE_LENGTH + JUNCTION_WIDTH;
    const coordinate = (index: number, count: number) =>
      index === 0 ? -outer : index === count + 1 ? (count - 1) * block + outer : (index - 1) * block;
    const real = (x: number, y: number) => x >= 1 && x <= columns && y >= 1 && y <= rows;
    const exists = (x: number, y: number) =>
      x >= 0 &&
      y >= 0 &&
      x <= columns + 1 &&
      y <= rows + 1 &&
      (real(x, y) || x === 0 || y === 0 || x === columns + 1 || y === rows + 1) &&
      !((x === 0 || x === columns + 1) && (y === 0 || y === rows + 1));
    const roads: Record<string, unknown>[] = [];
    const roadOf = (x: number, y: number, d: number) => `road_${x}_${y}_${d}`;
    for (let y = 0; y <= rows + 1; y++) {
      for (let x = 0; x <= columns + 1; x++) {
        if (!exists(x, y)) continue;
        for (let d = 0; d < 4; d++) {
          const nx = x + DX[d];
          const ny = y + DY[d];
          if (!exists(nx, ny) || !(real(x, y) || real(nx, ny))) continue;
          roads.push({
            id: roadOf(x, y, d),
            startIntersection: `intersection_${x}_${y}`,
            endIntersection: `intersection_${nx}_${ny}`,
            points: [
              { x: coordinate(x, columns), y: coordinate(y, rows) },
              { x: coordinate(nx, columns), y: coordinate(ny, rows) },
            ],
            lanes: [{ width: 4, maxSpeed: SPEED_LIMIT }],
          });
        }
      }
    }
    const roadIds = new Set(roads.map((r) => r.id as string));
    const intersections: Record<string, unknown>[] = [];
    for (let y = 0; y <= rows + 1; y++) {
      for (let x = 0; x <= columns + 1; x++) {
        if (!exists(x, y)) continue;
        const incoming: string[] = [];
        const outgoing: string[] = [];
        for (let d = 0; d < 4; d++) {
          const from = roadOf(x - DX[d], y - DY[d], d);
          if (roadIds.has(from)) incoming.push(from);
          const to = roadOf(x, y, d);
          if (roadIds.has(to)) outgoing.push(to);
        }
        if (!real(x, y)) {
          intersections.push({
            id: `intersection_${x}_${y}`,
            point: { x: coordinate(x, columns), y: coordinate(y, rows) },
            width: 0,
            roads: [...incoming, ...outgoing],
            roadLinks: [],
            virtual: true,
          });
          continue;
        }
        // roadLink k = straight link of direction k (0 E-bound, 1 N-bound, 2 W-bound, 3 S-bound).
        const roadLinks = [0, 1, 2, 3].map((d) => ({
          type: "go_straight",
          startRoad: roadOf(x - DX[d], y - DY[d], d),
          endRoad: roadOf(x, y, d),
          laneLinks: [{ startLaneIndex: 0, endLaneIndex: 0 }],
        }));
        intersections.push({
          id: `intersection_${x}_${y}`,
          point: { x: coordinate(x, columns), y: coordinate(y, rows) },
          width: JUNCTION_WIDTH,
          roads: [...incoming, ...outgoing],
          roadLinks,
          trafficLight: {
            lightphases: [
              { time: 30, availableRoadLinks: [1, 3] },
              { time: 30, availableRoadLinks: [0, 2] },
            ],
          },
          virtual: false,
        });
      }
    }
    const spec = parseRoadnet({ intersections, roads }, `dials grid ${rows}x${columns}`);
    this.network = new RoadNetwork(spec);
    this.engine = new TrafficEngine(this.network, parseFlows([], spec), { rlTrafficLight: true });
    this.vehicleType = this.engine.addVehicleType(DIALS_VEHICLE);
    const net = this.network;
    const straightRoute = (x0: number, y0: number, d: number): number[] => {
      const route: number[] = [];
      let x = x0;
      let y = y0;
      while (roadIds.has(roadOf(x, y, d))) {
        route.push(net.roadIndex(roadOf(x, y, d)));
        x += DX[d];
        y += DY[d];
      }
      return route;
    };
    this.numAgents = rows * columns;
    this.agentIntersections = new Int32Array(this.numAgents);
    this.incomingLanes = new Int32Array(this.numAgents * 4).fill(-1);
    this.incomingRoutes = new Int32Array(this.numAgents * 4).fill(-1);
    // Agent k = row · C + column, counted from the bottom left (DIALS `center{k}`).
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const agent = row * columns + column;
        const x = column + 1;
        const y = row + 1;
        this.agentIntersections[agent] = net.intersectionIndex(`intersection_${x}_${y}`);
        APPROACH_DIRECTIONS.forEach((d, k) => {
          const road = net.roadIndex(roadOf(x - DX[d], y - DY[d], d));
          this.incomingLanes[agent * 4 + k] = net.roadLaneStart[road];
          this.incomingRoutes[agent * 4 + k] = this.engine.addRoute(straightRoute(x - DX[d], y - DY[d], d));
        });
      }
    }
    const entries: number[] = [];
    const entryRoutes: number[] = [];
    for (let y = 1; y <= rows; y++) {
      for (const [x0, d] of [
        [0, 0],
        [columns + 1, 2],
      ]) {
        entries.push(net.roadLaneStart[net.roadIndex(roadOf(x0, y, d))]);
        entryRoutes.push(this.engine.addRoute(straightRoute(x0, y, d)));
      }
    }
    for (let x = 1; x <= columns; x++) {
      for (const [y0, d] of [
        [0, 1],
        [rows + 1, 3],
      ]) {
        entries.push(net.roadLaneStart[net.roadIndex(roadOf(x, y0, d))]);
        entryRoutes.push(this.engine.addRoute(straightRoute(x, y0, d)));
      }
    }
    this.entryLanes = Int32Array.from(entries);
    this.entryRoutes = Int32Array.from(entryRoutes);
    this.direction = new Uint8Array(this.numAgents);
    this.yellow = new Uint8Array(this.numAgents);
    this.lastChange = new Int32Array(this.numAgents);
  }

  reset(seed: number): void {
    this.engine.reset(seed);
    this.direction.fill(0);
    this.yellow.fill(0);
    this.lastChange.fill(0);
    for (let a = 0; a < this.numAgents; a++) this.engine.setPhase(this.agentIntersections[a], 0);
  }

  /** `TrafficLightGridEnv._apply_rl_actions` (discrete) for one agent. */
  applyAction(agent: number, action: number, yellowSeconds: number): void {
    const inter = this.agentIntersections[agent];
    if (this.yellow[agent]) {
      this.lastChange[agent]++;
      if (this.lastChange[agent] >= yellowSeconds) {
        this.engine.setPhase(inter, this.direction[agent]);
        this.yellow[agent] = 0;
      }
    } else if (action === 1) {
      this.engine.setPhase(inter, -1);
      this.lastChange[agent] = 0;
      this.direction[agent] = 1 - this.direction[agent];
      this.yellow[agent] = 1;
    }
  }

  /** Writes the 40-bit observation of an agent; returns the 4 entry-cell bits in `sources`. */
  observe(agent: number, out: Float32Array, offset: number, sources?: Int32Array): void {
    out.fill(0, offset, offset + OBS_DIM);
    for (let k = 0; k < 4; k++) {
      const lane = this.incomingLanes[agent * 4 + k];
      const length = this.network.drivableLength[lane];
      const count = this.engine.drivableVehicleDistances(lane, this.distances);
      let entry = 0;
      for (let v = 0; v < count; v++) {
        const cell = Math.min(CELLS - 1, Math.max(0, Math.floor((length - this.distances[v]) / CELL_LENGTH)));
        if (cell === CELLS - 1) entry = 1;
        else out[offset + k * 9 + cell] = 1;
      }
      if (sources) sources[k] = entry;
    }
    // Light one-hot: 3 N–S green ("GrGr"), 2 N–S yellow, 1 E–W yellow, 0 E–W green.
    const dir = this.direction[agent];
    let index: number;
    if (this.yellow[agent])
      index = dir === 1 ? 2 : 1; // switching away from N–S shows "yryr"
    else index = dir === 0 ? 3 : 0;
    out[offset + 36 + index] = 1;
  }

  /** Mean speed on the 4 incoming edges / 10 m/s. */
  reward(agent: number): number {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < 4; k++) {
      const lane = this.incomingLanes[agent * 4 + k];
      sum += this.engine.drivableSpeedSum(lane);
      count += this.engine.laneVehicleCount(lane);
    }
    return count === 0 ? 0 : sum / count / SPEED_LIMIT;
  }

  /** New vehicle on an entry lane: straight onto the edge at 10 m/s if there is room, else queued. */
  enter(lane: number, route: number): void {
    if (!this.engine.insertVehicle(route, this.vehicleType, lane, 0, SPEED_LIMIT, 20)) {
      this.engine.spawnVehicle(route, this.vehicleType);
    }
  }
}

export class DialsTrafficEnv implements MultiAgentEnv, LocalView, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  readonly localStateDim = LOCAL_STATE_DIM;
  private readonly options: z.output<typeof optionsSchema>;
  private readonly grid: DialsGrid;
  private rng: Rng;
  private readonly obs: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly sources: Int32Array;
  private readonly infos: EnvInfos = {};
  private readonly agentGraph: AgentGraph;
  private stepCount = 0;
  private needsReset = true;

  constructor(options: DialsTrafficOptions = {}, rng: Rng = createRng(0)) {
    const o = parseOptions(optionsSchema, options, "dials/traffic options");
    this.options = o;
    this.rng = rng;
    this.grid = new DialsGrid(o.rows, o.columns);
    const n = this.grid.numAgents;
    this.numAgents = n;
    this.obs = new Float32Array(n * OBS_DIM);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.sources = new Int32Array(n * 4);
    this.spec = {
      id: "dials/traffic",
      numAgents: n,
      obsDim: OBS_DIM,
      observationSpace: new Box([OBS_DIM], 0, 1),
      actionSpace: new Discrete(2),
      stateDim: 0,
      maxSteps: o.maxSteps,
    };
    const edges: [number, number][] = [];
    for (let row = 0; row < o.rows; row++) {
      for (let column = 0; column < o.columns; column++) {
        const agent = row * o.columns + column;
        if (column + 1 < o.columns) edges.push([agent, agent + 1]);
        if (row + 1 < o.rows) edges.push([agent, agent + o.columns]);
      }
    }
    this.agentGraph = AgentGraph.fromEdges(n, edges);
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.grid.reset(this.rng.nextSeed());
    this.stepCount = 0;
    this.needsReset = false;
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.observeAll();
    this.infos.averageTravelTime = 0;
    return { obs: this.obs, infos: this.infos };
  }

  step(actions: Actions): StepResult {
    if (this.needsReset)
      throw new Error("dials/traffic.step: the episode is over or never started; call reset()");
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const grid = this.grid;
    for (let a = 0; a < this.numAgents; a++) grid.applyAction(a, actions[a], this.options.yellowSeconds);
    for (let e = 0; e < grid.entryLanes.length; e++) {
      if (this.rng.uniform() < this.options.inflowProbability)
        grid.enter(grid.entryLanes[e], grid.entryRoutes[e]);
    }
    grid.engine.nextStep();
    this.observeAll();
    for (let a = 0; a < this.numAgents; a++) this.rewards[a] = grid.reward(a);
    this.stepCount++;
    if (this.stepCount >= this.options.maxSteps) {
      this.truncated.fill(1);
      this.needsReset = true;
    }
    this.infos.averageTravelTime = grid.engine.averageTravelTime();
    return {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  graph(): AgentGraph {
    return this.agentGraph;
  }

  /** The global simulator's engine (live; for reading its state). */
  get engine(): TrafficEngine {
    return this.grid.engine;
  }

  replayScene(): TrafficScene {
    return buildTrafficScene(this.grid.network, this.grid.agentIntersections);
  }

  replayState(): TrafficState {
    return buildTrafficState(this.grid.engine);
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  influenceSpec(_agent: number) {
    return { numSources: 4, numValues: 2 };
  }

  localState(agent: number, out: Float32Array = new Float32Array(LOCAL_STATE_DIM)): Float32Array {
    out.set(this.obs.subarray(agent * OBS_DIM, agent * OBS_DIM + LOCAL_STATE_DIM));
    return out;
  }

  influenceSources(agent: number, out: Int32Array = new Int32Array(4)): Int32Array {
    out.set(this.sources.subarray(agent * 4, agent * 4 + 4));
    return out;
  }

  createLocalSimulator(agent: number, rng: Rng = createRng(0)): LocalSimulator {
    if (!Number.isInteger(agent) || agent < 0 || agent >= this.numAgents) {
      throw new RangeError(
        `dials/traffic.createLocalSimulator: agent ${agent} outside [0, ${this.numAgents})`,
      );
    }
    return new DialsLocalSimulator(this.options, rng);
  }

  private observeAll(): void {
    for (let a = 0; a < this.numAgents; a++)
      this.grid.observe(a, this.obs, a * OBS_DIM, this.sources.subarray(a * 4));
  }
}

/**
 * DIALS' influence-augmented local simulator: one intersection (a 1×1 grid, same geometry) with no
 * inflows of its own; after each step, every incoming edge whose influence source is 1 gets a
 * vehicle at 6 m (9.5 m/s, or 3 m/s when the edge already holds more than 8 vehicles) if its entry
 * cell is free, so the region's entry cells follow the sources it is fed.
 */
export class DialsLocalSimulator implements LocalSimulator {
  readonly spec;
  readonly influenceSpec = { numSources: 4, numValues: 2 };
  private readonly grid: DialsGrid;
  private readonly options: z.output<typeof optionsSchema>;
  private rng: Rng;
  private readonly obs = new Float32Array(OBS_DIM);
  private readonly rewards = new Float32Array(1);
  private readonly terminated = new Uint8Array(1);
  private readonly truncated = new Uint8Array(1);
  private readonly infos: EnvInfos = {};
  private readonly distances = new Float64Array(64);
  /** The sources fed at the previous step (for `localInsertion: "source-onset"`). */
  private readonly previousInfluence = new Int32Array(4);
  private stepCount = 0;
  private needsReset = true;

  constructor(options: z.output<typeof optionsSchema>, rng: Rng) {
    this.options = options;
    this.rng = rng;
    this.grid = new DialsGrid(1, 1);
    this.spec = {
      id: "dials/traffic-local",
      numAgents: 1,
      obsDim: OBS_DIM,
      observationSpace: new Box([OBS_DIM], 0, 1),
      actionSpace: new Discrete(2),
      stateDim: 0,
      maxSteps: options.maxSteps,
    };
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.grid.reset(this.rng.nextSeed());
    this.stepCount = 0;
    this.needsReset = false;
    this.previousInfluence.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.grid.observe(0, this.obs, 0);
    return { obs: this.obs, infos: this.infos };
  }

  step(action: Actions, influence: Int32Array): StepResult {
    if (this.needsReset)
      throw new Error("dials/traffic-local.step: the episode is over or never started; call reset()");
    validateActions(this.spec.id, this.spec.actionSpace, 1, action);
    if (influence == null || influence.length !== 4) {
      throw new RangeError(`dials/traffic-local.step: influence must hold 4 values (one per incoming edge)`);
    }
    for (let k = 0; k < 4; k++) {
      const value = influence[k];
      if (value !== 0 && value !== 1) {
        throw new RangeError(`dials/traffic-local.step: influence[${k}] = ${value}; expected 0 or 1`);
      }
    }
    const grid = this.grid;
    grid.applyAction(0, action[0], this.options.yellowSeconds);
    grid.engine.nextStep();
    const onsetOnly = this.options.localInsertion === "source-onset";
    for (let k = 0; k < 4; k++) {
      const value = influence[k];
      const onset = this.previousInfluence[k] === 0;
      this.previousInfluence[k] = value;
      if (value === 0 || (onsetOnly && !onset)) continue;
      const lane = grid.incomingLanes[k];
      const count = grid.engine.drivableVehicleDistances(lane, this.distances);
      // entry cell = the first 10 m of the edge: skip when a vehicle is already there
      if (count > 0 && this.distances[count - 1] - DIALS_VEHICLE.length < CELL_LENGTH) continue;
      const speed = count > 8 ? 3 : 9.5;
      grid.engine.insertVehicle(grid.incomingRoutes[k], grid.vehicleType, lane, 6, speed, 0);
    }
    grid.observe(0, this.obs, 0);
    this.rewards[0] = grid.reward(0);
    this.stepCount++;
    if (this.stepCount >= this.options.maxSteps) {
      this.truncated[0] = 1;
      this.needsReset = true;
    }
    return {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  localState(out: Float32Array = new Float32Array(LOCAL_STATE_DIM)): Float32Array {
    out.set(this.obs.subarray(0, LOCAL_STATE_DIM));
    return out;
  }
}
