/**
 * # DIALS warehouse local simulator (one robot's 5×5 domain)
 *
 * | | |
 * |---|---|
 * | Agents | 1: the robot of one domain |
 * | Actions | `Discrete(4)`, as in the global warehouse |
 * | Influence | 4 sources [right, below, left, above neighbour], values 0..2 = the shared border cell the neighbour robot stands on, 3 = none; value v < 3 of source s removes the item on `{0: [v+1, 4], 1: [4, v+1], 2: [v+1, 0], 3: [0, v+1]}` |
 * | Observation | the same 37 entries as the global warehouse's agent |
 * | Reward | the global rule: waiting time of the item under the robot / the domain's largest waiting time |
 * | Termination | none; truncated after `maxSteps` (100) |
 * | Source | `INFLUENCEorg/DIALS` `simulators/warehouse/warehouse/envs/local_warehouse.py` (`LocalWarehouse.step`, `_remove_items`, `_find_loc`); spec §8 |
 *
 * Step order (`LocalWarehouse.step`): waiting times + 1; the robot moves; reward; the item under the
 * robot is removed, then the items under the neighbour robots given by the influence sources; new
 * items spawn on the 12 shelf cells (the domain's border without corners) with probability 0.02.
 * The caller samples the influence sources (from an approximate influence predictor, or replays
 * ones recorded from the global warehouse).
 *
 * Each shelf cell draws its spawns from its own stream, forked from a per-episode key by
 * `cellStreamIds[k]`; {@link DialsWarehouse.createLocalSimulator} passes the cells' grid indices, so
 * a local simulator reset with the global run's seed sees the same spawns as that run's domain.
 */
import { z } from "zod";
import type { InfluenceSpec, LocalSimulator } from "../env/local-view.js";
import type { Actions, EnvInfos, EnvSpec, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { createRng, type Rng } from "../random/rng.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import {
  DOMAIN_CELLS,
  DOMAIN_CENTRE,
  influenceCell,
  MOVES,
  NO_NEIGHBOUR_ON_BORDER,
  SHELF_CELLS,
  WAREHOUSE_NUM_ACTIONS,
  WAREHOUSE_OBS_DIM,
  writeDomainObservation,
} from "./warehouse-domain.js";

const NO_ITEM = -1;
const NUM_SOURCES = 4;
const IDENTITY_OFFSETS = Int32Array.from({ length: DOMAIN_CELLS }, (_, cell) => cell);

const optionsSchema = z
  .object({
    /** Probability that an item appears on a free shelf cell per step. */
    itemProbability: z.number().min(0).max(1).default(0.02),
    /** Episode length. */
    maxSteps: z.number().int().min(1).default(100),
    /** Stream id of each of the 12 shelf cells (row-major); default 0..11. */
    cellStreamIds: z.array(z.number().int().min(0)).length(SHELF_CELLS.length).optional(),
  })
  .strict();

export type WarehouseLocalSimulatorOptions = z.input<typeof optionsSchema>;

export class WarehouseLocalSimulator implements LocalSimulator {
  readonly spec: EnvSpec;
  readonly influenceSpec: InfluenceSpec = { numSources: NUM_SOURCES, numValues: 4 };
  readonly itemProbability: number;

  private rng: Rng;
  private readonly cellStreamIds: Int32Array;
  private cellRngs: Rng[] = [];
  private robotCell = DOMAIN_CENTRE;
  private readonly itemWaiting = new Int32Array(DOMAIN_CELLS).fill(NO_ITEM);
  private readonly obs = new Float32Array(WAREHOUSE_OBS_DIM);
  private readonly rewards = new Float32Array(1);
  private readonly terminated = new Uint8Array(1);
  private readonly truncated = new Uint8Array(1);
  private readonly infos: EnvInfos = {};
  private stepCount = 0;
  private needsReset = true;

  constructor(options: WarehouseLocalSimulatorOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "dials/warehouse-local options");
    this.itemProbability = config.itemProbability;
    this.cellStreamIds = Int32Array.from(config.cellStreamIds ?? Array.from(SHELF_CELLS, (_, k) => k));
    this.rng = rng;
    this.spec = {
      id: "dials/warehouse-local",
      numAgents: 1,
      obsDim: WAREHOUSE_OBS_DIM,
      observationSpace: new Box([WAREHOUSE_OBS_DIM], 0, 1),
      actionSpace: new Discrete(WAREHOUSE_NUM_ACTIONS),
      stateDim: 0,
      maxSteps: config.maxSteps,
    };
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    const spawnRoot = createRng(this.rng.nextSeed());
    this.cellRngs = Array.from(this.cellStreamIds, (id) => spawnRoot.fork(id));
    this.robotCell = DOMAIN_CENTRE;
    this.itemWaiting.fill(NO_ITEM);
    this.spawnItems();
    this.stepCount = 0;
    this.needsReset = false;
    this.terminated[0] = 0;
    this.truncated[0] = 0;
    this.writeObservation();
    return { obs: this.obs, infos: this.infos };
  }

  step(action: Actions, influence: Int32Array): StepResult {
    if (this.needsReset)
      throw new Error("dials/warehouse-local.step: the episode is over or never started; call reset()");
    validateActions(this.spec.id, this.spec.actionSpace, 1, action);
    if (influence?.length !== NUM_SOURCES) {
      throw new RangeError(
        `dials/warehouse-local.step: influence must hold ${NUM_SOURCES} sources [right, below, left, above], got ${influence?.length}`,
      );
    }
    for (let s = 0; s < NUM_SOURCES; s++) {
      const value = influence[s];
      if (!Number.isInteger(value) || value < 0 || value > NO_NEIGHBOUR_ON_BORDER) {
        throw new RangeError(
          `dials/warehouse-local.step: influence[${s}] = ${value}; expected an integer in [0, 3] (3 = no neighbour robot on the shared cells)`,
        );
      }
    }
    for (let k = 0; k < SHELF_CELLS.length; k++)
      if (this.itemWaiting[SHELF_CELLS[k]] >= 0) this.itemWaiting[SHELF_CELLS[k]]++;
    this.robotCell = MOVES[this.robotCell * WAREHOUSE_NUM_ACTIONS + action[0]];
    this.rewards[0] = this.reward();
    this.itemWaiting[this.robotCell] = NO_ITEM;
    for (let s = 0; s < NUM_SOURCES; s++) {
      if (influence[s] !== NO_NEIGHBOUR_ON_BORDER) this.itemWaiting[influenceCell(s, influence[s])] = NO_ITEM;
    }
    this.spawnItems();
    this.stepCount++;
    if (this.stepCount >= this.spec.maxSteps) {
      this.truncated[0] = 1;
      this.needsReset = true;
    }
    this.writeObservation();
    return {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  localState(out: Float32Array = new Float32Array(WAREHOUSE_OBS_DIM)): Float32Array {
    out.set(this.obs);
    return out;
  }

  /** Number of items in the domain. */
  itemCount(): number {
    let count = 0;
    for (let k = 0; k < SHELF_CELLS.length; k++) if (this.itemWaiting[SHELF_CELLS[k]] >= 0) count++;
    return count;
  }

  private reward(): number {
    const own = this.itemWaiting[this.robotCell];
    if (own < 0) return 0;
    let longest = 0;
    for (let k = 0; k < SHELF_CELLS.length; k++)
      longest = Math.max(longest, this.itemWaiting[SHELF_CELLS[k]]);
    return longest > 0 ? own / longest : 1;
  }

  private spawnItems(): void {
    for (let k = 0; k < SHELF_CELLS.length; k++) {
      const drawn = this.cellRngs[k].uniform() < this.itemProbability;
      if (drawn && this.itemWaiting[SHELF_CELLS[k]] < 0) this.itemWaiting[SHELF_CELLS[k]] = 0;
    }
  }

  private writeObservation(): void {
    writeDomainObservation(this.obs, 0, this.robotCell, this.itemWaiting, IDENTITY_OFFSETS, 0);
  }
}
