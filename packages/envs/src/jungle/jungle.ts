/**
 * # Jungle (MAgent "eat", DGN's configuration; used by LToS)
 *
 * | | |
 * |---|---|
 * | Agents | 20 learners ("small", hp 400) on a 30×30 map with 12 food units ("big", hp 500, never act) |
 * | Actions | `Discrete(9)`: moves 0..4 = (dx, dy) (0,−1), (−1,0), (0,0), (1,0), (0,1); attacks 5..8 on the cell at (0,−1), (−1,0), (1,0), (0,1) |
 * | Observation | `"dgn"` (default, 123): the 11×11 view of [small agents (self included)] − [food] inside the radius-5 circle, row = dy + 5, col = dx + 5, then [y/30, x/30]. `"full"` (869): the 11×11×7 view (HWC: wall, own presence, own hp/max, own minimap, food presence, food hp/max, food minimap) + 22 features [10-bit id, one-hot last action (9), last reward, x/30, y/30] |
 * | Reward | per agent and step: −0.01 per attack (hit or miss); +1 for attacking food; +2 for attacking an agent, and −4 to the agent attacked (once per attack it receives) |
 * | Termination | an agent whose hp drops below 0 is terminated and removed; everyone terminates when no agent or no food is left (in practice never: 400/500 hp, damage 1); truncated after 120 steps |
 * | Graph | self + the 3 nearest agents by squared distance, ties by index, recomputed every step (DGN's `Adjacency`) |
 * | Source | `PKU-AI-Edge/DGN` (0d4838f) `Jungle/config/eat.py`, `Jungle/mutli_jungle.py`; engine `geek-ai/MAgent` (2144dbd) `src/gridworld/*`; spec §3 |
 *
 * Step order (MAgent `GridWorld::step`): attacks first, in a shuffled order, each landing on the
 * target cell's unit (`attack_in_group` lets agents hit agents); a dead attacker skips. Then moves,
 * in agent order: a move succeeds only onto an in-map blank cell (a blocked move does nothing).
 * Then the reward rules fire; dead units leave the map at the end of the step (DGN calls
 * `clear_dead()` after every step). Placement at reset is uniform over blank cells, agents first.
 *
 * Choices where the spec is silent, documented here: the id embedding is the agent index in
 * binary, least significant bit first; the minimap channels (scale ⌈30/11⌉ = 3, value = count /
 * group size, +1 at the agent's own minimap cell in the own-group channel) are not masked to the
 * view circle; the wall channel is 0 (the jungle has no walls, off-map cells are 0 too); a unit
 * killed this step still blocks its cell until the end of the step.
 *
 * `infos`: `foodAttacks`, `agentAttacks`, `missedAttacks` (this step), `aliveAgents`.
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
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

/** (dx, dy) of actions 0..8: five moves, then four attacks (MAgent's `AgentType` layout, no turning). */
export const JUNGLE_ACTION_OFFSETS: ReadonlyArray<readonly [number, number]> = [
  [0, -1],
  [-1, 0],
  [0, 0],
  [1, 0],
  [0, 1],
  [0, -1],
  [-1, 0],
  [1, 0],
  [0, 1],
];
/** Cell kinds of a jungle replay (`GridScene.cellLegend`). */
const JUNGLE_CELL_LEGEND = ["empty", "agent", "food"] as const;

/** First attack action. */
export const JUNGLE_FIRST_ATTACK = 5;

const VIEW_RADIUS = 5;
const VIEW_SIDE = 2 * VIEW_RADIUS + 1;
const VIEW_CELLS = VIEW_SIDE * VIEW_SIDE;
const VIEW_CHANNELS = 7;
const ID_BITS = 10;
const NUM_ACTIONS = 9;
const FEATURE_SIZE = ID_BITS + NUM_ACTIONS + 3;
const EMPTY = -1;

