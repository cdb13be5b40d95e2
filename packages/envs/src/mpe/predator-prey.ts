/**
 * # Predator–prey (`mpe/predator-prey`; PIC's `simple_tag_n{15,30,100}`)
 *
 * | | |
 * |---|---|
 * | Agents | N learning predators (world agents [0, N)); P scripted prey (world agents [N, N + P)); L static obstacles |
 * | Actions | predators: `Discrete(5)` (0 no-op, 1 +x, 2 −x, 3 +y, 4 −y) × accel 3; or `'pic-vector'` / `'continuous'` (`actionMode`) |
 * | Observation | `[v_self (2), p_self (2), rel. pos. of the kL nearest obstacles, of the kA nearest other predators, of the kP nearest prey, and those prey's velocities]` → kL/kA/kP = 3/6/3 → **34** (n15), 5/5/5 → **44** (n30, n100) |
 * | Reward | team reward to every predator: −0.1·Σ_predators min_prey dist + 10·#{(prey, predator) : dist < size_prey + size_predator} |
 * | Termination | none; truncated after 25 steps |
 * | Reset | predators and prey ~ U(−1, 1)², v = 0; obstacles ~ U(−0.9, 0.9)² |
 * | Physics | {@link MpeWorld}; predators accel 3, max speed 1; prey accel 4, max speed 1.3; obstacles collide, static; with `collisionRule: 'pic'` every contact (obstacles too) is at 2·size_predator |
 * | Graph | k nearest predators by true distance (k = `graphNeighbors`, default kA) |
 * | Source | `IouJenLiu/PIC` @ 59a61b3 `multiagent-particle-envs/multiagent/scenarios/simple_tag_n{15,30,100}.py`, `core_vec.py`; spec §2.6 |
 *
 * Sizes (PIC's files, N = 15 / 30 / 100): prey 5 / 10 / 30; obstacles 5 / 10 / 20 of size 0.1 /
 * 0.05 / 0.05; predator / prey size 0.02 / 0.01, then 0.01 / 0.005. Other N: the preset nearest on
 * a log scale, prey and obstacle counts scaled by N / N_preset (at least 1). Observation order
 * `'pic'`: n15 sorts by `|(x − p_self) − p_self|` (the nearest to 2·p_self), n30/n100 by true distance.
 *
 * **Prey policy — differs from PIC.** PIC's prey run a pretrained DDPG actor
 * (`scripted_agent_ckpt/simple_tag_n6_train_prey/agents_best.ckpt`, a pickled torch object with
 * exploration noise) that cannot be used here. Our prey follow a deterministic escape heuristic,
 * computed from the state at the start of each step (as PIC calls `action_callback` before the
 * physics):
 * 1. flee: e = Σ over the 6 nearest predators (PIC's prey observe 6) of (p_prey − p_pred) / d²
 *    (unit direction away from each, weighted 1/d), normalised;
 * 2. stay inside: for each axis with |x| > 0.8, add −sign(x)·10·(|x| − 0.8) — PIC's prey reward
 *    `bound(x)` punishes |x| > 0.9, so the push-back equals the flight term at 0.9 and dominates
 *    beyond it;
 * 3. force u = accel (4) × the normalised sum (no force when it vanishes).
 * Obstacles are not avoided (contacts push the prey off them). The prey's own reward is not computed.
 */
import { z } from "zod";
import { parseOptions } from "../env/parse-options.js";
import { createRng, type Rng } from "../random/rng.js";
import { MpeEnv, type MpePreset, mpeCommonOptionShape, nearestPreset } from "./mpe-env.js";
import { MpeWorld } from "./mpe-world.js";
import { SpatialGrid } from "./spatial-grid.js";

interface PredatorPreyPreset extends MpePreset {
  numPrey: number;
  numObstacles: number;
  obstacleSize: number;
  predatorSize: number;
  preySize: number;
  numObservedObstacles: number;
  numObservedPredators: number;
  numObservedPrey: number;
  picSorting: "distance" | "self-offset";
}

/** PIC's `simple_tag_n*` sizes. */
export const PREDATOR_PREY_PRESETS: readonly PredatorPreyPreset[] = [
  {
    numAgents: 15,
    numPrey: 5,
    numObstacles: 5,
    obstacleSize: 0.1,
    predatorSize: 0.02,
    preySize: 0.01,
    numObservedObstacles: 3,
    numObservedPredators: 6,
    numObservedPrey: 3,
    picSorting: "self-offset",
  },
  {
    numAgents: 30,
    numPrey: 10,
    numObstacles: 10,
    obstacleSize: 0.05,
    predatorSize: 0.01,
    preySize: 0.005,
    numObservedObstacles: 5,
    numObservedPredators: 5,
    numObservedPrey: 5,
    picSorting: "distance",
  },
  {
    numAgents: 100,
    numPrey: 30,
    numObstacles: 20,
    obstacleSize: 0.05,
    predatorSize: 0.01,
    preySize: 0.005,
    numObservedObstacles: 5,
    numObservedPredators: 5,
    numObservedPrey: 5,
    picSorting: "distance",
  },
];

