/**
 * What the four MPE scenarios share: PIC's environment wrapper (`multiagent/environment.py`,
 * spec §2.2) — action decoding, team reward to every agent, 25-step episodes, no termination —
 * plus the NetMARL parts: observation helpers over spatial grids, the k-nearest-agents graph in
 * preallocated CSR buffers, and `snapshot()` / `restore()`.
 *
 * Actions (`actionMode`), per learning agent, with `sensitivity = accel ?? 5.0` as in PIC:
 * - `'discrete'` (default): `Discrete(5)` index — 0 no-op, 1 +x, 2 −x, 3 +y, 4 −y;
 *   u = unit direction × sensitivity (PIC's one-hot vector for that index).
 * - `'pic-vector'`: `Box([5], 0, 1)`, the vector PIC's actors emit (a Gumbel-softmax sample):
 *   u = [a1 − a2, a3 − a4] × sensitivity.
 * - `'continuous'`: `Box([2], −1, 1)` (PIC's `u_range = 1`): u = a × sensitivity.
 */
import { z } from "zod";
import type { EnvInfos, EnvSpec, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { createRng, Rng, type RngState } from "../random/rng.js";
import { packArray } from "../replay/packed-array.js";
import type { MpeScene, MpeState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import type { Space } from "../spaces/space.js";
import type { MpeWorld } from "./mpe-world.js";
import { SpatialGrid } from "./spatial-grid.js";

/** How an agent's action becomes a force (see the module header). */
export type MpeActionMode = "discrete" | "pic-vector" | "continuous";

/**
 * Which neighbours an observation lists first. `'distance'`: nearest by true distance.
 * `'self-offset'`: PIC's n15/n30 (navigation) and n15 (predator–prey) key `|(x − p_self) − p_self|`,
 * i.e. nearest to the point 2·p_self (the values written are still relative positions).
 * `'pic'`: whichever of the two PIC's scenario file of that size uses.
 */
export type MpeObservationSorting = "pic" | "distance" | "self-offset";

/** Options every MPE scenario accepts (zod shape, merged into each scenario's schema). */
export const mpeCommonOptionShape = {
  /** Contact distance rule: `'pic'` (2 × agent 0's size for every pair, PIC's vectorised core) or `'exact'` (size_a + size_b). */
  collisionRule: z.enum(["pic", "exact"]).default("pic"),
  /** Action encoding: `'discrete'` index, PIC's 5-vector `'pic-vector'`, or a 2-D force `'continuous'`. */
  actionMode: z.enum(["discrete", "pic-vector", "continuous"]).default("discrete"),
  /** Neighbour order in observations: `'pic'` (as PIC's file of that size), `'distance'` or `'self-offset'`. */
  observationSorting: z.enum(["pic", "distance", "self-offset"]).default("pic"),
  /** k of the k-nearest-agents graph; defaults to the number of agents in an observation. */
  graphNeighbors: z.number().int().min(1).optional(),
  /** Episode length (PIC's `num_steps = 25`). */
  maxSteps: z.number().int().min(1).default(25),
};

/**
 * The full physical state of an MPE episode. Arrays are copies (x/y interleaved, float64), so a
 * snapshot can be kept, cloned (`structuredClone`) and restored later.
 */
export interface MpeSnapshot {
  /** Environment id the snapshot belongs to (checked by `restore` when present). */
  envId?: string;
  /** Positions of all world agents — learners first, then scripted ones (prey) — 2 per agent. */
  agentPositions: Float64Array | ArrayLike<number>;
  /** Velocities of all world agents, same layout. */
  agentVelocities: Float64Array | ArrayLike<number>;
  /** Positions of all landmarks (the push ball is landmark 0, its target landmark 1), 2 each. */
  landmarkPositions: Float64Array | ArrayLike<number>;
  /** Velocities of all landmarks (non-zero only for the push ball); zeros when omitted. */
  landmarkVelocities?: Float64Array | ArrayLike<number>;
  /** Steps taken in the current episode (the episode is over at `maxSteps`). */
  stepCount: number;
  /** The environment generator's state (drives the next `reset()`); left unchanged when omitted. */
  rng?: RngState;
}

/** A scenario preset: the sizes of one of PIC's scenario files. */
export interface MpePreset {
  /** N of PIC's file (learning agents). */
  numAgents: number;
}

/**
 * The preset whose N is nearest to `numAgents` on a log scale (ties → the smaller preset).
 * Scenarios use it to extend PIC's fixed sizes to any N.
 */
export function nearestPreset<T extends MpePreset>(presets: readonly T[], numAgents: number): T {
  let best = presets[0];
  let bestGap = Number.POSITIVE_INFINITY;
  for (const preset of presets) {
    const gap = Math.abs(Math.log(numAgents) - Math.log(preset.numAgents));
    if (gap < bestGap - 1e-12) {
      best = preset;
      bestGap = gap;
    }
  }
  return best;
}

const MODE_DISCRETE = 0;
const MODE_VECTOR = 1;
const MODE_CONTINUOUS = 2;

/** Settings the base class needs from a scenario. */
export interface MpeEnvSettings {
  id: string;
  /** The scenario's options after defaults (stored in replay headers). */
  options: Record<string, unknown>;
  /** Learning agents (world agents [0, numLearners)). */
  numLearners: number;
  obsDim: number;
  maxSteps: number;
  actionMode: MpeActionMode;
  /** k of the graph. */
  graphNeighbors: number;
  /** True when the observation's agent neighbours are exactly the graph rows (true-distance order, same k). */
  graphFromObservation: boolean;
  /** Largest k of any nearest query the scenario makes. */
  maxQueryNeighbors: number;
  groups?: Int32Array;
}

/** Replay entity kinds (`MpeScene.entityKind`). */
const KIND_AGENT = 0;
const KIND_LANDMARK = 1;
const KIND_SCRIPTED_AGENT = 2;
const KIND_MOVABLE_OBJECT = 3;

export abstract class MpeEnv implements MultiAgentEnv, ReplayableEnv {
  readonly spec: EnvSpec;
  readonly numAgents: number;
  /** The particle world (state arrays are live; prefer `snapshot()` to keep a copy). */
  readonly world: MpeWorld;

  protected rng: Rng;
  protected stepCount = 0;
  protected needsReset = true;
  protected readonly obs: Float32Array;
  protected readonly rewards: Float32Array;
  protected readonly terminated: Uint8Array;
  protected readonly truncated: Uint8Array;
  protected readonly infos: EnvInfos = {};
  /** Action force scale of each learner (`accel ?? 5.0`). */
  protected readonly sensitivity: Float64Array;
  /** Grid over the learners' positions, rebuilt after every physics step. */
  protected readonly learnerGrid: SpatialGrid;
  protected readonly learnerIds: Int32Array;
  /** Pair radius the learner grid must support (e.g. the collision-count threshold). */
  protected learnerPairRadius = 0;
  /** Scratch of the nearest queries. */
  protected readonly nearestIds: Int32Array;
  protected readonly nearestDistanceSquared: Float64Array;

  private readonly actionMode: number;
  private readonly graphNeighbors: number;
  private readonly graphFromObservation: boolean;
  private readonly agentGraph: AgentGraph;
  private graphDirty = true;
  private readonly options: Record<string, unknown>;

  protected constructor(world: MpeWorld, settings: MpeEnvSettings, rng: Rng) {
    this.world = world;
    this.rng = rng;
    this.options = settings.options;
    const n = settings.numLearners;
    this.numAgents = n;
    const actionSpace: Space =
      settings.actionMode === "discrete"
        ? new Discrete(5)
        : settings.actionMode === "pic-vector"
          ? new Box([5], 0, 1)
          : new Box([2], -1, 1);
    this.actionMode =
      settings.actionMode === "discrete"
        ? MODE_DISCRETE
        : settings.actionMode === "pic-vector"
          ? MODE_VECTOR
          : MODE_CONTINUOUS;
    this.spec = {
      id: settings.id,
      numAgents: n,
      obsDim: settings.obsDim,
      observationSpace: new Box([settings.obsDim], Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
      actionSpace,
      stateDim: 0,
      maxSteps: settings.maxSteps,
      ...(settings.groups ? { groups: settings.groups } : {}),
    };
    this.obs = new Float32Array(n * settings.obsDim);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.sensitivity = new Float64Array(n).fill(5);
    this.learnerGrid = new SpatialGrid(n);
    this.learnerIds = new Int32Array(n);
    for (let i = 0; i < n; i++) this.learnerIds[i] = i;
    const scratch = Math.max(1, settings.maxQueryNeighbors, settings.graphNeighbors);
    this.nearestIds = new Int32Array(scratch);
    this.nearestDistanceSquared = new Float64Array(scratch);
    const degree = Math.min(settings.graphNeighbors, n - 1);
    this.graphNeighbors = degree;
    this.graphFromObservation = settings.graphFromObservation;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = i * degree;
    this.agentGraph = new AgentGraph(n, offsets, new Int32Array(n * degree));
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.resetWorld();
    this.stepCount = 0;
    this.needsReset = false;
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.refreshAfterMove();
    return { obs: this.obs, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    if (this.needsReset) {
      throw new Error(`${this.spec.id}.step: the episode is over or never started; call reset()`);
    }
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    this.world.force.fill(0);
    this.applyActions(actions);
    this.applyScriptedActions();
    this.world.step();
    this.stepCount++;
    this.refreshAfterMove();
    this.rewards.fill(this.computeTeamReward());
    if (this.stepCount >= this.spec.maxSteps) {
      this.truncated.fill(1);
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

  /**
   * The current k-nearest-agents graph: row i lists the `graphNeighbors` learners nearest to
   * learner i by true distance (nearest first, ties by index), so i hears from them. The arrays
   * are reused: the graph reflects the latest `reset`/`step`/`restore`.
   */
  graph(): AgentGraph {
    if (this.graphDirty) {
      const k = this.graphNeighbors;
      const row = this.agentGraph.neighbors;
      const position = this.world.position;
      for (let i = 0; i < this.numAgents; i++) {
        const x = position[2 * i];
        const y = position[2 * i + 1];
        this.learnerGrid.nearest(x, y, k, i, this.nearestIds, this.nearestDistanceSquared, 0);
        for (let j = 0; j < k; j++) row[i * k + j] = this.nearestIds[j];
      }
      this.graphDirty = false;
    }
    return this.agentGraph;
  }

  /**
   * Learners are kind 0, scripted agents (prey) 2, fixed landmarks 1, movable ones (the push
   * ball) 3. The bounds cover the current positions and at least [−1, 1]², MPE's usual arena.
   */
  replayScene(): MpeScene {
    const world = this.world;
    const kind = new Uint8Array(world.numEntities);
    for (let e = 0; e < world.numEntities; e++) {
      if (e < this.numAgents) kind[e] = KIND_AGENT;
      else if (e < world.numAgents) kind[e] = KIND_SCRIPTED_AGENT;
      else kind[e] = world.movable[e] === 1 ? KIND_MOVABLE_OBJECT : KIND_LANDMARK;
    }
    const bounds: [number, number, number, number] = [-1, -1, 1, 1];
    for (let e = 0; e < world.numEntities; e++) {
      const x = world.position[2 * e];
      const y = world.position[2 * e + 1];
      const size = world.size[e];
      bounds[0] = Math.min(bounds[0], x - size);
      bounds[1] = Math.min(bounds[1], y - size);
      bounds[2] = Math.max(bounds[2], x + size);
      bounds[3] = Math.max(bounds[3], y + size);
    }
    return {
      kind: "scene",
      family: "mpe",
      numEntities: world.numEntities,
      entityKind: packArray(kind),
      entitySize: packArray(world.size),
      bounds,
    };
  }

  replayState(): MpeState {
    return { position: packArray(this.world.position), velocity: packArray(this.world.velocity) };
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** The team reward of the current state (what every agent receives after a step). */
  teamReward(): number {
    return this.computeTeamReward();
  }

  /** A copy of the full physical state (see {@link MpeSnapshot}). */
  snapshot(): MpeSnapshot {
    const world = this.world;
    const agents = 2 * world.numAgents;
    return {
      envId: this.spec.id,
      agentPositions: world.position.slice(0, agents),
      agentVelocities: world.velocity.slice(0, agents),
      landmarkPositions: world.position.slice(agents),
      landmarkVelocities: world.velocity.slice(agents),
      stepCount: this.stepCount,
      rng: this.rng.getState(),
    };
  }

  /**
   * Sets the state from a snapshot and recomputes the observations (returned as from `reset`).
   * Steps continue from `stepCount`; a snapshot at `maxSteps` needs a `reset()` next.
   */
  restore(snapshot: MpeSnapshot): ResetResult {
    const id = this.spec.id;
    if (snapshot === null || typeof snapshot !== "object") {
      throw new TypeError(`${id}.restore(snapshot): expected an MpeSnapshot object, got ${String(snapshot)}`);
    }
    if (snapshot.envId !== undefined && snapshot.envId !== id) {
      throw new RangeError(`${id}.restore(snapshot): the snapshot is of "${snapshot.envId}", not "${id}"`);
    }
    const world = this.world;
    const agents = 2 * world.numAgents;
    const landmarks = 2 * world.numLandmarks;
    const check = (name: string, values: ArrayLike<number> | undefined, length: number) => {
      if (values === undefined || values.length !== length) {
        throw new RangeError(
          `${id}.restore(snapshot): ${name} has ${values?.length ?? "no"} entries; expected ${length} (x, y per entity)`,
        );
      }
      for (let i = 0; i < length; i++) {
        if (!Number.isFinite(values[i])) {
          throw new RangeError(`${id}.restore(snapshot): ${name}[${i}] = ${values[i]} is not finite`);
        }
      }
    };
    check("agentPositions", snapshot.agentPositions, agents);
    check("agentVelocities", snapshot.agentVelocities, agents);
    check("landmarkPositions", snapshot.landmarkPositions, landmarks);
    if (snapshot.landmarkVelocities !== undefined)
      check("landmarkVelocities", snapshot.landmarkVelocities, landmarks);
    const steps = snapshot.stepCount;
    if (!Number.isInteger(steps) || steps < 0 || steps > this.spec.maxSteps) {
      throw new RangeError(
        `${id}.restore(snapshot): stepCount = ${steps}; expected an integer in [0, ${this.spec.maxSteps}]`,
      );
    }
    const rng = snapshot.rng === undefined ? undefined : Rng.fromState(snapshot.rng);
    for (let i = 0; i < agents; i++) {
      world.position[i] = snapshot.agentPositions[i];
      world.velocity[i] = snapshot.agentVelocities[i];
    }
    for (let i = 0; i < landmarks; i++) {
      world.position[agents + i] = snapshot.landmarkPositions[i];
      world.velocity[agents + i] = snapshot.landmarkVelocities?.[i] ?? 0;
    }
    if (rng !== undefined) this.rng = rng;
    this.stepCount = steps;
    this.needsReset = steps >= this.spec.maxSteps;
    this.terminated.fill(0);
    this.truncated.fill(this.needsReset ? 1 : 0);
    this.onLandmarksPlaced();
    this.refreshAfterMove();
    return { obs: this.obs, infos: this.infos };
  }

  /** Places every entity for a new episode (draws from `this.rng`) and calls `onLandmarksPlaced`. */
  protected abstract resetWorld(): void;
  /** Rebuilds what depends on landmark positions only (static landmark grids). */
  protected abstract onLandmarksPlaced(): void;
  /** Rebuilds the scenario's own grids after the agents moved (the learner grid is already built). */
  protected abstract refreshScenarioIndexes(): void;
  /** Writes every learner's observation into `obs`. */
  protected abstract writeObservations(): void;
  /** PIC's team reward of the current state. */
  protected abstract computeTeamReward(): number;
  /** Sets the forces of scripted agents (predator–prey's prey); none by default. */
  protected applyScriptedActions(): void {}

  /**
   * Writes the relative positions of the `k` entities of `grid` nearest to entity `self`
   * (ordered by `sorting`, ties by index) at `obs[offset…]`, zero-padding when fewer exist.
   * The ids stay in `nearestIds`; returns how many were found.
   */
  protected writeNearest(
    grid: SpatialGrid,
    self: number,
    k: number,
    selfOffsetKey: boolean,
    offset: number,
  ): number {
    const position = this.world.position;
    const px = position[2 * self];
    const py = position[2 * self + 1];
    const qx = selfOffsetKey ? 2 * px : px;
    const qy = selfOffsetKey ? 2 * py : py;
    const found = grid.nearest(qx, qy, k, self, this.nearestIds, this.nearestDistanceSquared, 0);
    const obs = this.obs;
    for (let j = 0; j < found; j++) {
      const e = this.nearestIds[j];
      obs[offset + 2 * j] = position[2 * e] - px;
      obs[offset + 2 * j + 1] = position[2 * e + 1] - py;
    }
    obs.fill(0, offset + 2 * found, offset + 2 * k);
    return found;
  }

  /** Writes [v_self, p_self] at `offset`. */
  protected writeSelf(self: number, offset: number): void {
    const obs = this.obs;
    obs[offset] = this.world.velocity[2 * self];
    obs[offset + 1] = this.world.velocity[2 * self + 1];
    obs[offset + 2] = this.world.position[2 * self];
    obs[offset + 3] = this.world.position[2 * self + 1];
  }

  /** Stores the agent neighbours just found for learner i as graph row i (true-distance order only). */
  protected recordGraphRow(i: number, found: number): void {
    if (!this.graphFromObservation) return;
    // found = min(k, N − 1) = the graph's degree, because the scenario only sets
    // graphFromObservation when the observation's k equals the graph's k.
    const k = this.graphNeighbors;
    const row = this.agentGraph.neighbors;
    for (let j = 0; j < k && j < found; j++) row[i * k + j] = this.nearestIds[j];
  }

  private refreshAfterMove(): void {
    this.learnerGrid.build(this.world.position, this.learnerIds, this.numAgents, this.learnerPairRadius);
    this.refreshScenarioIndexes();
    this.writeObservations();
    this.graphDirty = !this.graphFromObservation;
  }

  private applyActions(actions: ArrayLike<number>): void {
    const force = this.world.force;
    const mode = this.actionMode;
    for (let i = 0; i < this.numAgents; i++) {
      let ux = 0;
      let uy = 0;
      if (mode === MODE_DISCRETE) {
        const a = actions[i];
        if (a === 1) ux = 1;
        else if (a === 2) ux = -1;
        else if (a === 3) uy = 1;
        else if (a === 4) uy = -1;
      } else if (mode === MODE_VECTOR) {
        ux = actions[5 * i + 1] - actions[5 * i + 2];
        uy = actions[5 * i + 3] - actions[5 * i + 4];
      } else {
        ux = actions[2 * i];
        uy = actions[2 * i + 1];
      }
      const s = this.sensitivity[i];
      force[2 * i] = ux * s;
      force[2 * i + 1] = uy * s;
    }
  }
}

/**
 * k of a scenario's k-nearest-agents graph: the `graphNeighbors` option, else `fallback` (the
 * observation's k, clamped to N − 1 by the env). An explicit k above N − 1 is refused rather than
 * silently clamped, so an ablation over k never runs a different k than it names.
 */
export function graphDegree(
  requested: number | undefined,
  fallback: number,
  numAgents: number,
  id: string,
): number {
  if (requested !== undefined && requested > numAgents - 1) {
    throw new RangeError(
      `${id} options: graphNeighbors = ${requested} is larger than N − 1 = ${numAgents - 1} (numAgents = ${numAgents})`,
    );
  }
  return requested ?? fallback;
}