const optionsSchema = z
  .object({
    /** Side of the square map (`GridWorld("eat", map_size=30)`). */
    mapSize: z.number().int().min(2).max(1000).default(30),
    /** Learning agents ("small"). */
    numAgents: z.number().int().min(1).default(20),
    /** Food units ("big"). */
    numFood: z.number().int().min(0).default(12),
    /** Agent hit points. */
    agentHp: z.number().positive().default(400),
    /** Food hit points. */
    foodHp: z.number().positive().default(500),
    /** Damage of one attack. */
    damage: z.number().min(0).default(1),
    /** Reward of every attack, hit or miss (`attack_penalty`). */
    attackPenalty: z.number().default(-0.01),
    /** Reward for attacking food (`a attack b(big) → a += 1`). */
    attackFoodReward: z.number().default(1),
    /** Reward for attacking an agent (`a attack c(small) → a += 2`). */
    attackAgentReward: z.number().default(2),
    /** Reward of an agent for each attack it receives (`c += −4`). */
    attackedReward: z.number().default(-4),
    /** Episode length. */
    maxSteps: z.number().int().min(1).default(120),
    /** `"dgn"`: 121-cell view difference + [y, x] (123); `"full"`: 11×11×7 view + 22 features (869). */
    observation: z.enum(["dgn", "full"]).default("dgn"),
    /** Nearest agents besides self in `graph()` (DGN: 3). */
    numNeighbors: z.number().int().min(0).default(3),
  })
  .strict();

export type JungleOptions = z.input<typeof optionsSchema>;

