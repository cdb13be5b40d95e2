/**
 * The physics of PIC's vectorised particle world (`IouJenLiu/PIC` @ 59a61b3,
 * `multiagent-particle-envs/multiagent/core_vec.py`, `World.step`; spec §2.1) on flat typed
 * arrays, with the contact forces found through a {@link SpatialGrid}.
 *
 * One step, as in PIC: the caller writes each agent's action force into `force`; contact forces
 * are added (`apply_environment_force_vec`); every movable entity integrates
 * `v ← v·(1 − damping) + (F / m)·dt`, clamps |v| to its max speed where it has one, then
 * `p ← p + v·dt` (semi-implicit Euler).
 *
 * Contact force on a from b (both `collide`, a movable, a ≠ b), with Δ = p_a − p_b, d = |Δ| and
 * k = contact margin: `F_ab = contactForce · Δ/d · k·log(1 + exp(−(d − d_min)/k))`.
 * `d_min` depends on the collision rule: `'pic'` uses `2 × size of agent 0` for **every** pair
 * (PIC's `World.entities` sets `dist_min = 2 * agents[0].size` and the vectorised force uses it
 * for agent–landmark and mixed-size pairs too — the published numbers came from this);
 * `'exact'` uses `size_a + size_b` as PIC's non-vectorised `core.py` does.
 *
 * Deviation: two distinct entities at exactly the same point make PIC divide 0 by 0 and fill the
 * world with NaN; here such a pair exerts no force (its direction is undefined).
 */
import { type PairVisitor, SpatialGrid } from "./spatial-grid.js";

/** PIC's world constants (`core_vec.World.__init__`). */
export const MPE_PHYSICS = {
  /** Integration step dt. */
  timeStep: 0.1,
  /** Velocity damping per step. */
  damping: 0.25,
  /** Contact stiffness (`contact_force`). */
  contactForce: 100,
  /** Softplus width k of the penetration (`contact_margin`). */
  contactMargin: 1e-3,
} as const;

/** How the contact distance `d_min` of a pair is chosen (see the module header). */
export type CollisionRule = "pic" | "exact";

/**
 * Penetration depth beyond which the contact force is exactly 0 in float32, so pairs farther
 * apart than `d_min + contactCutoff(...)` can be skipped without changing a float32 result.
 *
 * Derivation. With x = d − d_min the force magnitude is F(x) = C·k·log(1 + e^(−x/k)), and since
 * log(1 + y) ≤ y, F(x) ≤ C·k·e^(−x/k); each component is |Δ_c/d|·F ≤ F. Float32's smallest
 * positive value is the subnormal 2^−149; under round-to-nearest-even every magnitude ≤ 2^−150
 * (half of it; the tie rounds to the even 0) becomes 0. We ask for F ≤ 2^−151, a factor 2 below
 * that, so the float64 rounding of d − d_min and of exp can never lift a skipped force over the
 * tie: C·k·e^(−x/k) ≤ 2^−151 exactly when x ≥ k·(151·ln 2 + ln(C·k)). With PIC's C = 100,
 * k = 1e−3 that is 1e−3·(104.665 − 2.303) = 0.10236: a pair more than 0.1024 beyond contact
 * contributes exactly +0 in float32 — skipping it is exact there — and less than 2^−151 ≈ 3.5·10^−46
 * per pair in float64, 40 orders of magnitude below any tolerance we compare with. (Being "below
 * float32 resolution relative to the other forces" would not do: an agent's other forces can all
 * be 0; underflow to zero does not depend on them.)
 */
export function contactCutoff(contactForce: number, contactMargin: number): number {
  return Math.max(0, contactMargin * (151 * Math.LN2 + Math.log(contactForce * contactMargin)));
}

/** Magnitude of the contact force at penetration depth `d_min − d` (a negative depth = a gap). */
export function contactForceMagnitude(
  distance: number,
  distanceMin: number,
  contactForce: number = MPE_PHYSICS.contactForce,
  contactMargin: number = MPE_PHYSICS.contactMargin,
): number {
  return contactForce * contactMargin * softplus(-(distance - distanceMin) / contactMargin);
}

/** log(1 + e^z) without overflow: numpy's `logaddexp(0, z)`. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The entities of a world: agents first (movable), then landmarks. */
export interface MpeWorldLayout {
  /** Number of agents (learners and scripted agents); entities [0, numAgents). */
  numAgents: number;
  /** Number of landmarks (including movable ones such as a ball). */
  numLandmarks: number;
  collisionRule: CollisionRule;
}

/** Particle world state and properties as flat arrays, entity-major, x/y interleaved. */
export class MpeWorld {
  readonly numAgents: number;
  readonly numLandmarks: number;
  readonly numEntities: number;
  readonly collisionRule: CollisionRule;
  /** Positions, 2 per entity. */
  readonly position: Float64Array;
  /** Velocities, 2 per entity. */
  readonly velocity: Float64Array;
  /** Forces of the current step, 2 per entity (the caller writes the action forces). */
  readonly force: Float64Array;
  /** Radius of each entity. */
  readonly size: Float64Array;
  /** Mass of each entity. */
  readonly mass: Float64Array;
  /** Speed limit of each entity (Infinity = none, PIC's `max_speed = None`). */
  readonly maxSpeed: Float64Array;
  /** 1 where the entity moves (agents, a pushed ball). */
  readonly movable: Uint8Array;
  /** 1 where the entity takes part in contacts. */
  readonly collide: Uint8Array;
  readonly timeStep = MPE_PHYSICS.timeStep;
  readonly damping = MPE_PHYSICS.damping;
  readonly contactForce = MPE_PHYSICS.contactForce;
  readonly contactMargin = MPE_PHYSICS.contactMargin;
  /** Extra distance beyond contact where the force is exactly 0 in float32 ({@link contactCutoff}). */
  readonly contactCutoff: number;