const WORLD_RADIUS = 1;
const PREDATOR = { accel: 3, maxSpeed: 1 } as const;
const PREY = { accel: 4, maxSpeed: 1.3 } as const;
/** The heuristic prey look at as many predators as PIC's prey observe. */
const PREY_OBSERVED_PREDATORS = 6;
/** Where the prey's push back to the centre starts, and its gain per unit beyond. */
const PREY_BOUNDARY_START = 0.8;
const PREY_BOUNDARY_GAIN = 10;

const optionsSchema = z
  .object({
    /** Number of learning predators N. */
    numAgents: z.number().int().min(1).max(100_000).default(15),
    /** Number of scripted prey P; defaults to PIC's value for N (scaled between sizes). */
    numPrey: z.number().int().min(1).max(100_000).optional(),
    /** Number of obstacles L; defaults to PIC's value for N (scaled between sizes). */
    numObstacles: z.number().int().min(1).max(100_000).optional(),
    /** Obstacles in a predator's observation, kL (PIC: 3 or 5). */
    numObservedObstacles: z.number().int().min(1).optional(),
    /** Other predators in a predator's observation, kA (PIC: 6 or 5). */
    numObservedPredators: z.number().int().min(1).optional(),
    /** Prey in a predator's observation, kP (PIC: 3 or 5); their velocities follow. */
    numObservedPrey: z.number().int().min(1).optional(),
    ...mpeCommonOptionShape,
  })
  .strict();

export type PredatorPreyOptions = z.input<typeof optionsSchema>;

const ID = "mpe/predator-prey";

