/**
 * # Cooperative navigation (`mpe/cooperative-navigation`; PIC's `simple_spread_n{3,15,30,100,200}`)
 *
 * | | |
 * |---|---|
 * | Agents | N learners (any N ≥ 1; PIC's sizes 15, 30, 100, 200, and 3 for the parity fixture), N landmarks |
 * | Actions | `Discrete(5)` (0 no-op, 1 +x, 2 −x, 3 +y, 4 −y) × sensitivity 5; or `actionMode` `'pic-vector'` (`Box([5], 0, 1)`) / `'continuous'` (`Box([2], −1, 1)`) |
 * | Observation | `[v_self (2), p_self (2), rel. pos. of the kL nearest landmarks (2·kL), rel. pos. of the kA nearest other agents (2·kA)]`, kA = 5, kL = kA + 1 → **26** (N = 3: kA = 2 → 14); missing neighbours are zeros |
 * | Reward | team reward to every agent: −Σ_landmarks min_agents ‖p_a − p_l‖ − n_collide, n_collide = ordered pairs (i ≠ j) with ‖p_i − p_j‖ < 2·0.15 (each colliding pair costs 2) |
 * | Termination | none; truncated after 25 steps |
 * | Reset | agents ~ U(−R, R)², v = 0; landmarks: Bridson Poisson-disc sites on [0, 2R]² at spacing 0.675 (= 0.15·4.5), resampled until ≥ N, N drawn without replacement, minus R |
 * | Physics | agents size 0.15, mass 1, no max speed; landmarks static, no contact; {@link MpeWorld} (dt 0.1, damping 0.25, contact 100, margin 1e-3; `collisionRule` `'pic'` = 2·0.15 for every pair) |
 * | Graph | k nearest agents by true distance (k = `graphNeighbors`, default kA) |
 * | Source | `IouJenLiu/PIC` @ 59a61b3 `multiagent-particle-envs/multiagent/scenarios/simple_spread_n{3,15,30,100,200}.py`, `core_vec.py`, `environment.py`; spec §2.3 |
 *
 * Sizes by N (PIC's files): R = 3 / 2.2 / 3 / 5 / 7 for N = 3 / 15 / 30 / 100 / 200. Any other N
 * takes the preset nearest on a log scale and scales R by √(N / N_preset), keeping the preset's
 * agent density (so N = 1000 gets R = 7·√5 ≈ 15.7, where 1000 landmark sites fit).
 *
 * Observation order (`observationSorting: 'pic'`): PIC's n15 and n30 files sort by
 * `|(x − p_self) − p_self|` (the nearest to 2·p_self; spec §2.3 quirk), the n3, n100 and n200 files
 * by true distance; other N follow their preset. Ties are broken by index (numpy's argsort order is
 * unspecified for ties).
 *
 * Deviations: our generator is not Python's, so reset states differ from PIC's for the same seed
 * (parity is checked by restoring PIC's recorded states); PIC's n15/n30 build an *unseeded*
 * `random.Random()` for the landmarks, we seed everything.
 */
import { z } from "zod";
import { parseOptions } from "../env/parse-options.js";
import { createRng, type Rng } from "../random/rng.js";
import { LandmarkPlacement } from "./landmark-placement.js";
import { graphDegree, MpeEnv, type MpePreset, mpeCommonOptionShape, nearestPreset } from "./mpe-env.js";
import { MpeWorld } from "./mpe-world.js";
import { type PairVisitor, SpatialGrid } from "./spatial-grid.js";

interface NavigationPreset extends MpePreset {
  worldRadius: number;
  numObservedAgents: number;
  picSorting: "distance" | "self-offset";
}

/** PIC's `simple_spread_n*` sizes. */
export const COOPERATIVE_NAVIGATION_PRESETS: readonly NavigationPreset[] = [
  { numAgents: 3, worldRadius: 3, numObservedAgents: 2, picSorting: "distance" },
  { numAgents: 15, worldRadius: 2.2, numObservedAgents: 5, picSorting: "self-offset" },
  { numAgents: 30, worldRadius: 3, numObservedAgents: 5, picSorting: "self-offset" },
  { numAgents: 100, worldRadius: 5, numObservedAgents: 5, picSorting: "distance" },
  { numAgents: 200, worldRadius: 7, numObservedAgents: 5, picSorting: "distance" },
];

