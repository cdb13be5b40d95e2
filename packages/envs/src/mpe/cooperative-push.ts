/**
 * # Cooperative push (`mpe/cooperative-push`; PIC's `simple_coop_push_n{15,30}`)
 *
 * | | |
 * |---|---|
 * | Agents | N learners; one movable ball (landmark 0) and one static target (landmark 1, no contact) |
 * | Actions | `Discrete(5)` (0 no-op, 1 +x, 2 −x, 3 +y, 4 −y) × sensitivity 5; or `'pic-vector'` / `'continuous'` (`actionMode`) |
 * | Observation | `[v_self (2), p_self (2), rel. pos. of ball and target (4), rel. pos. of the k nearest other agents (2k)]`, k = 10 → **28** (n15) or k = 5 → **18** (n30) |
 * | Reward | team reward to every agent: −2·‖ball − target‖ − 0.1·min_a ‖p_a − ball‖ + 0.1·#{a : ‖p_a − ball‖ < size_agent + size_ball} |
 * | Termination | none; truncated after 25 steps |
 * | Reset | agents ~ U(−2, 2)²; ball ~ U(−1.8, 1.8)²; target ~ U(−1.8, 1.8)², redrawn once if within 1 (n15) / 1.2 (n30) of the ball, then accepted |
 * | Physics | {@link MpeWorld}; agents mass 1, no max speed; ball size/mass 0.2/8 (n15), 0.7/4 (n30); in n30 agents 0–9 have no contact at all. With `collisionRule: 'pic'` agent–ball contact happens at 2·size_agent (0.04 / 0.12), not size_agent + size_ball (spec §2.5 note) |
 * | Graph | k nearest agents by true distance (k = `graphNeighbors`, default the observation's k) |
 * | Source | `IouJenLiu/PIC` @ 59a61b3 `multiagent-particle-envs/multiagent/scenarios/simple_coop_push_n{15,30}.py`, `core_vec.py`; spec §2.5 |
 *
 * Sizes by N: the n15 preset (agent size 0.02) for N up to 21, the n30 preset (0.06) above (the
 * nearest on a log scale); R = 2 always; the n30 preset's contact-free agents scale as ⌊N/3⌋
 * (10 of 30). PIC's two files sort agents by true distance, so `'pic'` = `'distance'`. (IP's
 * appendix reports a 28-dim observation for push with N = 100; pass `numObservedAgents: 10` for it.)
 */
import { z } from "zod";
import { parseOptions } from "../env/parse-options.js";
import { createRng, type Rng } from "../random/rng.js";
import { graphDegree, MpeEnv, type MpePreset, mpeCommonOptionShape, nearestPreset } from "./mpe-env.js";
import { MpeWorld } from "./mpe-world.js";

interface PushPreset extends MpePreset {
  agentSize: number;
  ballSize: number;
  ballMass: number;
  numObservedAgents: number;
  minTargetDistance: number;
  /** Fraction of agents (the first ones) without contact. */
  contactFreeFraction: number;
}

/** PIC's `simple_coop_push_n*` sizes. */
export const COOPERATIVE_PUSH_PRESETS: readonly PushPreset[] = [
  {
    numAgents: 15,
    agentSize: 0.02,
    ballSize: 0.2,
    ballMass: 8,
    numObservedAgents: 10,
    minTargetDistance: 1,
    contactFreeFraction: 0,
  },
  {
    numAgents: 30,
    agentSize: 0.06,
    ballSize: 0.7,
    ballMass: 4,
    numObservedAgents: 5,
    minTargetDistance: 1.2,
    contactFreeFraction: 1 / 3,
  },
];

const WORLD_RADIUS = 2;
const TARGET = { size: 0.05, mass: 4 } as const;
/** PIC draws the target at most twice before accepting it. */
const TARGET_TRIES = 2;

const optionsSchema = z
  .object({
    /** Number of agents N. */
    numAgents: z.number().int().min(1).max(100_000).default(15),
    /** Other agents in an observation (PIC: 10 for n15, 5 for n30). */
    numObservedAgents: z.number().int().min(1).optional(),
    /** Agents [0, numContactFree) take no part in contacts (PIC's n30: 10). */
    numContactFree: z.number().int().min(0).optional(),
    ...mpeCommonOptionShape,
  })
  .strict();

export type CooperativePushOptions = z.input<typeof optionsSchema>;

const ID = "mpe/cooperative-push";

