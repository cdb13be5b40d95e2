/**
 * # Heterogeneous navigation (`mpe/heterogeneous-navigation`; PIC's `hetero_spread_n{16,30,100}`)
 *
 * | | |
 * |---|---|
 * | Agents | N learners in two types (`spec.groups`: 0 = A, 1 = B; agents [0, nA) are A): A size s, accel 3, max speed 1; B size s/2, accel 4, max speed 1.3; N landmarks |
 * | Actions | `Discrete(5)` (0 no-op, 1 +x, 2 −x, 3 +y, 4 −y) × accel; or `'pic-vector'` / `'continuous'` (`actionMode`) |
 * | Observation | `[v_self (2), p_self (2), rel. pos. of the 4 nearest landmarks (8), rel. pos. of the 5 nearest other agents (10)]` → **22** (no type flag: PIC's actors are per group) |
 * | Reward | team reward to every agent: −Σ_landmarks min_agents dist − (n_same + 10·n_diff); ordered pairs: n_same = A–A with d < 2s_A plus B–B with d < 2s_B, n_diff = A–B and B–A with d < s_A + s_B |
 * | Termination | none; truncated after 25 steps |
 * | Reset | agents ~ U(−R, R)², v = 0; landmarks: Poisson-disc sites at spacing 4.5·s on [0, 2R]², N drawn, minus R |
 * | Physics | {@link MpeWorld}; with `collisionRule: 'pic'` every pair (B–B too) touches at 2·s_A (spec §2.1/§2.4 quirk) |
 * | Graph | k nearest agents of either type by true distance (k = `graphNeighbors`, default 5) |
 * | Source | `IouJenLiu/PIC` @ 59a61b3 `multiagent-particle-envs/multiagent/scenarios/hetero_spread_n{16,30,100}.py`, `core_vec.py`; spec §2.4 |
 *
 * Sizes by N (PIC's files): nA/nB = 8/8, 15/15, 50/50; s = 0.10, 0.10, 0.15; R = 2.2, 3, 5 for
 * N = 16, 30, 100. Other N: the preset nearest on a log scale, R scaled by √(N / N_preset),
 * nA = ⌈N/2⌉. All three files sort observations by true distance, so `'pic'` = `'distance'`.
 */
import { z } from "zod";
import { parseOptions } from "../env/parse-options.js";
import { createRng, type Rng } from "../random/rng.js";
import { LandmarkPlacement } from "./landmark-placement.js";
import { graphDegree, MpeEnv, type MpePreset, mpeCommonOptionShape, nearestPreset } from "./mpe-env.js";
import { MpeWorld } from "./mpe-world.js";
import { type PairVisitor, SpatialGrid } from "./spatial-grid.js";

interface HeterogeneousPreset extends MpePreset {
  agentSize: number;
  worldRadius: number;
}

/** PIC's `hetero_spread_n*` sizes (A and B halves). */
export const HETEROGENEOUS_NAVIGATION_PRESETS: readonly HeterogeneousPreset[] = [
  { numAgents: 16, agentSize: 0.1, worldRadius: 2.2 },
  { numAgents: 30, agentSize: 0.1, worldRadius: 3 },
  { numAgents: 100, agentSize: 0.15, worldRadius: 5 },
];

/** Type A / type B constants (accel = action sensitivity). */
const TYPE_A = { accel: 3, maxSpeed: 1 } as const;
const TYPE_B = { accel: 4, maxSpeed: 1.3 } as const;

const optionsSchema = z
  .object({
    /** Number of agents N (= number of landmarks). */
    numAgents: z.number().int().min(1).max(100_000).default(16),
    /** Agents of type A (big, slow); the rest are type B. Default ⌈N/2⌉. */
    numTypeA: z.number().int().min(0).optional(),
    /** Type-A radius s (type B has s/2); defaults to PIC's value for N. */
    agentSize: z.number().positive().optional(),
    /** World radius R; defaults to PIC's value for N (scaled by √(N / N_preset) between sizes). */
    worldRadius: z.number().positive().max(1e6).optional(),
    /** Other agents in an observation (PIC's `n_others` = 5). */
    numObservedAgents: z.number().int().min(1).default(5),
    /** Landmarks in an observation (PIC: `n_others − 1` = 4). */
    numObservedLandmarks: z.number().int().min(1).optional(),
    ...mpeCommonOptionShape,
  })
  .strict();

export type HeterogeneousNavigationOptions = z.input<typeof optionsSchema>;

const ID = "mpe/heterogeneous-navigation";

