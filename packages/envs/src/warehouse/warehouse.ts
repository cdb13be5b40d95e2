/**
 * # DIALS warehouse (global simulator)
 *
 * | | |
 * |---|---|
 * | Agents | the learning robots: the inner k×k block of a (k+2)×(k+2) robot lattice — 4 (ids 5, 6, 9, 10 of 4×4), 25, 49, 100; the other robots are scripted |
 * | Actions | `Discrete(4)`: 0 UP (row − 1), 1 DOWN, 2 LEFT (col − 1), 3 RIGHT; UP/DOWN only off the domain's left/right border columns, LEFT/RIGHT only off its top/bottom rows, never onto a corner or out of the domain (an illegal move stays put) |
 * | Observation | 37: one-hot robot cell in its 5×5 domain (25, row-major) + item bits of the 12 border cells: top row cols 1..3, bottom row cols 1..3, then rows 1..3 × {left, right} (`Box([37], 0, 1)`) |
 * | State | the (4L+1)² item bitmap then the robot bitmap (`stateDim = 2 (4L+1)²`) |
 * | Reward | if the robot stands on an item of its domain (after moving): that item's waiting time / the largest waiting time of the items in its domain; else 0 |
 * | Termination | none; truncated after 100 steps |
 * | Source | `INFLUENCEorg/DIALS` (d08e915; read at 01c8be2) `simulators/warehouse/warehouse/envs/global_warehouse.py`, `robot.py`, `local_warehouse.py`, `configs/warehouse.yaml`; spec §8 |
 *
 * Layout: L×L robots on a (4L+1)² grid; robot (i, j) (id i·L + j) owns the 5×5 domain with corner
 * (4i, 4j), so neighbouring domains share a border row/column. Items appear only on shelf cells —
 * rows ≡ 0 (mod 4) at columns ≢ 0, other rows at columns ≡ 0 — each free one with probability 0.02
 * per step; they wait (waiting time + 1 per step) until a robot stands on them.
 *
 * Step order (`GlobalWarehouse.step`): all items' waiting time + 1; every robot picks an action on
 * the state before anyone moves (the scripted policy, overridden by the learners' actions); all
 * robots move; rewards; every item under any robot is removed; new items spawn; observations.
 *
 * Scripted robots (`scriptedPolicy`): the DIALS code at the commit read uses
 * `Robot.select_naive_action2` — a shortest path to the **oldest** item of the domain (ties: first
 * in creation order, i.e. row-major), or a uniform random action when there is none or the robot
 * stands on it. That is the default `"oldest-item"`. Spec §8 describes the older
 * `select_naive_action` (the **closest** item by path length, the target kept while it exists);
 * it is available as `"closest-item"`. Paths break ties as networkx does (see `warehouse-domain.ts`).
 *
 * Factorisation (DIALS, {@link LocalView}): the d-set `localState(i)` is agent i's 37-dim
 * observation; its 4 influence sources are its neighbours [right, below, left, above], each the
 * index (0..2) of the shared border cell the neighbour robot stands on after the last move, or 3
 * for none (the original's one-hot over 3 cells + none). Lattice neighbours are bounds-checked
 * (the original's `id ± 1` wraps to the next row; learners on the inner lattice never see it): a
 * missing neighbour reads 3. `createLocalSimulator(i)` simulates agent i's domain alone.
 *
 * Randomness: each shelf cell draws its spawns from its own stream, forked from a per-episode key
 * by the cell's grid index (the original draws one uniform per shelf cell per step, too). A local
 * simulator reset with the same seed draws the same spawns for its 12 cells, so fed the recorded
 * actions and influence sources it reproduces the global run's domain exactly — the factorisation
 * test. The scripted robots' random actions use a separate stream.
 *
 * `infos`: `itemsCollected` (items removed this step, all robots).
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { InfluenceSpec, LocalSimulator, LocalView } from "../env/local-view.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { createRng, type Rng } from "../random/rng.js";
import { packArray } from "../replay/packed-array.js";
import type { GridScene, GridState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import {
  DOMAIN_CELLS,
  DOMAIN_CENTRE,
  DOMAIN_SIDE,
  influenceValue,
  MOVES,
  NO_NEIGHBOUR_ON_BORDER,
  SHELF_CELLS,
  SHORTEST_PATHS,
  WAREHOUSE_NUM_ACTIONS,
  WAREHOUSE_OBS_DIM,
  writeDomainObservation,
} from "./warehouse-domain.js";
import { WarehouseLocalSimulator } from "./warehouse-local-simulator.js";

const NO_ITEM = -1;
/** Cell kinds of a warehouse replay (`GridScene.cellLegend`, index = value). */
const WAREHOUSE_CELL_LEGEND = ["floor", "shelf", "item", "agent", "scripted robot"] as const;
const WAREHOUSE_CELL = { shelf: 1, item: 2, agent: 3, scriptedRobot: 4 } as const;
const NO_TARGET = -1;
/** Influence sources per agent: its neighbours right, below, left, above. */
const NUM_SOURCES = 4;
const INFLUENCE_SPEC: InfluenceSpec = { numSources: NUM_SOURCES, numValues: 4 };