export class CooperativePush extends MpeEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly agentSize: number;
  readonly ballSize: number;
  readonly numObservedAgents: number;
  readonly numContactFree: number;
  readonly minTargetDistance: number;
  readonly observationSorting: "distance" | "self-offset";
  readonly worldRadius = WORLD_RADIUS;

  private readonly ball: number;
  private readonly target: number;

  constructor(options: CooperativePushOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, `${ID} options`);
    const n = config.numAgents;
    const preset = nearestPreset(COOPERATIVE_PUSH_PRESETS, n);
    const k = config.numObservedAgents ?? preset.numObservedAgents;
    const contactFree = config.numContactFree ?? Math.floor(n * preset.contactFreeFraction);
    if (contactFree > n) {
      throw new RangeError(`${ID} options: numContactFree = ${contactFree} exceeds numAgents = ${n}`);
    }
    const sorting = config.observationSorting === "self-offset" ? "self-offset" : "distance";
    const graphK = graphDegree(config.graphNeighbors, k, n, ID);
    const world = new MpeWorld({ numAgents: n, numLandmarks: 2, collisionRule: config.collisionRule });
    super(
      world,
      {
        id: ID,
        options: config,
        numLearners: n,
        obsDim: 8 + 2 * k,
        maxSteps: config.maxSteps,
        actionMode: config.actionMode,
        graphNeighbors: graphK,
        graphFromObservation: sorting === "distance" && graphK === k,
        maxQueryNeighbors: k,
      },
      rng,
    );
    this.agentSize = preset.agentSize;
    this.ballSize = preset.ballSize;
    this.numObservedAgents = k;
    this.numContactFree = contactFree;
    this.minTargetDistance = preset.minTargetDistance;
    this.observationSorting = sorting;
    this.ball = n;
    this.target = n + 1;
    for (let i = 0; i < n; i++) {
      world.size[i] = preset.agentSize;
      world.collide[i] = i < contactFree ? 0 : 1;
    }
    world.size[this.ball] = preset.ballSize;
    world.mass[this.ball] = preset.ballMass;
    world.movable[this.ball] = 1;
    world.collide[this.ball] = 1;
    world.size[this.target] = TARGET.size;
    world.mass[this.target] = TARGET.mass;
    world.movable[this.target] = 0;
    world.collide[this.target] = 0;
    world.finalizeProperties();
  }

  protected resetWorld(): void {
    const world = this.world;
    const p = world.position;
    const r = WORLD_RADIUS;
    for (let i = 0; i < this.numAgents; i++) {
      p[2 * i] = this.rng.uniform(-r, r);
      p[2 * i + 1] = this.rng.uniform(-r, r);
    }
    const inner = r - 0.2;
    const ball = this.ball;
    const target = this.target;
    p[2 * ball] = this.rng.uniform(-inner, inner);
    p[2 * ball + 1] = this.rng.uniform(-inner, inner);
    for (let attempt = 0; attempt < TARGET_TRIES; attempt++) {
      p[2 * target] = this.rng.uniform(-inner, inner);
      p[2 * target + 1] = this.rng.uniform(-inner, inner);
      if (
        Math.hypot(p[2 * target] - p[2 * ball], p[2 * target + 1] - p[2 * ball + 1]) > this.minTargetDistance
      )
        break;
    }
    world.velocity.fill(0);
  }

  protected onLandmarksPlaced(): void {}

  protected refreshScenarioIndexes(): void {}

  protected writeObservations(): void {
    const dim = this.spec.obsDim;
    const k = this.numObservedAgents;
    const shifted = this.observationSorting === "self-offset";
    const p = this.world.position;
    const obs = this.obs;
    const ball = this.ball;
    const target = this.target;
    for (let i = 0; i < this.numAgents; i++) {
      const offset = i * dim;
      this.writeSelf(i, offset);
      obs[offset + 4] = p[2 * ball] - p[2 * i];
      obs[offset + 5] = p[2 * ball + 1] - p[2 * i + 1];
      obs[offset + 6] = p[2 * target] - p[2 * i];
      obs[offset + 7] = p[2 * target + 1] - p[2 * i + 1];
      const found = this.writeNearest(this.learnerGrid, i, k, shifted, offset + 8);
      this.recordGraphRow(i, found);
    }
  }

  protected computeTeamReward(): number {
    const p = this.world.position;
    const bx = p[2 * this.ball];
    const by = p[2 * this.ball + 1];
    const threshold = this.agentSize + this.ballSize;
    let nearest = Number.POSITIVE_INFINITY;
    let touching = 0;
    for (let i = 0; i < this.numAgents; i++) {
      const dx = p[2 * i] - bx;
      const dy = p[2 * i + 1] - by;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < nearest) nearest = d;
      if (d < threshold) touching++;
    }
    const gap = Math.hypot(bx - p[2 * this.target], by - p[2 * this.target + 1]);
    return -2 * gap - 0.1 * nearest + 0.1 * touching;
  }
}