export class Jungle implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly mapSize: number;
  readonly numAgents: number;
  readonly numFood: number;
  readonly numNeighbors: number;

  private rng: Rng;
  private readonly config: z.output<typeof optionsSchema>;
  private readonly fullObservation: boolean;
  private readonly numUnits: number;
  /** Unit id per cell (`y * mapSize + x`), agents 0..N−1 then food N..N+F−1, or −1. */
  private readonly occupancy: Int32Array;
  private readonly positionX: Int32Array;
  private readonly positionY: Int32Array;
  private readonly hp: Float32Array;
  private readonly alive: Uint8Array;
  private readonly lastAction: Int32Array;
  private readonly attackOrder: Int32Array;
  private readonly viewMask: Uint8Array;
  private readonly episode: EpisodeBuffers;
  private readonly obs: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly minimapAgents: Float32Array;
  private readonly minimapFood: Float32Array;
  private readonly minimapScale: number;
  private readonly graphOffsets: Int32Array;
  private readonly graphNeighbors: Int32Array;
  private readonly nearestIndex: Int32Array;
  private readonly nearestDistance: Float64Array;
  private readonly infos: EnvInfos;
  private currentGraph: AgentGraph;
  private aliveAgentCount = 0;
  private aliveFoodCount = 0;

  constructor(options: JungleOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "jungle options");
    const cells = config.mapSize * config.mapSize;
    if (config.numAgents + config.numFood > cells) {
      throw new RangeError(
        `jungle options: numAgents + numFood = ${config.numAgents + config.numFood} units do not fit on a ${config.mapSize}×${config.mapSize} map (${cells} cells)`,
      );
    }
    if (config.numNeighbors > config.numAgents - 1) {
      throw new RangeError(
        `jungle options: numNeighbors = ${config.numNeighbors}; expected at most numAgents − 1 = ${config.numAgents - 1}`,
      );
    }
    this.config = config;
    this.mapSize = config.mapSize;
    this.numAgents = config.numAgents;
    this.numFood = config.numFood;
    this.numNeighbors = config.numNeighbors;
    this.numUnits = config.numAgents + config.numFood;
    this.fullObservation = config.observation === "full";
    this.rng = rng;
    const obsDim = this.fullObservation ? VIEW_CELLS * VIEW_CHANNELS + FEATURE_SIZE : VIEW_CELLS + 2;
    this.spec = {
      id: "jungle",
      numAgents: config.numAgents,
      obsDim,
      observationSpace: observationBox(this.fullObservation, obsDim),
      actionSpace: new Discrete(NUM_ACTIONS),
      stateDim: 0,
      maxSteps: config.maxSteps,
    };
    this.occupancy = new Int32Array(cells);
    this.positionX = new Int32Array(this.numUnits);
    this.positionY = new Int32Array(this.numUnits);
    this.hp = new Float32Array(this.numUnits);
    this.alive = new Uint8Array(this.numUnits);
    this.lastAction = new Int32Array(this.numAgents);
    this.attackOrder = new Int32Array(this.numAgents);
    this.viewMask = new Uint8Array(VIEW_CELLS);
    for (let dy = -VIEW_RADIUS; dy <= VIEW_RADIUS; dy++) {
      for (let dx = -VIEW_RADIUS; dx <= VIEW_RADIUS; dx++) {
        if (dx * dx + dy * dy <= VIEW_RADIUS * VIEW_RADIUS)
          this.viewMask[(dy + VIEW_RADIUS) * VIEW_SIDE + dx + VIEW_RADIUS] = 1;
      }
    }
    this.episode = new EpisodeBuffers(this.spec.id, this.numAgents, this.spec.obsDim, this.spec.stateDim, {
      foodAttacks: 0,
      agentAttacks: 0,
      missedAttacks: 0,
      aliveAgents: 0,
    });
    this.obs = this.episode.obs;
    this.rewards = this.episode.rewards;
    this.terminated = this.episode.terminated;
    this.truncated = this.episode.truncated;
    this.infos = this.episode.infos;
    this.minimapScale = Math.ceil(config.mapSize / VIEW_SIDE);
    this.minimapAgents = new Float32Array(VIEW_CELLS);
    this.minimapFood = new Float32Array(VIEW_CELLS);
    const degree = this.numNeighbors + 1;
    this.graphOffsets = new Int32Array(this.numAgents + 1);
    this.graphNeighbors = new Int32Array(this.numAgents * degree);
    this.nearestIndex = new Int32Array(degree);
    this.nearestDistance = new Float64Array(degree);
    this.currentGraph = new AgentGraph(this.numAgents, this.graphOffsets, this.graphNeighbors.subarray(0, 0));
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.occupancy.fill(EMPTY);
    const cells = this.occupancy.length;
    for (let unit = 0; unit < this.numUnits; unit++) {
      let cell = this.rng.int(cells);
      while (this.occupancy[cell] !== EMPTY) cell = this.rng.int(cells);
      this.occupancy[cell] = unit;
      this.positionX[unit] = cell % this.mapSize;
      this.positionY[unit] = (cell - this.positionX[unit]) / this.mapSize;
      this.hp[unit] = unit < this.numAgents ? this.config.agentHp : this.config.foodHp;
      this.alive[unit] = 1;
    }
    this.aliveAgentCount = this.numAgents;
    this.aliveFoodCount = this.numFood;
    this.lastAction.fill(2); // "no action yet" shows as the stay move in the full features
    this.rewards.fill(0);
    this.episode.startEpisode();
    this.infos.foodAttacks = 0;
    this.infos.agentAttacks = 0;
    this.infos.missedAttacks = 0;
    this.infos.aliveAgents = this.aliveAgentCount;
    this.rebuildGraph();
    this.writeObservations();
    return { obs: this.obs, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const n = this.numAgents;
    const size = this.mapSize;
    const config = this.config;
    this.rewards.fill(0);

    // 1. Attacks, in a shuffled order.
    let attackers = 0;
    for (let i = 0; i < n; i++)
      if (this.alive[i] === 1 && actions[i] >= JUNGLE_FIRST_ATTACK) this.attackOrder[attackers++] = i;
    this.rng.shuffle(this.attackOrder.subarray(0, attackers));
    let foodAttacks = 0;
    let agentAttacks = 0;
    let missedAttacks = 0;
    for (let k = 0; k < attackers; k++) {
      const attacker = this.attackOrder[k];
      if (this.alive[attacker] === 0) continue; // killed earlier this step
      this.rewards[attacker] += config.attackPenalty;
      const [dx, dy] = JUNGLE_ACTION_OFFSETS[actions[attacker]];
      const x = this.positionX[attacker] + dx;
      const y = this.positionY[attacker] + dy;
      const target = x >= 0 && x < size && y >= 0 && y < size ? this.occupancy[y * size + x] : EMPTY;
      if (target === EMPTY) {
        missedAttacks++;
        continue;
      }
      this.hp[target] -= config.damage;
      if (target < n) {
        this.rewards[attacker] += config.attackAgentReward;
        this.rewards[target] += config.attackedReward;
        agentAttacks++;
      } else {
        this.rewards[attacker] += config.attackFoodReward;
        foodAttacks++;
      }
      if (this.hp[target] < 0 && this.alive[target] === 1) {
        this.alive[target] = 0;
        if (target < n) this.aliveAgentCount--;
        else this.aliveFoodCount--;
      }
    }

    // 2. Moves, in agent order, onto in-map blank cells only.
    for (let i = 0; i < n; i++) {
      const action = actions[i];
      if (this.alive[i] === 0 || action >= JUNGLE_FIRST_ATTACK || action === 2) continue;
      const [dx, dy] = JUNGLE_ACTION_OFFSETS[action];
      const x = this.positionX[i] + dx;
      const y = this.positionY[i] + dy;
      if (x < 0 || x >= size || y < 0 || y >= size || this.occupancy[y * size + x] !== EMPTY) continue;
      this.occupancy[this.positionY[i] * size + this.positionX[i]] = EMPTY;
      this.occupancy[y * size + x] = i;
      this.positionX[i] = x;
      this.positionY[i] = y;
    }

    // 3. clear_dead: the killed leave the map.
    for (let unit = 0; unit < this.numUnits; unit++) {
      if (this.alive[unit] === 0) {
        const cell = this.positionY[unit] * size + this.positionX[unit];
        if (this.occupancy[cell] === unit) this.occupancy[cell] = EMPTY;
        if (unit < n) this.terminated[unit] = 1;
      }
    }
    for (let i = 0; i < n; i++) this.lastAction[i] = actions[i];
    if (this.aliveAgentCount === 0 || (this.numFood > 0 && this.aliveFoodCount === 0))
      this.terminated.fill(1);
    this.infos.foodAttacks = foodAttacks;
    this.infos.agentAttacks = agentAttacks;
    this.infos.missedAttacks = missedAttacks;
    this.infos.aliveAgents = this.aliveAgentCount;
    this.rebuildGraph();
    this.writeObservations();
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** Self + the `numNeighbors` nearest living agents, recomputed each step. */
  graph(): AgentGraph {
    return this.currentGraph;
  }

  /** The map: cells are empty (0), an agent (1) or food (2); nothing is static. */
  replayScene(): GridScene {
    return {
      kind: "scene",
      family: "grid",
      width: this.mapSize,
      height: this.mapSize,
      cellLegend: JUNGLE_CELL_LEGEND,
    };
  }

  /** Cells row-major (y · mapSize + x), agents' cells (−1 once dead) and hp, food hp per cell. */
  replayState(): GridState {
    const size = this.mapSize;
    const cells = new Uint8Array(size * size);
    const foodHp = new Float32Array(size * size);
    const agentCell = new Int32Array(this.numAgents).fill(-1);
    for (let unit = 0; unit < this.numUnits; unit++) {
      if (this.alive[unit] === 0) continue;
      const cell = this.positionY[unit] * size + this.positionX[unit];
      if (unit < this.numAgents) {
        cells[cell] = 1;
        agentCell[unit] = cell;
      } else {
        cells[cell] = 2;
        foodHp[cell] = this.hp[unit];
      }
    }
    return {
      cells: packArray(cells),
      agentCell: packArray(agentCell),
      agentValue: packArray(this.hp.slice(0, this.numAgents)),
      agentValueName: "hp",
      cellValue: packArray(foodHp),
      cellValueName: "food hp",
    };
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.config };
  }

  /** Position of a unit (agents 0..N−1, food N..N+F−1) as [x, y], or undefined when it is dead. */
  positionOf(unit: number): [number, number] | undefined {
    if (!(unit >= 0 && unit < this.numUnits) || this.alive[unit] === 0) return undefined;
    return [this.positionX[unit], this.positionY[unit]];
  }

  /** Hit points of a unit (agents first, then food). */
  hpOf(unit: number): number {
    return this.hp[unit];
  }

  /**
   * Places the units by hand (agents first, then food; [x, y] each) after a reset, for
   * hand-worked tests and scripted scenarios. Positions must be distinct and on the map.
   */
  placeUnits(positions: ReadonlyArray<readonly [number, number]>): void {
    if (positions.length !== this.numUnits) {
      throw new RangeError(
        `jungle.placeUnits: got ${positions.length} positions; expected numAgents + numFood = ${this.numUnits}`,
      );
    }
    this.occupancy.fill(EMPTY);
    for (let unit = 0; unit < this.numUnits; unit++) {
      const [x, y] = positions[unit];
      if (
        !Number.isInteger(x) ||
        !Number.isInteger(y) ||
        x < 0 ||
        y < 0 ||
        x >= this.mapSize ||
        y >= this.mapSize
      ) {
        throw new RangeError(`jungle.placeUnits: positions[${unit}] = [${x}, ${y}] is off the map`);
      }
      if (this.occupancy[y * this.mapSize + x] !== EMPTY) {
        throw new RangeError(`jungle.placeUnits: positions[${unit}] = [${x}, ${y}] is already taken`);
      }
      if (this.alive[unit] === 1) this.occupancy[y * this.mapSize + x] = unit;
      this.positionX[unit] = x;
      this.positionY[unit] = y;
    }
    this.rebuildGraph();
    this.writeObservations();
  }

  /** The current observations (the buffer `reset`/`step` return). */
  observations(): Float32Array {
    return this.obs;
  }

  private rebuildGraph(): void {
    const n = this.numAgents;
    const k = this.numNeighbors + 1;
    let e = 0;
    for (let i = 0; i < n; i++) {
      this.graphOffsets[i] = e;
      // Insertion into a sorted list of the k smallest (distance, index); self has distance 0.
      let count = 0;
      for (let j = 0; j < n; j++) {
        if (j !== i && this.alive[j] === 0) continue;
        const dx = this.positionX[j] - this.positionX[i];
        const dy = this.positionY[j] - this.positionY[i];
        const distance = j === i ? -1 : dx * dx + dy * dy; // self first even if dead
        if (count === k && distance >= this.nearestDistance[k - 1]) continue;
        let slot = count < k ? count++ : k - 1;
        while (slot > 0 && this.nearestDistance[slot - 1] > distance) {
          this.nearestDistance[slot] = this.nearestDistance[slot - 1];
          this.nearestIndex[slot] = this.nearestIndex[slot - 1];
          slot--;
        }
        this.nearestDistance[slot] = distance;
        this.nearestIndex[slot] = j;
      }
      for (let s = 0; s < count; s++) this.graphNeighbors[e++] = this.nearestIndex[s];
    }
    this.graphOffsets[n] = e;
    if (this.currentGraph.neighbors.length !== e) {
      this.currentGraph = new AgentGraph(n, this.graphOffsets, this.graphNeighbors.subarray(0, e));
    }
  }

  private writeObservations(): void {
    this.obs.fill(0);
    if (this.fullObservation) this.writeMinimaps();
    const obsDim = this.spec.obsDim;
    for (let i = 0; i < this.numAgents; i++) {
      if (this.alive[i] === 0) continue;
      if (this.fullObservation) this.writeFullObservation(i, i * obsDim);
      else this.writeDgnObservation(i, i * obsDim);
    }
  }

  private writeDgnObservation(agent: number, base: number): void {
    const size = this.mapSize;
    const ax = this.positionX[agent];
    const ay = this.positionY[agent];
    for (let row = 0; row < VIEW_SIDE; row++) {
      const y = ay + row - VIEW_RADIUS;
      if (y < 0 || y >= size) continue;
      for (let col = 0; col < VIEW_SIDE; col++) {
        const x = ax + col - VIEW_RADIUS;
        const v = row * VIEW_SIDE + col;
        if (x < 0 || x >= size || this.viewMask[v] === 0) continue;
        const unit = this.occupancy[y * size + x];
        if (unit !== EMPTY) this.obs[base + v] = unit < this.numAgents ? 1 : -1;
      }
    }
    this.obs[base + VIEW_CELLS] = ay / size;
    this.obs[base + VIEW_CELLS + 1] = ax / size;
  }

  private writeMinimaps(): void {
    this.minimapAgents.fill(0);
    this.minimapFood.fill(0);
    const scale = this.minimapScale;
    for (let unit = 0; unit < this.numUnits; unit++) {
      if (this.alive[unit] === 0) continue;
      const cell =
        Math.floor(this.positionY[unit] / scale) * VIEW_SIDE + Math.floor(this.positionX[unit] / scale);
      if (unit < this.numAgents) this.minimapAgents[cell] += 1 / this.aliveAgentCount;
      else this.minimapFood[cell] += 1 / this.aliveFoodCount;
    }
  }

  private writeFullObservation(agent: number, base: number): void {
    const size = this.mapSize;
    const n = this.numAgents;
    const ax = this.positionX[agent];
    const ay = this.positionY[agent];
    const config = this.config;
    for (let v = 0; v < VIEW_CELLS; v++) {
      this.obs[base + v * VIEW_CHANNELS + 3] = this.minimapAgents[v];
      this.obs[base + v * VIEW_CHANNELS + 6] = this.minimapFood[v];
    }
    const ownMinimap = Math.floor(ay / this.minimapScale) * VIEW_SIDE + Math.floor(ax / this.minimapScale);
    this.obs[base + ownMinimap * VIEW_CHANNELS + 3] += 1;
    for (let row = 0; row < VIEW_SIDE; row++) {
      const y = ay + row - VIEW_RADIUS;
      if (y < 0 || y >= size) continue;
      for (let col = 0; col < VIEW_SIDE; col++) {
        const x = ax + col - VIEW_RADIUS;
        const v = row * VIEW_SIDE + col;
        if (x < 0 || x >= size || this.viewMask[v] === 0) continue;
        const unit = this.occupancy[y * size + x];
        if (unit === EMPTY) continue;
        const at = base + v * VIEW_CHANNELS;
        if (unit < n) {
          this.obs[at + 1] = 1;
          this.obs[at + 2] = this.hp[unit] / config.agentHp;
        } else {
          this.obs[at + 4] = 1;
          this.obs[at + 5] = this.hp[unit] / config.foodHp;
        }
      }
    }
    const features = base + VIEW_CELLS * VIEW_CHANNELS;
    for (let bit = 0; bit < ID_BITS; bit++) this.obs[features + bit] = (agent >> bit) & 1;
    this.obs[features + ID_BITS + this.lastAction[agent]] = 1;
    this.obs[features + ID_BITS + NUM_ACTIONS] = this.rewards[agent];
    this.obs[features + ID_BITS + NUM_ACTIONS + 1] = ax / size;
    this.obs[features + ID_BITS + NUM_ACTIONS + 2] = ay / size;
  }
}

function observationBox(full: boolean, obsDim: number): Box {
  const low = new Float32Array(obsDim);
  const high = new Float32Array(obsDim).fill(1);
  if (!full) {
    low.fill(-1, 0, VIEW_CELLS);
    return new Box([obsDim], low, high);
  }
  for (let v = 0; v < VIEW_CELLS; v++) {
    // Minimap cells hold a fraction of a group, plus 1 at the agent's own cell.
    high[v * VIEW_CHANNELS + 3] = 2;
  }
  const rewardIndex = VIEW_CELLS * VIEW_CHANNELS + ID_BITS + NUM_ACTIONS;
  low[rewardIndex] = Number.NEGATIVE_INFINITY;
  high[rewardIndex] = Number.POSITIVE_INFINITY;
  return new Box([obsDim], low, high);
}