export class PredatorPrey extends MpeEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly numPrey: number;
  readonly numObstacles: number;
  readonly predatorSize: number;
  readonly preySize: number;
  readonly numObservedObstacles: number;
  readonly numObservedPredators: number;
  readonly numObservedPrey: number;
  readonly observationSorting: "distance" | "self-offset";
  readonly worldRadius = WORLD_RADIUS;

  private readonly preyGrid: SpatialGrid;
  private readonly preyIds: Int32Array;
  private readonly obstacleGrid: SpatialGrid;
  private readonly obstacleIds: Int32Array;
  private readonly catchDistance: number;

  constructor(options: PredatorPreyOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, `${ID} options`);
    const n = config.numAgents;
    const preset = nearestPreset(PREDATOR_PREY_PRESETS, n);
    const scale = n / preset.numAgents;
    const numPrey = config.numPrey ?? Math.max(1, Math.round(preset.numPrey * scale));
    const numObstacles = config.numObstacles ?? Math.max(1, Math.round(preset.numObstacles * scale));
    const kL = config.numObservedObstacles ?? preset.numObservedObstacles;
    const kA = config.numObservedPredators ?? preset.numObservedPredators;
    const kP = config.numObservedPrey ?? preset.numObservedPrey;
    const sorting = config.observationSorting === "pic" ? preset.picSorting : config.observationSorting;
    const graphK = config.graphNeighbors ?? kA;
    const world = new MpeWorld({
      numAgents: n + numPrey,
      numLandmarks: numObstacles,
      collisionRule: config.collisionRule,
    });
    super(
      world,
      {
        id: ID,
        options: config,
        numLearners: n,
        obsDim: 4 + 2 * (kL + kA + 2 * kP),
        maxSteps: config.maxSteps,
        actionMode: config.actionMode,
        graphNeighbors: graphK,
        graphFromObservation: sorting === "distance" && graphK === kA,
        maxQueryNeighbors: Math.max(kL, kA, kP, PREY_OBSERVED_PREDATORS),
      },
      rng,
    );
    this.numPrey = numPrey;
    this.numObstacles = numObstacles;
    this.predatorSize = preset.predatorSize;
    this.preySize = preset.preySize;
    this.numObservedObstacles = kL;
    this.numObservedPredators = kA;
    this.numObservedPrey = kP;
    this.observationSorting = sorting;
    for (let i = 0; i < n + numPrey; i++) {
      const predator = i < n;
      world.size[i] = predator ? preset.predatorSize : preset.preySize;
      world.maxSpeed[i] = predator ? PREDATOR.maxSpeed : PREY.maxSpeed;
    }
    this.sensitivity.fill(PREDATOR.accel);
    const firstObstacle = n + numPrey;
    for (let l = 0; l < numObstacles; l++) {
      world.size[firstObstacle + l] = preset.obstacleSize;
      world.movable[firstObstacle + l] = 0;
      world.collide[firstObstacle + l] = 1;
    }
    world.finalizeProperties();
    this.catchDistance = preset.preySize + preset.predatorSize;
    this.preyGrid = new SpatialGrid(numPrey);
    this.preyIds = new Int32Array(numPrey);
    for (let j = 0; j < numPrey; j++) this.preyIds[j] = n + j;
    this.obstacleGrid = new SpatialGrid(numObstacles);
    this.obstacleIds = new Int32Array(numObstacles);
    for (let l = 0; l < numObstacles; l++) this.obstacleIds[l] = firstObstacle + l;
  }

  protected resetWorld(): void {
    const world = this.world;
    const p = world.position;
    const agents = this.numAgents + this.numPrey;
    for (let i = 0; i < agents; i++) {
      p[2 * i] = this.rng.uniform(-WORLD_RADIUS, WORLD_RADIUS);
      p[2 * i + 1] = this.rng.uniform(-WORLD_RADIUS, WORLD_RADIUS);
    }
    const inner = WORLD_RADIUS - 0.1;
    for (let l = 0; l < this.numObstacles; l++) {
      const e = agents + l;
      p[2 * e] = this.rng.uniform(-inner, inner);
      p[2 * e + 1] = this.rng.uniform(-inner, inner);
    }
    world.velocity.fill(0);
    this.onLandmarksPlaced();
  }

  protected onLandmarksPlaced(): void {
    this.obstacleGrid.build(this.world.position, this.obstacleIds, this.numObstacles, 0);
  }

  protected refreshScenarioIndexes(): void {
    this.preyGrid.build(this.world.position, this.preyIds, this.numPrey, 0);
  }

  /** The escape heuristic of the header, from the state at the start of the step. */
  protected override applyScriptedActions(): void {
    const world = this.world;
    const p = world.position;
    const force = world.force;
    const ids = this.nearestIds;
    const d2 = this.nearestDistanceSquared;
    for (let j = 0; j < this.numPrey; j++) {
      const e = this.numAgents + j;
      const px = p[2 * e];
      const py = p[2 * e + 1];
      const found = this.learnerGrid.nearest(px, py, PREY_OBSERVED_PREDATORS, -1, ids, d2, 0);
      let ex = 0;
      let ey = 0;
      for (let m = 0; m < found; m++) {
        const q = ids[m];
        const weight = 1 / Math.max(d2[m], 1e-12);
        ex += (px - p[2 * q]) * weight;
        ey += (py - p[2 * q + 1]) * weight;
      }
      const flight = Math.sqrt(ex * ex + ey * ey);
      if (flight > 0) {
        ex /= flight;
        ey /= flight;
      }
      ex -= boundaryPush(px);
      ey -= boundaryPush(py);
      const norm = Math.sqrt(ex * ex + ey * ey);
      const scale = norm > 0 ? PREY.accel / norm : 0;
      force[2 * e] = ex * scale;
      force[2 * e + 1] = ey * scale;
    }
  }

  protected writeObservations(): void {
    const dim = this.spec.obsDim;
    const kL = this.numObservedObstacles;
    const kA = this.numObservedPredators;
    const kP = this.numObservedPrey;
    const shifted = this.observationSorting === "self-offset";
    const velocity = this.world.velocity;
    const obs = this.obs;
    for (let i = 0; i < this.numAgents; i++) {
      const offset = i * dim;
      this.writeSelf(i, offset);
      let at = offset + 4;
      this.writeNearest(this.obstacleGrid, i, kL, shifted, at);
      at += 2 * kL;
      const found = this.writeNearest(this.learnerGrid, i, kA, shifted, at);
      this.recordGraphRow(i, found);
      at += 2 * kA;
      const prey = this.writeNearest(this.preyGrid, i, kP, shifted, at);
      at += 2 * kP;
      for (let m = 0; m < prey; m++) {
        const e = this.nearestIds[m];
        obs[at + 2 * m] = velocity[2 * e];
        obs[at + 2 * m + 1] = velocity[2 * e + 1];
      }
      obs.fill(0, at + 2 * prey, at + 2 * kP);
    }
  }

  protected computeTeamReward(): number {
    const p = this.world.position;
    let chase = 0;
    for (let i = 0; i < this.numAgents; i++) {
      this.preyGrid.nearest(p[2 * i], p[2 * i + 1], 1, -1, this.nearestIds, this.nearestDistanceSquared, 0);
      chase += Math.sqrt(this.nearestDistanceSquared[0]);
    }
    let catches = 0;
    for (let j = 0; j < this.numPrey; j++) {
      const e = this.numAgents + j;
      catches += this.learnerGrid.countWithin(p[2 * e], p[2 * e + 1], this.catchDistance, -1);
    }
    return -0.1 * chase + 10 * catches;
  }
}

/** The prey's push back towards the centre along one axis (0 inside |x| ≤ 0.8). */
function boundaryPush(x: number): number {
  const beyond = Math.abs(x) - PREY_BOUNDARY_START;
  return beyond > 0 ? Math.sign(x) * PREY_BOUNDARY_GAIN * beyond : 0;
}