const optionsSchema = z
  .object({
    /** Learning robots N (default 4); without `learnerIds`, a square k² taking the inner k×k block. */
    numAgents: z.number().int().min(1).optional(),
    /** Robots per lattice side L (default √N + 2, the DIALS sizes 4, 7, 9, 12). */
    robotsPerSide: z.number().int().min(1).max(250).optional(),
    /** Explicit learning robot ids (i·L + j), overriding the inner block. */
    learnerIds: z.array(z.number().int().min(0)).min(1).optional(),
    /** Probability that an item appears on a free shelf cell per step (`prob_item_appears`). */
    itemProbability: z.number().min(0).max(1).default(0.02),
    /** Episode length (`n_steps_episode`). */
    maxSteps: z.number().int().min(1).default(100),
    /** Policy of the non-learning robots (see the header). */
    scriptedPolicy: z.enum(["oldest-item", "closest-item"]).default("oldest-item"),
  })
  .strict();

export type DialsWarehouseOptions = z.input<typeof optionsSchema>;

export class DialsWarehouse implements MultiAgentEnv, LocalView, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  /** Robots per lattice side L. */
  readonly robotsPerSide: number;
  /** Grid side 4L + 1. */
  readonly gridSide: number;
  /** Robot id of each learner. */
  readonly learnerIds: Int32Array;
  readonly localStateDim = WAREHOUSE_OBS_DIM;
  readonly itemProbability: number;

  private rng: Rng;
  private readonly options: z.output<typeof optionsSchema>;
  private policyRng: Rng;
  private readonly closestItemPolicy: boolean;
  private readonly numRobots: number;
  /** Learner index of each robot, or −1 for a scripted robot. */
  private readonly learnerOfRobot: Int32Array;
  /** Grid index of each robot's domain corner (4i, 4j). */
  private readonly domainBase: Int32Array;
  /** Grid offset of each local domain cell: row · gridSide + col. */
  private readonly cellOffsets: Int32Array;
  /** Local cell (0..24) of each robot. */
  private readonly robotCell: Int32Array;
  private readonly robotActions: Int32Array;
  private readonly previousTarget: Int32Array;
  /** Waiting time of the item on each grid cell, or −1. */
  private readonly itemWaiting: Int32Array;
  /** Grid index of every shelf cell, row-major (the original's spawn scan order). */
  private readonly shelfCells: Int32Array;
  private cellRngs: Rng[] = [];
  private readonly learnerGraph: AgentGraph;
  private readonly episode: EpisodeBuffers;
  private readonly obs: Float32Array;
  private readonly stateVector: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: EnvInfos;

  constructor(options: DialsWarehouseOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "dials/warehouse options");
    const { robotsPerSide, learnerIds } = resolveLayout(config);
    this.options = config;
    const side = robotsPerSide;
    this.robotsPerSide = side;
    this.numRobots = side * side;
    this.gridSide = 4 * side + 1;
    this.learnerIds = learnerIds;
    this.numAgents = learnerIds.length;
    this.itemProbability = config.itemProbability;
    this.closestItemPolicy = config.scriptedPolicy === "closest-item";
    this.rng = rng;
    this.policyRng = rng.fork("scripted-robots");
    const n = this.numAgents;
    const grid = this.gridSide;
    this.spec = {
      id: "dials/warehouse",
      numAgents: n,
      obsDim: WAREHOUSE_OBS_DIM,
      observationSpace: new Box([WAREHOUSE_OBS_DIM], 0, 1),
      actionSpace: new Discrete(WAREHOUSE_NUM_ACTIONS),
      stateDim: 2 * grid * grid,
      maxSteps: config.maxSteps,
    };
    this.learnerOfRobot = new Int32Array(this.numRobots).fill(-1);
    learnerIds.forEach((robot, learner) => {
      this.learnerOfRobot[robot] = learner;
    });
    this.domainBase = new Int32Array(this.numRobots);
    for (let robot = 0; robot < this.numRobots; robot++) {
      const i = Math.floor(robot / side);
      const j = robot % side;
      this.domainBase[robot] = 4 * i * grid + 4 * j;
    }
    this.cellOffsets = new Int32Array(DOMAIN_CELLS);
    for (let cell = 0; cell < DOMAIN_CELLS; cell++)
      this.cellOffsets[cell] = Math.floor(cell / DOMAIN_SIDE) * grid + (cell % DOMAIN_SIDE);
    this.robotCell = new Int32Array(this.numRobots);
    this.robotActions = new Int32Array(this.numRobots);
    this.previousTarget = new Int32Array(this.numRobots);
    this.itemWaiting = new Int32Array(grid * grid).fill(NO_ITEM);
    const shelves: number[] = [];
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        const shelf = row % 4 === 0 ? col % 4 !== 0 : col % 4 === 0;
        if (shelf) shelves.push(row * grid + col);
      }
    }
    this.shelfCells = Int32Array.from(shelves);
    this.learnerGraph = buildLearnerGraph(learnerIds, side);
    this.episode = new EpisodeBuffers(this.spec.id, n, this.spec.obsDim, this.spec.stateDim, {
      itemsCollected: 0,
    });
    this.obs = this.episode.obs;
    this.stateVector = this.episode.state;
    this.rewards = this.episode.rewards;
    this.terminated = this.episode.terminated;
    this.truncated = this.episode.truncated;
    this.infos = this.episode.infos;
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) {
      this.rng = createRng(seed);
      this.policyRng = this.rng.fork("scripted-robots");
    }
    const spawnRoot = createRng(this.rng.nextSeed());
    this.cellRngs = Array.from(this.shelfCells, (cell) => spawnRoot.fork(cell));
    this.robotCell.fill(DOMAIN_CENTRE);
    this.previousTarget.fill(NO_TARGET);
    this.itemWaiting.fill(NO_ITEM);
    this.spawnItems();
    this.episode.startEpisode();
    this.infos.itemsCollected = 0;
    this.writeObservations();
    return { obs: this.obs, state: this.stateVector, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const waiting = this.itemWaiting;
    for (let k = 0; k < this.shelfCells.length; k++)
      if (waiting[this.shelfCells[k]] >= 0) waiting[this.shelfCells[k]]++;
    for (let robot = 0; robot < this.numRobots; robot++) {
      const learner = this.learnerOfRobot[robot];
      this.robotActions[robot] = learner >= 0 ? actions[learner] : this.scriptedAction(robot);
    }
    for (let robot = 0; robot < this.numRobots; robot++)
      this.robotCell[robot] = MOVES[this.robotCell[robot] * WAREHOUSE_NUM_ACTIONS + this.robotActions[robot]];
    for (let learner = 0; learner < this.numAgents; learner++) this.rewards[learner] = this.rewardOf(learner);
    let collected = 0;
    for (let robot = 0; robot < this.numRobots; robot++) {
      const cell = this.domainBase[robot] + this.cellOffsets[this.robotCell[robot]];
      if (waiting[cell] >= 0) {
        waiting[cell] = NO_ITEM;
        collected++;
      }
    }
    this.spawnItems();
    this.infos.itemsCollected = collected;
    this.writeObservations();
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** Learners are linked when their domains share a border (lattice 4-neighbours). */
  graph(): AgentGraph {
    return this.learnerGraph;
  }

  influenceSpec(agent: number): InfluenceSpec {
    this.checkAgent(agent, "influenceSpec");
    return INFLUENCE_SPEC;
  }

  localState(agent: number, out: Float32Array = new Float32Array(WAREHOUSE_OBS_DIM)): Float32Array {
    this.checkAgent(agent, "localState");
    out.set(this.obs.subarray(agent * WAREHOUSE_OBS_DIM, (agent + 1) * WAREHOUSE_OBS_DIM));
    return out;
  }

  influenceSources(agent: number, out: Int32Array = new Int32Array(NUM_SOURCES)): Int32Array {
    this.checkAgent(agent, "influenceSources");
    const side = this.robotsPerSide;
    const robot = this.learnerIds[agent];
    const i = Math.floor(robot / side);
    const j = robot % side;
    // [right, below, left, above], as `_get_robot_neighbors`: id + 1, id + L, id − 1, id − L.
    out[0] = j + 1 < side ? influenceValue(0, this.robotCell[robot + 1]) : NO_NEIGHBOUR_ON_BORDER;
    out[1] = i + 1 < side ? influenceValue(1, this.robotCell[robot + side]) : NO_NEIGHBOUR_ON_BORDER;
    out[2] = j > 0 ? influenceValue(2, this.robotCell[robot - 1]) : NO_NEIGHBOUR_ON_BORDER;
    out[3] = i > 0 ? influenceValue(3, this.robotCell[robot - side]) : NO_NEIGHBOUR_ON_BORDER;
    return out;
  }

  createLocalSimulator(agent: number, rng: Rng = createRng(0)): LocalSimulator {
    this.checkAgent(agent, "createLocalSimulator");
    const base = this.domainBase[this.learnerIds[agent]];
    const streamIds = Int32Array.from(SHELF_CELLS, (cell) => base + this.cellOffsets[cell]);
    return new WarehouseLocalSimulator(
      {
        itemProbability: this.itemProbability,
        maxSteps: this.spec.maxSteps,
        cellStreamIds: Array.from(streamIds),
      },
      rng,
    );
  }

  /** The (4L+1)² grid: shelves are static; items, learning and scripted robots move. */
  replayScene(): GridScene {
    const side = this.gridSide;
    const staticCells = new Uint8Array(side * side);
    for (const cell of this.shelfCells) staticCells[cell] = WAREHOUSE_CELL.shelf;
    return {
      kind: "scene",
      family: "grid",
      width: side,
      height: side,
      cellLegend: WAREHOUSE_CELL_LEGEND,
      staticCells: packArray(staticCells),
    };
  }

  /** Cells row-major: shelves, items (with their waiting time as the cell value), robots on top. */
  replayState(): GridState {
    const side = this.gridSide;
    const cells = new Uint8Array(side * side);
    const waiting = new Float32Array(side * side).fill(-1);
    for (const cell of this.shelfCells) {
      cells[cell] = this.itemWaiting[cell] >= 0 ? WAREHOUSE_CELL.item : WAREHOUSE_CELL.shelf;
      waiting[cell] = this.itemWaiting[cell];
    }
    const agentCell = new Int32Array(this.numAgents);
    for (let robot = 0; robot < this.numRobots; robot++) {
      const cell = this.domainBase[robot] + this.cellOffsets[this.robotCell[robot]];
      const learner = this.learnerOfRobot[robot];
      cells[cell] = learner >= 0 ? WAREHOUSE_CELL.agent : WAREHOUSE_CELL.scriptedRobot;
      if (learner >= 0) agentCell[learner] = cell;
    }
    return {
      cells: packArray(cells),
      agentCell: packArray(agentCell),
      cellValue: packArray(waiting),
      cellValueName: "item waiting steps (−1 none)",
    };
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Local cell (row · 5 + col in its domain) of every robot, by robot id (a copy). */
  robotCells(): Int32Array {
    return this.robotCell.slice();
  }

  /** Number of items in agent i's domain (its 12 shelf cells). */
  itemsInDomain(agent: number): number {
    this.checkAgent(agent, "itemsInDomain");
    const base = this.domainBase[this.learnerIds[agent]];
    let count = 0;
    for (let k = 0; k < SHELF_CELLS.length; k++)
      if (this.itemWaiting[base + this.cellOffsets[SHELF_CELLS[k]]] >= 0) count++;
    return count;
  }

  /**
   * Sets the state by hand, for hand-worked tests: robot cells by robot id, and items as
   * [row, col, waitingTime] on shelf cells of the grid (all other items are removed).
   */
  setState(robotCells: ArrayLike<number>, items: ReadonlyArray<readonly [number, number, number]>): void {
    if (robotCells.length !== this.numRobots) {
      throw new RangeError(
        `dials/warehouse.setState: got ${robotCells.length} robot cells; expected ${this.numRobots}`,
      );
    }
    for (let robot = 0; robot < this.numRobots; robot++) {
      const cell = robotCells[robot];
      const row = Math.floor(cell / DOMAIN_SIDE);
      const col = cell % DOMAIN_SIDE;
      if (
        !Number.isInteger(cell) ||
        cell < 0 ||
        cell >= DOMAIN_CELLS ||
        ((row === 0 || row === 4) && (col === 0 || col === 4))
      ) {
        throw new RangeError(
          `dials/warehouse.setState: robotCells[${robot}] = ${cell}; expected a non-corner cell in [0, 25)`,
        );
      }
    }
    this.robotCell.set(robotCells);
    this.itemWaiting.fill(NO_ITEM);
    for (const [row, col, wait] of items) {
      const cell = row * this.gridSide + col;
      if (!this.shelfCells.includes(cell) || !Number.isInteger(wait) || wait < 0) {
        throw new RangeError(
          `dials/warehouse.setState: item [${row}, ${col}, ${wait}]; expected a shelf cell and an integer waiting time >= 0`,
        );
      }
      this.itemWaiting[cell] = wait;
    }
    this.previousTarget.fill(NO_TARGET);
    this.writeObservations();
  }

  private rewardOf(learner: number): number {
    const robot = this.learnerIds[learner];
    const base = this.domainBase[robot];
    const own = this.itemWaiting[base + this.cellOffsets[this.robotCell[robot]]];
    if (own < 0) return 0;
    let longest = 0;
    for (let k = 0; k < SHELF_CELLS.length; k++)
      longest = Math.max(longest, this.itemWaiting[base + this.cellOffsets[SHELF_CELLS[k]]]);
    return longest > 0 ? own / longest : 1;
  }

  private scriptedAction(robot: number): number {
    const base = this.domainBase[robot];
    const from = this.robotCell[robot];
    let target = NO_TARGET;
    if (this.closestItemPolicy) {
      // `select_naive_action`: keep the previous target while it holds an item the robot is not on.
      const previous = this.previousTarget[robot];
      if (
        previous !== NO_TARGET &&
        previous !== from &&
        this.itemWaiting[base + this.cellOffsets[previous]] >= 0
      ) {
        target = previous;
      } else {
        let best = 2 * DOMAIN_SIDE;
        for (let k = 0; k < SHELF_CELLS.length; k++) {
          const cell = SHELF_CELLS[k];
          if (cell === from || this.itemWaiting[base + this.cellOffsets[cell]] < 0) continue;
          const distance = SHORTEST_PATHS.distance[from * DOMAIN_CELLS + cell];
          if (distance < best) {
            best = distance;
            target = cell;
          }
        }
        this.previousTarget[robot] = target;
      }
    } else {
      // `select_naive_action2`: the oldest item of the domain, first in row-major order on ties.
      let oldest = -1;
      for (let k = 0; k < SHELF_CELLS.length; k++) {
        const cell = SHELF_CELLS[k];
        const wait = this.itemWaiting[base + this.cellOffsets[cell]];
        if (wait > oldest) {
          oldest = wait;
          target = cell;
        }
      }
    }
    if (target === NO_TARGET || target === from) return this.policyRng.int(WAREHOUSE_NUM_ACTIONS);
    return SHORTEST_PATHS.firstAction[from * DOMAIN_CELLS + target];
  }

  private spawnItems(): void {
    const probability = this.itemProbability;
    for (let k = 0; k < this.shelfCells.length; k++) {
      const drawn = this.cellRngs[k].uniform() < probability;
      if (drawn && this.itemWaiting[this.shelfCells[k]] < 0) this.itemWaiting[this.shelfCells[k]] = 0;
    }
  }

  private writeObservations(): void {
    for (let learner = 0; learner < this.numAgents; learner++) {
      const robot = this.learnerIds[learner];
      writeDomainObservation(
        this.obs,
        learner * WAREHOUSE_OBS_DIM,
        this.robotCell[robot],
        this.itemWaiting,
        this.cellOffsets,
        this.domainBase[robot],
      );
    }
    const cells = this.gridSide * this.gridSide;
    this.stateVector.fill(0);
    for (let k = 0; k < this.shelfCells.length; k++)
      if (this.itemWaiting[this.shelfCells[k]] >= 0) this.stateVector[this.shelfCells[k]] = 1;
    for (let robot = 0; robot < this.numRobots; robot++)
      this.stateVector[cells + this.domainBase[robot] + this.cellOffsets[this.robotCell[robot]]] = 1;
  }

  private checkAgent(agent: number, method: string): void {
    if (!Number.isInteger(agent) || agent < 0 || agent >= this.numAgents) {
      throw new RangeError(
        `dials/warehouse.${method}: agent = ${agent}; expected an integer in [0, ${this.numAgents})`,
      );
    }
  }
}

/** Lattice side and learner ids from the options (see the schema). */
function resolveLayout(config: z.output<typeof optionsSchema>): {
  robotsPerSide: number;
  learnerIds: Int32Array;
} {
  if (config.learnerIds !== undefined) {
    const ids = config.learnerIds;
    if (config.numAgents !== undefined && config.numAgents !== ids.length) {
      throw new RangeError(
        `dials/warehouse options: numAgents = ${config.numAgents} but learnerIds lists ${ids.length} robots; give one or make them agree`,
      );
    }
    const side = config.robotsPerSide ?? 4;
    const seen = new Set<number>();
    ids.forEach((id, k) => {
      if (id >= side * side) {
        throw new RangeError(
          `dials/warehouse options: learnerIds[${k}] = ${id}; expected a robot id in [0, ${side * side}) for robotsPerSide = ${side}`,
        );
      }
      if (seen.has(id))
        throw new RangeError(`dials/warehouse options: learnerIds[${k}] = ${id} is listed twice`);
      seen.add(id);
    });
    return { robotsPerSide: side, learnerIds: Int32Array.from(ids) };
  }
  const n = config.numAgents ?? 4;
  const inner = Math.round(Math.sqrt(n));
  if (inner * inner !== n) {
    throw new RangeError(
      `dials/warehouse options: numAgents = ${n}; expected a square (4, 25, 49, 100, …) for the inner learner block, or pass learnerIds`,
    );
  }
  const side = config.robotsPerSide ?? inner + 2;
  if (side < inner) {
    throw new RangeError(
      `dials/warehouse options: robotsPerSide = ${side} is smaller than √numAgents = ${inner}`,
    );
  }
  const first = Math.floor((side - inner) / 2);
  const ids = new Int32Array(n);
  for (let r = 0; r < inner; r++)
    for (let c = 0; c < inner; c++) ids[r * inner + c] = (first + r) * side + first + c;
  return { robotsPerSide: side, learnerIds: ids };
}

function buildLearnerGraph(learnerIds: Int32Array, side: number): AgentGraph {
  const learnerOf = new Map<number, number>();
  learnerIds.forEach((robot, learner) => {
    learnerOf.set(robot, learner);
  });
  const edges: Array<[number, number]> = [];
  learnerIds.forEach((robot, learner) => {
    const right = (robot % side) + 1 < side ? learnerOf.get(robot + 1) : undefined;
    const below = learnerOf.get(robot + side);
    if (right !== undefined) edges.push([learner, right]);
    if (below !== undefined) edges.push([learner, below]);
  });
  return AgentGraph.fromEdges(learnerIds.length, edges);
}
