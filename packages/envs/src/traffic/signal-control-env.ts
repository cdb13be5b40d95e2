/**
 * # CityFlow traffic-signal control (CoLight / LToS conventions)
 *
 * | | |
 * |---|---|
 * | Agents | one per real (non-virtual) intersection, in roadnet file order |
 * | Actions | `Discrete(4)` (phases WSES, NSSS, WLEL, NLSL) or `Discrete(8)` (plus all-W, all-E, all-S, all-N), `numPhases` |
 * | Observation | 20 floats: current phase as 8 bits [WL, WS, EL, ES, NL, NS, SL, SS] + vehicle counts of the 12 entering lanes, approaches W, E, N, S × lanes 0, 1, 2 (`Box([20], 0, ∞)`) |
 * | Reward | −0.25 × Σ waiting vehicles (speed < 0.1 m/s) on the agent's 12 entering lanes, averaged over the 10 s of the decision window |
 * | Decision | every 10 s of simulation; a phase change first shows 5 s of the yellow phase (right turns only) |
 * | Termination | none; truncated after 3600 s (360 decisions) |
 * | Graph | `adjacency: "distance"` (CoLight, default): the 4 nearest other agents by Euclidean distance (top-5 with self); `"road"` (LToS): agents joined by a road |
 * | Info | `averageTravelTime` (CityFlow's metric so far), `vehiclesFinished`, `vehiclesCreated` |
 * | Source | `wingsweihua/colight` (04440b7) `anon_env.py`, `config.py`, `construct_sample.py`; `zhuliwen/RoadnetSZ` (80a27859) `code/LToS/`; spec §1.6 |
 *
 * Scenario: CityFlow files (`config`, or `roadnet` + `flow`) or a generated grid (`grid: "RxC"`,
 * CityFlow's generator conventions, `gridOptions`). The engine runs in controlled mode.
 *
 * Phases are found from the file's contents, never from hard-coded indices: each agent's roadLinks
 * are classified by approach (direction of the incoming road's last segment) and movement, and action
 * k selects the file phase whose non-right-turn green set is CoLight's k-th phase (for the standard
 * 9-phase files this is phase k+1, as `DIC_PHASE_MAP`). Where no phase matches (unusual user files),
 * action k falls back to the k-th phase that is not yellow. The yellow phase is the one that lets
 * only right turns go; an intersection without one shows all red for the yellow time. Missing
 * approaches or lanes read as 0 in the observation. Initial phase = action 0's phase (CoLight sets 1).
 */
