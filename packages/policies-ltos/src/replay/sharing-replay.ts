import type { Rng, RngState } from "@netmarl/envs";
import { Rng as RngClass } from "@netmarl/envs";
import { decodeTypedArrayInto } from "@netmarl/trainers";

/** Sizes of a {@link SharingReplay}. */
export interface SharingReplayOptions {
  capacity: number;
  numAgents: number;
  obsDim: number;
  /** Width of w_in per agent. */
  inWidth: number;
  /** Neighbour-row width per agent (self excluded). */
  maxNeighbors: number;
}

/** A minibatch gathered from a {@link SharingReplay}: every array is [batch × N × …]. */
export interface SharingBatch {
  size: number;
  obs: Float32Array;
  nextObs: Float32Array;
  wIn: Float32Array;
  actions: Int32Array;
  shapedRewards: Float32Array;
  terminated: Float32Array;
  rows: Int32Array;
  nextRows: Int32Array;
}

/**
 * One ring buffer per agent — B_i of Algorithm 1, each holding (o_i, w_in_i, a_i, r̂_i, o'_i, N_i) —
 * stored side by side in flat arrays, and one replay sampler per agent. The samplers are the
 * **unified PRNG** (appendix C): all are forked from the same key with the same stream id, so they
 * start equal and, drawing the same counts, every agent's minibatch holds the same time steps —
 * which is what lets agent j's g_ij refer to transitions agent i also trains on. `sample` gathers
 * each agent's rows with that agent's own indices and checks that they coincide.
 */
export class SharingReplay {
  readonly capacity: number;
  private readonly numAgents: number;
  private readonly obsDim: number;
  private readonly inWidth: number;
  private readonly maxNeighbors: number;
  private readonly obs: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly wIn: Float32Array;
  private readonly actions: Int32Array;
  private readonly shapedRewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly rows: Int32Array;
  private readonly nextRows: Int32Array;
  private samplers: Rng[];
  private added = 0;

  constructor(options: SharingReplayOptions, replayRng: Rng) {
    const { capacity, numAgents: n, obsDim, inWidth, maxNeighbors } = options;
    this.capacity = capacity;
    this.numAgents = n;
    this.obsDim = obsDim;
    this.inWidth = inWidth;
    this.maxNeighbors = maxNeighbors;
    this.obs = new Float32Array(capacity * n * obsDim);
    this.nextObs = new Float32Array(capacity * n * obsDim);
    this.wIn = new Float32Array(capacity * n * inWidth);
    this.actions = new Int32Array(capacity * n);
    this.shapedRewards = new Float32Array(capacity * n);
    this.terminated = new Uint8Array(capacity * n);
    this.rows = new Int32Array(capacity * n * maxNeighbors);
    this.nextRows = new Int32Array(capacity * n * maxNeighbors);
    this.samplers = Array.from({ length: n }, () => replayRng.fork("unified-replay"));
  }

  get size(): number {
    return Math.min(this.added, this.capacity);
  }

  /** Stores one step for every agent (copies). */
  add(step: {
    obs: Float32Array;
    nextObs: Float32Array;
    wIn: Float32Array;
    actions: ArrayLike<number>;
    shapedRewards: Float32Array;
    terminated: Uint8Array;
    rows: Int32Array;
    nextRows: Int32Array;
  }): void {
    const slot = this.added % this.capacity;
    const { numAgents: n, obsDim, inWidth, maxNeighbors } = this;
    this.obs.set(step.obs.subarray(0, n * obsDim), slot * n * obsDim);
    this.nextObs.set(step.nextObs.subarray(0, n * obsDim), slot * n * obsDim);
    this.wIn.set(step.wIn.subarray(0, n * inWidth), slot * n * inWidth);
    for (let i = 0; i < n; i++) this.actions[slot * n + i] = step.actions[i];
    this.shapedRewards.set(step.shapedRewards.subarray(0, n), slot * n);
    this.terminated.set(step.terminated.subarray(0, n), slot * n);
    this.rows.set(step.rows.subarray(0, n * maxNeighbors), slot * n * maxNeighbors);
    this.nextRows.set(step.nextRows.subarray(0, n * maxNeighbors), slot * n * maxNeighbors);
    this.added++;
  }