  private colliderIds = new Int32Array(0);
  private numColliders = 0;
  private pairRadius = 0;
  private readonly grid: SpatialGrid;
  private readonly contacts: ContactVisitor;

  constructor(layout: MpeWorldLayout) {
    this.numAgents = layout.numAgents;
    this.numLandmarks = layout.numLandmarks;
    const n = layout.numAgents + layout.numLandmarks;
    this.numEntities = n;
    this.collisionRule = layout.collisionRule;
    this.position = new Float64Array(2 * n);
    this.velocity = new Float64Array(2 * n);
    this.force = new Float64Array(2 * n);
    this.size = new Float64Array(n).fill(0.05);
    this.mass = new Float64Array(n).fill(1);
    this.maxSpeed = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.movable = new Uint8Array(n);
    this.movable.fill(1, 0, layout.numAgents);
    this.collide = new Uint8Array(n).fill(1);
    this.contactCutoff = contactCutoff(this.contactForce, this.contactMargin);
    this.grid = new SpatialGrid(Math.max(1, n));
    this.contacts = new ContactVisitor(this);
  }

  /**
   * Freezes the entity properties (sizes, flags) after a scenario has set them: lists the
   * colliders and the largest contact distance. Call once before the first `step`.
   */
  finalizeProperties(): void {
    const ids: number[] = [];
    for (let e = 0; e < this.numEntities; e++) if (this.collide[e] === 1) ids.push(e);
    this.colliderIds = Int32Array.from(ids);
    this.numColliders = ids.length;
    let largest = 0;
    let second = 0;
    for (const e of ids) {
      const s = this.size[e];
      if (s > largest) {
        second = largest;
        largest = s;
      } else if (s > second) second = s;
    }
    const maxDistanceMin = this.collisionRule === "pic" ? this.picDistanceMin() : largest + second;
    this.pairRadius = maxDistanceMin + this.contactCutoff;
    this.contacts.distanceMin = this.picDistanceMin();
  }

  /** PIC's vectorised contact distance: twice the size of agent 0. */
  picDistanceMin(): number {
    return 2 * this.size[0];
  }

  /** Adds the contact forces to `force` and integrates one step of dt. */
  step(): void {
    this.addContactForces();
    this.integrate();
  }

  /** Contact forces of all colliding pairs within reach (exactly the non-zero float32 ones). */
  addContactForces(): void {
    if (this.numColliders < 2) return;
    this.grid.build(this.position, this.colliderIds, this.numColliders, this.pairRadius);
    this.grid.forEachPairWithin(this.pairRadius, this.contacts);
  }

  private integrate(): void {
    const keep = 1 - this.damping;
    const dt = this.timeStep;
    const p = this.position;
    const v = this.velocity;
    const f = this.force;
    for (let e = 0; e < this.numEntities; e++) {
      if (this.movable[e] === 0) continue;
      const m = this.mass[e];
      let vx = v[2 * e] * keep + (f[2 * e] / m) * dt;
      let vy = v[2 * e + 1] * keep + (f[2 * e + 1] / m) * dt;
      const limit = this.maxSpeed[e];
      if (limit !== Number.POSITIVE_INFINITY) {
        const speed = Math.sqrt(vx * vx + vy * vy);
        if (speed > limit) {
          vx = (vx / speed) * limit;
          vy = (vy / speed) * limit;
        }
      }
      v[2 * e] = vx;
      v[2 * e + 1] = vy;
      p[2 * e] += vx * dt;
      p[2 * e + 1] += vy * dt;
    }
  }
}

/** Applies the softplus contact force to each close pair found by the grid. */
class ContactVisitor implements PairVisitor {
  distanceMin = 0;
  constructor(private readonly world: MpeWorld) {}

  visitPair(a: number, b: number, dx: number, dy: number, distanceSquared: number): void {
    const world = this.world;
    const movableA = world.movable[a] === 1;
    const movableB = world.movable[b] === 1;
    if (!movableA && !movableB) return;
    if (distanceSquared === 0) return; // coincident: no direction (PIC would produce NaN)
    const distance = Math.sqrt(distanceSquared);
    const distanceMin = world.collisionRule === "pic" ? this.distanceMin : world.size[a] + world.size[b];
    const gap = distance - distanceMin;
    if (gap >= world.contactCutoff) return; // the force is exactly 0 in float32 (see contactCutoff)
    const k = world.contactMargin;
    const scale = (world.contactForce * k * softplus(-gap / k)) / distance;
    const fx = dx * scale;
    const fy = dy * scale;
    const force = world.force;
    if (movableA) {
      force[2 * a] += fx;
      force[2 * a + 1] += fy;
    }
    if (movableB) {
      force[2 * b] -= fx;
      force[2 * b + 1] -= fy;
    }
  }
}