import { z } from "zod";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { createRng, type Rng } from "../random/rng.js";
import type { TrafficScene, TrafficState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import { type FlowSpec, parseFlows, parseRoadnet } from "./cityflow-files.js";
import { generateGridScenario, parseGridSize } from "./grid-scenario.js";
import { loadCityFlowScenario, loadRoadnetAndFlows } from "./load-cityflow-scenario.js";
import { RoadNetwork } from "./road-network.js";
import { TrafficEngine } from "./traffic-engine.js";
import { buildTrafficScene, buildTrafficState } from "./traffic-replay.js";

const optionsSchema = z
  .object({
    /** Path of a CityFlow `config.json` (its roadnet, flow, interval and seed are used). */
    config: z.string().optional(),
    /** Path of a CityFlow `roadnet.json` (with `flow`). */
    roadnet: z.string().optional(),
    /** Path of a CityFlow `flow.json` (with `roadnet`). */
    flow: z.string().optional(),
    /** A generated grid "RxC" when no files are given. */
    grid: z.string().default("4x4"),
    /** Generator options for `grid` (see `generateGridScenario`; rows/columns come from `grid`). */
    gridOptions: z.record(z.string(), z.unknown()).default({}),
    /** Actions per agent: CoLight's 4 phases or all 8. */
    numPhases: z.union([z.literal(4), z.literal(8)]).default(4),
    /** Seconds between decisions (`MIN_ACTION_TIME`). */
    decisionSeconds: z.number().int().min(1).default(10),
    /** Seconds of yellow before a new phase (`YELLOW_TIME`). */
    yellowSeconds: z.number().int().min(0).default(5),
    /** Simulated seconds per episode (`RUN_COUNTS`). */
    episodeSeconds: z.number().int().min(1).default(3600),
    /** Reward weight of the waiting count (`DIC_REWARD_INFO`). */
    waitingWeight: z.number().default(-0.25),
    /** Neighbour graph: CoLight's nearest by distance or LToS's road connections. */
    adjacency: z.enum(["distance", "road"]).default("distance"),
    /** CoLight's `TOP_K_ADJACENCY` (self included, so topK − 1 neighbours). */
    topK: z.number().int().min(1).default(5),
  })
  .strict();

export type SignalControlOptions = z.input<typeof optionsSchema>;

/** Movement slots of the 8-bit phase code: [WL, WS, EL, ES, NL, NS, SL, SS]. */
const APPROACH_W = 0;
const APPROACH_E = 1;
const APPROACH_N = 2;
const APPROACH_S = 3;
/** CoLight's 8 phases as (approach, isLeft) movement sets. */
const COLIGHT_PHASES: readonly (readonly [number, boolean][])[] = [
  [
    [APPROACH_W, false],
    [APPROACH_E, false],
  ],
  [
    [APPROACH_N, false],
    [APPROACH_S, false],
  ],
  [
    [APPROACH_W, true],
    [APPROACH_E, true],
  ],
  [
    [APPROACH_N, true],
    [APPROACH_S, true],
  ],
  [
    [APPROACH_W, false],
    [APPROACH_W, true],
  ],
  [
    [APPROACH_E, false],
    [APPROACH_E, true],
  ],
  [
    [APPROACH_S, false],
    [APPROACH_S, true],
  ],
  [
    [APPROACH_N, false],
    [APPROACH_N, true],
  ],
];

export class SignalControlEnv implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  readonly network: RoadNetwork;
  readonly engine: TrafficEngine;
  /** Intersection index of each agent. */
  readonly agentIntersections: Int32Array;

  private readonly options: z.output<typeof optionsSchema>;
  private rng: Rng;
  /** File phase selected by action k of agent i at [i·A + k]. */
  private readonly actionPhase: Int32Array;
  private readonly yellowPhase: Int32Array;
  /** 8-bit code of each file phase, per agent: phaseCode[(phaseStart + p) · 8 + bit]. */
  private readonly phaseCode: Uint8Array;
  /** 12 entering lanes per agent (−1 where missing). */
  private readonly enteringLanes: Int32Array;
  private readonly currentAction: Int32Array;
  private readonly inYellow: Uint8Array;
  private readonly phaseSeconds: Int32Array;
  private readonly obs: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: EnvInfos = {};
  private readonly agentGraph: AgentGraph;
  private decisions = 0;
  private needsReset = true;

  constructor(options: SignalControlOptions = {}, rng: Rng = createRng(0)) {
    const o = parseOptions(optionsSchema, options, "cityflow/signal-control options");
    this.options = o;
    this.rng = rng;
    let flows: FlowSpec[];
    let network: RoadNetwork;
    let interval = 1;
    if (o.config !== undefined) {
      if (o.roadnet !== undefined || o.flow !== undefined) {
        throw new RangeError(
          "cityflow/signal-control options: give either config or roadnet + flow, not both",
        );
      }
      const scenario = loadCityFlowScenario(o.config);
      network = scenario.network;
      flows = scenario.flows;
      interval = scenario.config.interval;
    } else if (o.roadnet !== undefined || o.flow !== undefined) {
      if (o.roadnet === undefined || o.flow === undefined) {
        throw new RangeError("cityflow/signal-control options: roadnet and flow must be given together");
      }
      ({ network, flows } = loadRoadnetAndFlows(o.roadnet, o.flow));
    } else {
      const size = parseGridSize(o.grid);
      const scenario = generateGridScenario({ ...o.gridOptions, ...size } as Parameters<
        typeof generateGridScenario
      >[0]);
      const roadnet = parseRoadnet(scenario.roadnet, `grid ${o.grid}`);
      network = new RoadNetwork(roadnet);
      flows = parseFlows(scenario.flows, roadnet, `grid ${o.grid} flows`);
    }
    if (interval !== 1) {
      throw new RangeError(
        `cityflow/signal-control: config interval = ${interval}; the wrapper needs 1 s steps`,
      );
    }
    this.network = network;
    this.engine = new TrafficEngine(network, flows, { interval: 1, rlTrafficLight: true });
    const agents: number[] = [];
    for (let i = 0; i < network.numIntersections; i++) if (!network.intersectionVirtual[i]) agents.push(i);
    if (agents.length === 0)
      throw new RangeError("cityflow/signal-control: the roadnet has no real intersection");
    const n = agents.length;
    this.numAgents = n;
    this.agentIntersections = Int32Array.from(agents);
    const numActions = o.numPhases;
    this.actionPhase = new Int32Array(n * numActions);
    this.yellowPhase = new Int32Array(n);
    this.phaseCode = new Uint8Array(network.phaseStart[network.numIntersections] * 8);
    this.enteringLanes = new Int32Array(n * 12).fill(-1);
    agents.forEach((inter, agent) => {
      this.describeIntersection(inter, agent, numActions);
    });

    this.currentAction = new Int32Array(n);
    this.inYellow = new Uint8Array(n);
    this.phaseSeconds = new Int32Array(n);
    this.obs = new Float32Array(n * 20);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.spec = {
      id: "cityflow/signal-control",
      numAgents: n,
      obsDim: 20,
      observationSpace: new Box([20], 0, Number.POSITIVE_INFINITY),
      actionSpace: new Discrete(numActions),
      stateDim: 0,
      maxSteps: Math.ceil(o.episodeSeconds / o.decisionSeconds),
    };
    this.agentGraph = o.adjacency === "road" ? this.roadGraph() : this.distanceGraph(o.topK - 1);
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.engine.reset(this.rng.nextSeed());
    for (let agent = 0; agent < this.numAgents; agent++) {
      this.currentAction[agent] = 0;
      this.inYellow[agent] = 0;
      this.phaseSeconds[agent] = 0;
      this.engine.setPhase(this.agentIntersections[agent], this.actionPhase[agent * this.spec.actionSpace.n]);
    }
    this.decisions = 0;
    this.needsReset = false;
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.writeObservations();
    this.writeInfos();
    return { obs: this.obs, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    if (this.needsReset) {
      throw new Error("cityflow/signal-control.step: the episode is over or never started; call reset()");
    }
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const o = this.options;
    const numActions = this.spec.actionSpace.n;
    this.rewards.fill(0);
    const seconds = Math.min(o.decisionSeconds, o.episodeSeconds - this.decisions * o.decisionSeconds);
    for (let second = 0; second < seconds; second++) {
      for (let agent = 0; agent < this.numAgents; agent++) {
        const inter = this.agentIntersections[agent];
        if (this.inYellow[agent]) {
          // anon_env `_set_signal`: after the yellow time the requested phase is set.
          if (this.phaseSeconds[agent] >= o.yellowSeconds) {
            this.engine.setPhase(inter, this.actionPhase[agent * numActions + this.currentAction[agent]]);
            this.inYellow[agent] = 0;
            this.phaseSeconds[agent] = 0;
          }
        } else if (actions[agent] !== this.currentAction[agent]) {
          this.currentAction[agent] = actions[agent];
          if (o.yellowSeconds > 0) {
            this.engine.setPhase(inter, this.yellowPhase[agent]);
            this.inYellow[agent] = 1;
          } else this.engine.setPhase(inter, this.actionPhase[agent * numActions + actions[agent]]);
          this.phaseSeconds[agent] = 0;
        }
      }
      this.engine.nextStep();
      for (let agent = 0; agent < this.numAgents; agent++) {
        this.phaseSeconds[agent]++;
        let waiting = 0;
        for (let k = 0; k < 12; k++) {
          const lane = this.enteringLanes[agent * 12 + k];
          if (lane >= 0) waiting += this.engine.laneWaitingCount(lane);
        }
        this.rewards[agent] += (o.waitingWeight * waiting) / seconds;
      }
    }
    this.decisions++;
    if (this.decisions >= this.spec.maxSteps) {
      this.truncated.fill(1);
      this.needsReset = true;
    }
    this.writeObservations();
    this.writeInfos();
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

  private writeInfos(): void {
    this.infos.averageTravelTime = this.engine.averageTravelTime();
    this.infos.vehiclesFinished = this.engine.vehiclesFinished;
    this.infos.vehiclesCreated = this.engine.vehiclesCreated;
  }

  private writeObservations(): void {
    const net = this.network;
    for (let agent = 0; agent < this.numAgents; agent++) {
      const inter = this.agentIntersections[agent];
      const base = agent * 20;
      const phase = this.engine.phase(inter);
      for (let bit = 0; bit < 8; bit++) {
        this.obs[base + bit] = phase < 0 ? 0 : this.phaseCode[(net.phaseStart[inter] + phase) * 8 + bit];
      }
      for (let k = 0; k < 12; k++) {
        const lane = this.enteringLanes[agent * 12 + k];
        this.obs[base + 8 + k] = lane >= 0 ? this.engine.laneVehicleCount(lane) : 0;
      }
    }
  }

  /** Approaches, entering lanes, phase codes, action phases and yellow of one intersection. */
  private describeIntersection(inter: number, agent: number, numActions: number): void {
    const net = this.network;
    const spec = net.spec.intersections[inter];
    const approachOfRoad = (road: number): number => {
      const points = net.spec.roads[road].points;
      const dx = points[points.length - 1].x - points[points.length - 2].x;
      const dy = points[points.length - 1].y - points[points.length - 2].y;
      if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? APPROACH_W : APPROACH_E;
      return dy > 0 ? APPROACH_S : APPROACH_N;
    };
    // Entering lanes in CoLight's order W, E, N, S, lanes 0, 1, 2.
    const seen = [false, false, false, false];
    for (const road of spec.roads) {
      if (net.roadEndIntersection[road] !== inter) continue;
      const approach = approachOfRoad(road);
      if (seen[approach]) continue;
      seen[approach] = true;
      const first = net.roadLaneStart[road];
      const count = Math.min(3, net.roadLaneStart[road + 1] - first);
      for (let k = 0; k < count; k++) this.enteringLanes[agent * 12 + approach * 3 + k] = first + k;
    }
    // Movement bit of each roadLink: [WL, WS, EL, ES, NL, NS, SL, SS], −1 for right turns.
    const linkBit = spec.roadLinks.map((link) => {
      if (link.type === "turn_right") return -1;
      return approachOfRoad(link.startRoad) * 2 + (link.type === "turn_left" ? 0 : 1);
    });
    const numPhases = spec.lightPhases.length;
    const phaseSets: string[] = [];
    let yellow = -1;
    for (let p = 0; p < numPhases; p++) {
      const code = new Uint8Array(8);
      for (const index of spec.lightPhases[p].availableRoadLinks)
        if (linkBit[index] >= 0) code[linkBit[index]] = 1;
      this.phaseCode.set(code, (net.phaseStart[inter] + p) * 8);
      phaseSets.push(code.join(""));
      if (yellow < 0 && !code.includes(1)) yellow = p;
    }
    this.yellowPhase[agent] = yellow;
    const nonYellow: number[] = [];
    for (let p = 0; p < numPhases; p++) if (p !== yellow) nonYellow.push(p);
    for (let k = 0; k < numActions; k++) {
      const code = new Uint8Array(8);
      for (const [approach, left] of COLIGHT_PHASES[k]) code[approach * 2 + (left ? 0 : 1)] = 1;
      let phase = phaseSets.indexOf(code.join(""));
      if (phase < 0) phase = nonYellow[k] ?? -1;
      if (phase < 0) {
        throw new RangeError(
          `cityflow/signal-control: intersection ${spec.id} has ${nonYellow.length} non-yellow phases; numPhases = ${numActions} needs ${numActions}`,
        );
      }
      this.actionPhase[agent * numActions + k] = phase;
    }
  }

  replayScene(): TrafficScene {
    return buildTrafficScene(this.network, this.agentIntersections);
  }

  replayState(): TrafficState {
    return buildTrafficState(this.engine);
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** LToS: agents joined by a road (either direction), excluding self. */
  private roadGraph(): AgentGraph {
    const net = this.network;
    const agentOf = new Int32Array(net.numIntersections).fill(-1);
    this.agentIntersections.forEach((inter, agent) => {
      agentOf[inter] = agent;
    });
    const edges = new Set<string>();
    const pairs: [number, number][] = [];
    for (let r = 0; r < net.numRoads; r++) {
      const a = agentOf[net.roadStartIntersection[r]];
      const b = agentOf[net.roadEndIntersection[r]];
      if (a < 0 || b < 0 || a === b) continue;
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      if (edges.has(key)) continue;
      edges.add(key);
      pairs.push([a, b]);
    }
    return AgentGraph.fromEdges(this.numAgents, pairs);
  }

  /** CoLight: each agent hears its k nearest other agents by Euclidean distance. */
  private distanceGraph(k: number): AgentGraph {
    const n = this.numAgents;
    const degree = Math.min(k, n - 1);
    const sources: number[] = [];
    const targets: number[] = [];
    const x = this.agentIntersections.map((inter) => this.network.intersectionX[inter]);
    const y = this.agentIntersections.map((inter) => this.network.intersectionY[inter]);
    for (let i = 0; i < n; i++) {
      const others = [...Array(n).keys()]
        .filter((j) => j !== i)
        .sort((a, b) => Math.hypot(x[a] - x[i], y[a] - y[i]) - Math.hypot(x[b] - x[i], y[b] - y[i]) || a - b);
      for (let e = 0; e < degree; e++) {
        sources.push(others[e]);
        targets.push(i);
      }
    }
    return AgentGraph.fromEdges(n, { sources, targets }, { directed: true });
  }
}