  /** A batch with room for `size` transitions. */
  createBatch(size: number): SharingBatch {
    const { numAgents: n, obsDim, inWidth, maxNeighbors } = this;
    return {
      size,
      obs: new Float32Array(size * n * obsDim),
      nextObs: new Float32Array(size * n * obsDim),
      wIn: new Float32Array(size * n * inWidth),
      actions: new Int32Array(size * n),
      shapedRewards: new Float32Array(size * n),
      terminated: new Float32Array(size * n),
      rows: new Int32Array(size * n * maxNeighbors),
      nextRows: new Int32Array(size * n * maxNeighbors),
    };
  }

  /**
   * Every agent draws `indices.length / N` slots from its own sampler (uniform with replacement)
   * into its row of `indices` ([N × count]). Throws if two agents drew different slots — the
   * unified-PRNG invariant.
   */
  drawIndices(indices: Int32Array, count: number): Int32Array {
    const size = this.size;
    if (size === 0) throw new RangeError("SharingReplay.drawIndices: the buffer is empty");
    for (let agent = 0; agent < this.numAgents; agent++) {
      const sampler = this.samplers[agent];
      for (let b = 0; b < count; b++) indices[agent * count + b] = sampler.int(size);
    }
    for (let agent = 1; agent < this.numAgents; agent++) {
      for (let b = 0; b < count; b++) {
        if (indices[agent * count + b] !== indices[b]) {
          throw new Error(
            `SharingReplay: agent ${agent} drew slot ${indices[agent * count + b]} where agent 0 drew ${indices[b]}`,
          );
        }
      }
    }
    return indices;
  }

  /**
   * Gathers transitions `from … from + batch.size` of each agent's index row (`indices` [N × count])
   * into `batch`: agent i's data at position b comes from slot indices[i·count + from + b].
   */
  gather(indices: Int32Array, count: number, from: number, batch: SharingBatch): SharingBatch {
    const { numAgents: n, obsDim, inWidth, maxNeighbors } = this;
    for (let b = 0; b < batch.size; b++) {
      for (let i = 0; i < n; i++) {
        const slot = indices[i * count + from + b];
        const source = slot * n + i;
        const target = b * n + i;
        batch.obs.set(this.obs.subarray(source * obsDim, (source + 1) * obsDim), target * obsDim);
        batch.nextObs.set(this.nextObs.subarray(source * obsDim, (source + 1) * obsDim), target * obsDim);
        batch.wIn.set(this.wIn.subarray(source * inWidth, (source + 1) * inWidth), target * inWidth);
        batch.actions[target] = this.actions[source];
        batch.shapedRewards[target] = this.shapedRewards[source];
        batch.terminated[target] = this.terminated[source];
        const rowsFrom = source * maxNeighbors;
        batch.rows.set(this.rows.subarray(rowsFrom, rowsFrom + maxNeighbors), target * maxNeighbors);
        batch.nextRows.set(this.nextRows.subarray(rowsFrom, rowsFrom + maxNeighbors), target * maxNeighbors);
      }
    }
    return batch;
  }

  /** The filled rows (views until the next `add`) and the samplers' states. */
  state(): Record<string, unknown> {
    const used = this.size;
    const n = this.numAgents;
    return {
      added: this.added,
      samplers: this.samplers.map((sampler) => sampler.getState()),
      obs: this.obs.subarray(0, used * n * this.obsDim),
      nextObs: this.nextObs.subarray(0, used * n * this.obsDim),
      wIn: this.wIn.subarray(0, used * n * this.inWidth),
      actions: this.actions.subarray(0, used * n),
      shapedRewards: this.shapedRewards.subarray(0, used * n),
      terminated: this.terminated.subarray(0, used * n),
      rows: this.rows.subarray(0, used * n * this.maxNeighbors),
      nextRows: this.nextRows.subarray(0, used * n * this.maxNeighbors),
    };
  }

  load(state: Record<string, unknown>): void {
    const where = "ltos.load replay";
    for (const name of [
      "obs",
      "nextObs",
      "wIn",
      "actions",
      "shapedRewards",
      "terminated",
      "rows",
      "nextRows",
    ] as const) {
      decodeTypedArrayInto(state[name], this[name], `${where} ${name}`, true);
    }
    const samplers = state.samplers as RngState[];
    if (!Array.isArray(samplers) || samplers.length !== this.numAgents) {
      throw new RangeError(`${where}: samplers: expected ${this.numAgents} generator states`);
    }
    this.samplers = samplers.map((s) => RngClass.fromState(s));
    this.added = state.added as number;
  }
}