export class HeterogeneousNavigation extends MpeEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly numTypeA: number;
  readonly agentSize: number;
  readonly worldRadius: number;
  readonly numObservedAgents: number;
  readonly numObservedLandmarks: number;
  readonly observationSorting: "distance" | "self-offset";

  private readonly placement: LandmarkPlacement;
  private readonly landmarkGrid: SpatialGrid;
  private readonly landmarkIds: Int32Array;
  private readonly collisions: TypedCollisionCounter;

  constructor(options: HeterogeneousNavigationOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, `${ID} options`);
    const n = config.numAgents;
    const preset = nearestPreset(HETEROGENEOUS_NAVIGATION_PRESETS, n);
    const numTypeA = config.numTypeA ?? Math.ceil(n / 2);
    if (numTypeA > n) {
      throw new RangeError(`${ID} options: numTypeA = ${numTypeA} exceeds numAgents = ${n}`);
    }
    const size = config.agentSize ?? preset.agentSize;
    const radius = config.worldRadius ?? preset.worldRadius * Math.sqrt(n / preset.numAgents);
    const kA = config.numObservedAgents;
    const kL = config.numObservedLandmarks ?? Math.max(1, kA - 1);
    const sorting = config.observationSorting === "self-offset" ? "self-offset" : "distance";
    const graphK = graphDegree(config.graphNeighbors, kA, n, ID);
    const groups = new Int32Array(n);
    groups.fill(1, numTypeA);
    const world = new MpeWorld({ numAgents: n, numLandmarks: n, collisionRule: config.collisionRule });
    super(
      world,
      {
        id: ID,
        options: config,
        numLearners: n,
        obsDim: 4 + 2 * kL + 2 * kA,
        maxSteps: config.maxSteps,
        actionMode: config.actionMode,
        graphNeighbors: graphK,
        graphFromObservation: sorting === "distance" && graphK === kA,
        maxQueryNeighbors: Math.max(kA, kL),
        groups,
      },
      rng,
    );
    this.numTypeA = numTypeA;
    this.agentSize = size;
    this.worldRadius = radius;
    this.numObservedAgents = kA;
    this.numObservedLandmarks = kL;
    this.observationSorting = sorting;
    for (let i = 0; i < n; i++) {
      const typeA = i < numTypeA;
      world.size[i] = typeA ? size : size / 2;
      world.maxSpeed[i] = typeA ? TYPE_A.maxSpeed : TYPE_B.maxSpeed;
      this.sensitivity[i] = typeA ? TYPE_A.accel : TYPE_B.accel;
    }
    for (let l = 0; l < n; l++) {
      world.collide[n + l] = 0;
      world.movable[n + l] = 0;
    }
    world.finalizeProperties();
    this.collisions = new TypedCollisionCounter(numTypeA, size, size / 2);
    // Largest threshold: 2·s_A (A–A) ≥ s_A + s_B ≥ 2·s_B.
    this.learnerPairRadius = 2 * size;
    this.placement = new LandmarkPlacement(radius, size * 4.5, n);
    this.landmarkGrid = new SpatialGrid(n);
    this.landmarkIds = new Int32Array(n);
    for (let l = 0; l < n; l++) this.landmarkIds[l] = n + l;
  }

  protected resetWorld(): void {
    const world = this.world;
    const n = this.numAgents;
    const r = this.worldRadius;
    this.placement.place(this.rng, world.position, n, ID);
    for (let i = 0; i < n; i++) {
      world.position[2 * i] = this.rng.uniform(-r, r);
      world.position[2 * i + 1] = this.rng.uniform(-r, r);
    }
    world.velocity.fill(0);
    this.onLandmarksPlaced();
  }

  protected onLandmarksPlaced(): void {
    this.landmarkGrid.build(this.world.position, this.landmarkIds, this.numAgents, 0);
  }

  protected refreshScenarioIndexes(): void {}

  protected writeObservations(): void {
    const dim = this.spec.obsDim;
    const kL = this.numObservedLandmarks;
    const kA = this.numObservedAgents;
    const shifted = this.observationSorting === "self-offset";
    for (let i = 0; i < this.numAgents; i++) {
      const offset = i * dim;
      this.writeSelf(i, offset);
      this.writeNearest(this.landmarkGrid, i, kL, shifted, offset + 4);
      const found = this.writeNearest(this.learnerGrid, i, kA, shifted, offset + 4 + 2 * kL);
      this.recordGraphRow(i, found);
    }
  }

  protected computeTeamReward(): number {
    const position = this.world.position;
    const n = this.numAgents;
    let coverage = 0;
    for (let l = 0; l < n; l++) {
      const e = n + l;
      this.learnerGrid.nearest(
        position[2 * e],
        position[2 * e + 1],
        1,
        -1,
        this.nearestIds,
        this.nearestDistanceSquared,
        0,
      );
      coverage += Math.sqrt(this.nearestDistanceSquared[0]);
    }
    const counter = this.collisions;
    counter.same = 0;
    counter.different = 0;
    this.learnerGrid.forEachPairWithin(this.learnerPairRadius, counter);
    // Unordered pairs ×2 = PIC's ordered counts (the diagonal it subtracts never enters here).
    return -coverage - (2 * counter.same + 10 * 2 * counter.different);
  }
}

/** Counts close pairs by type, with PIC's per-type thresholds. */
class TypedCollisionCounter implements PairVisitor {
  same = 0;
  different = 0;
  private readonly limitAA: number;
  private readonly limitBB: number;
  private readonly limitAB: number;

  constructor(
    private readonly numTypeA: number,
    sizeA: number,
    sizeB: number,
  ) {
    this.limitAA = (2 * sizeA) ** 2;
    this.limitBB = (2 * sizeB) ** 2;
    this.limitAB = (sizeA + sizeB) ** 2;
  }

  visitPair(a: number, b: number, _dx: number, _dy: number, distanceSquared: number): void {
    const typeA = a < this.numTypeA;
    const typeB = b < this.numTypeA;
    if (typeA && typeB) {
      if (distanceSquared < this.limitAA) this.same++;
    } else if (!typeA && !typeB) {
      if (distanceSquared < this.limitBB) this.same++;
    } else if (distanceSquared < this.limitAB) this.different++;
  }
}