const optionsSchema = z
  .object({
    /** Number of agents N (and of landmarks unless `numLandmarks` is given). */
    numAgents: z.number().int().min(1).max(100_000).default(15),
    /** Number of landmarks L; PIC uses L = N. */
    numLandmarks: z.number().int().min(1).max(100_000).optional(),
    /** World radius R; defaults to PIC's value for N (scaled by √(N / N_preset) between sizes). */
    worldRadius: z.number().positive().max(1e6).optional(),
    /** Agent radius (PIC: 0.15); also sets the landmark spacing 4.5 × size and the collision threshold 2 × size. */
    agentSize: z.number().positive().default(0.15),
    /** Other agents in an observation, kA (PIC's `n_others`: 5, or 2 for N = 3). */
    numObservedAgents: z.number().int().min(1).optional(),
    /** Landmarks in an observation, kL (PIC: `n_others + 1`). */
    numObservedLandmarks: z.number().int().min(1).optional(),
    ...mpeCommonOptionShape,
  })
  .strict();

export type CooperativeNavigationOptions = z.input<typeof optionsSchema>;

const ID = "mpe/cooperative-navigation";

export class CooperativeNavigation extends MpeEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly worldRadius: number;
  readonly agentSize: number;
  readonly numLandmarks: number;
  readonly numObservedAgents: number;
  readonly numObservedLandmarks: number;
  /** The resolved neighbour order (`'pic'` replaced by the preset's). */
  readonly observationSorting: "distance" | "self-offset";

  private readonly placement: LandmarkPlacement;
  private readonly landmarkGrid: SpatialGrid;
  private readonly landmarkIds: Int32Array;
  private readonly collisions = new PairCounter();
  private readonly collisionThreshold: number;

  constructor(options: CooperativeNavigationOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, `${ID} options`);
    const n = config.numAgents;
    const preset = nearestPreset(COOPERATIVE_NAVIGATION_PRESETS, n);
    const landmarks = config.numLandmarks ?? n;
    const radius = config.worldRadius ?? preset.worldRadius * Math.sqrt(n / preset.numAgents);
    const kA = config.numObservedAgents ?? preset.numObservedAgents;
    const kL = config.numObservedLandmarks ?? kA + 1;
    const sorting = config.observationSorting === "pic" ? preset.picSorting : config.observationSorting;
    const graphK = graphDegree(config.graphNeighbors, kA, n, ID);
    const world = new MpeWorld({
      numAgents: n,
      numLandmarks: landmarks,
      collisionRule: config.collisionRule,
    });
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
      },
      rng,
    );
    this.worldRadius = radius;
    this.agentSize = config.agentSize;
    this.numLandmarks = landmarks;
    this.numObservedAgents = kA;
    this.numObservedLandmarks = kL;
    this.observationSorting = sorting;
    for (let i = 0; i < n; i++) world.size[i] = config.agentSize;
    for (let l = 0; l < landmarks; l++) {
      world.collide[n + l] = 0;
      world.movable[n + l] = 0;
    }
    world.finalizeProperties();
    this.collisionThreshold = 2 * config.agentSize;
    this.learnerPairRadius = this.collisionThreshold;
    this.placement = new LandmarkPlacement(radius, config.agentSize * 4.5, landmarks);
    this.landmarkGrid = new SpatialGrid(landmarks);
    this.landmarkIds = new Int32Array(landmarks);
    for (let l = 0; l < landmarks; l++) this.landmarkIds[l] = n + l;
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
    this.landmarkGrid.build(this.world.position, this.landmarkIds, this.numLandmarks, 0);
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
    for (let l = 0; l < this.numLandmarks; l++) {
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
    this.collisions.count = 0;
    this.learnerGrid.forEachPairWithin(this.collisionThreshold, this.collisions);
    // PIC counts ordered pairs: (dist < th).sum() − N over the N × N matrix.
    return -coverage - 2 * this.collisions.count;
  }
}

/** Counts the unordered pairs it is shown. */
class PairCounter implements PairVisitor {
  count = 0;
  visitPair(): void {
    this.count++;
  }
}
