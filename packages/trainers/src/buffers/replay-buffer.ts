import type { AgentGraph, Rng } from "@netmarl/envs";
import type { Transition } from "../contracts/learner.js";
import type { StateArray } from "../persistence/state-file.js";
import { decodeTypedArrayInto } from "../persistence/typed-array-codec.js";
import { DistinctIndexSampler } from "./distinct-index-sampler.js";
import { requirePositiveIntegers } from "./require-positive-integers.js";

/** Shape of what a {@link ReplayBuffer} stores per transition. */
export interface ReplayBufferOptions {
  /** Transitions kept; the oldest is overwritten first. */
  capacity: number;
  numAgents: number;
  obsDim: number;
  /** Entries of one agent's action (1 for `Discrete`). */
  actionSize: number;
  /** Entries of the global state; 0 to store none. */
  stateDim?: number;
  /**
   * Neighbours stored per agent for the graph of each step (rows padded with -1); 0 stores no graph.
   * Graph-based learners (DGN, LToS) need the graph the actions were chosen on.
   */
  maxNeighbors?: number;
}

/** Serialised contents of a {@link ReplayBuffer}. */
export interface ReplayBufferState {
  cursor: number;
  filled: number;
  arrays: Record<string, StateArray>;
}

/** A minibatch in flat typed arrays, [batch][agent][entry] order; reused between samples. */
export interface ReplayBatch {
  size: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  /** 1 where the agent's episode terminated (bootstrap stops); truncation is not stored as an end. */
  terminated: Float32Array;
  state: Float32Array;
  nextState: Float32Array;
  /** [batch][agent][maxNeighbors] neighbour ids, -1 for padding. */
  neighbors: Int32Array;
}

/**
 * Multi-agent experience replay on flat typed arrays with uniform sampling from an explicit `Rng`.
 * For LToS' decentralised "unified sampling", agents' buffers of the same fill level sample the
 * same indices when each calls {@link ReplayBuffer.sampleIndices} with generators in the same state.
 */
export class ReplayBuffer {
  readonly capacity: number;
  readonly numAgents: number;
  readonly obsDim: number;
  readonly actionSize: number;
  readonly stateDim: number;
  readonly maxNeighbors: number;
  private readonly obs: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly states: Float32Array;
  private readonly nextStates: Float32Array;
  private readonly neighbors: Int32Array;
  private cursor = 0;
  private filled = 0;
  private distinct: DistinctIndexSampler | undefined;

  constructor(options: ReplayBufferOptions) {
    requirePositiveIntegers("ReplayBuffer options", options, [
      "capacity",
      "numAgents",
      "obsDim",
      "actionSize",
    ] as const);
    this.capacity = options.capacity;
    this.numAgents = options.numAgents;
    this.obsDim = options.obsDim;
    this.actionSize = options.actionSize;
    this.stateDim = options.stateDim ?? 0;
    this.maxNeighbors = options.maxNeighbors ?? 0;
    const n = this.numAgents;
    this.obs = new Float32Array(this.capacity * n * this.obsDim);
    this.nextObs = new Float32Array(this.capacity * n * this.obsDim);
    this.actions = new Float32Array(this.capacity * n * this.actionSize);
    this.rewards = new Float32Array(this.capacity * n);
    this.terminated = new Uint8Array(this.capacity * n);
    this.states = new Float32Array(this.capacity * this.stateDim);
    this.nextStates = new Float32Array(this.capacity * this.stateDim);
    this.neighbors = new Int32Array(this.capacity * n * this.maxNeighbors);
  }

  /** Transitions stored so far (at most `capacity`). */
  get size(): number {
    return this.filled;
  }

  /** Copies one transition in. */
  add(transition: Transition): void {
    const slot = this.cursor;
    const n = this.numAgents;
    copyChecked(this.obs, slot * n * this.obsDim, transition.obs, n * this.obsDim, "obs");
    copyChecked(this.nextObs, slot * n * this.obsDim, transition.nextObs, n * this.obsDim, "nextObs");
    copyChecked(this.actions, slot * n * this.actionSize, transition.actions, n * this.actionSize, "actions");
    copyChecked(this.rewards, slot * n, transition.rewards, n, "rewards");
    this.terminated.set(transition.terminated.subarray(0, n), slot * n);
    if (this.stateDim > 0) {
      if (!transition.state || !transition.nextState) {
        throw new RangeError(
          `ReplayBuffer.add: the buffer stores a state of ${this.stateDim}; the transition has none`,
        );
      }
      copyChecked(this.states, slot * this.stateDim, transition.state, this.stateDim, "state");
      copyChecked(this.nextStates, slot * this.stateDim, transition.nextState, this.stateDim, "nextState");
    }
    if (this.maxNeighbors > 0) this.storeGraph(slot, transition.graph);
    this.cursor = (this.cursor + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  /**
   * `batchSize` indices drawn uniformly from the stored transitions: with replacement, or distinct
   * (`withoutReplacement`, Python's `random.sample` as PIC's and DGN's replay memories use).
   */
  sampleIndices(
    batchSize: number,
    rng: Rng,
    out: Int32Array = new Int32Array(batchSize),
    withoutReplacement = false,
  ): Int32Array {
    if (this.filled === 0) throw new RangeError("ReplayBuffer.sampleIndices: the buffer is empty");
    if (withoutReplacement) {
      this.distinct ??= new DistinctIndexSampler(this.capacity);
      return this.distinct.sample(batchSize, this.filled, rng, out);
    }
    for (let b = 0; b < batchSize; b++) out[b] = rng.int(this.filled);
    return out;
  }

  /** Preallocated batch arrays for `gather`. */
  createBatch(batchSize: number): ReplayBatch {
    const n = this.numAgents;
    return {
      size: batchSize,
      obs: new Float32Array(batchSize * n * this.obsDim),
      actions: new Float32Array(batchSize * n * this.actionSize),
      rewards: new Float32Array(batchSize * n),
      nextObs: new Float32Array(batchSize * n * this.obsDim),
      terminated: new Float32Array(batchSize * n),
      state: new Float32Array(batchSize * this.stateDim),
      nextState: new Float32Array(batchSize * this.stateDim),
      neighbors: new Int32Array(batchSize * n * this.maxNeighbors),
    };
  }

  /** Copies the transitions at `indices` into `batch` (whose size must be `indices.length`). */
  gather(indices: Int32Array, batch: ReplayBatch): ReplayBatch {
    if (batch.size !== indices.length) {
      throw new RangeError(
        `ReplayBuffer.gather: batch holds ${batch.size} but ${indices.length} indices were given`,
      );
    }
    const n = this.numAgents;
    const obsRow = n * this.obsDim;
    const actionRow = n * this.actionSize;
    const graphRow = n * this.maxNeighbors;
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < this.filled)) throw new RangeError(`ReplayBuffer.gather: index ${i} is not stored`);
      batch.obs.set(this.obs.subarray(i * obsRow, (i + 1) * obsRow), b * obsRow);
      batch.nextObs.set(this.nextObs.subarray(i * obsRow, (i + 1) * obsRow), b * obsRow);
      batch.actions.set(this.actions.subarray(i * actionRow, (i + 1) * actionRow), b * actionRow);
      batch.rewards.set(this.rewards.subarray(i * n, (i + 1) * n), b * n);
      for (let a = 0; a < n; a++) batch.terminated[b * n + a] = this.terminated[i * n + a];
      if (this.stateDim > 0) {
        const row = this.stateDim;
        batch.state.set(this.states.subarray(i * row, (i + 1) * row), b * row);
        batch.nextState.set(this.nextStates.subarray(i * row, (i + 1) * row), b * row);
      }
      if (graphRow > 0)
        batch.neighbors.set(this.neighbors.subarray(i * graphRow, (i + 1) * graphRow), b * graphRow);
    }
    return batch;
  }

  /** `sampleIndices` then `gather`. */
  sample(
    batch: ReplayBatch,
    rng: Rng,
    indices: Int32Array = new Int32Array(batch.size),
    withoutReplacement = false,
  ): ReplayBatch {
    return this.gather(this.sampleIndices(batch.size, rng, indices, withoutReplacement), batch);
  }

  /**
   * Everything stored, for checkpoints: the filled rows only, as **views** valid until the buffer
   * next changes — write them (or copy) before adding more. A full PIC replay at N = 30 is ≈ 7 GB;
   * a copy per checkpoint would double that.
   */
  state(): ReplayBufferState {
    const rows = this.filled;
    return {
      cursor: this.cursor,
      filled: this.filled,
      arrays: Object.fromEntries(
        this.namedArrays().map(([name, array]) => [
          name,
          array.subarray(0, (array.length / this.capacity) * rows),
        ]),
      ),
    };
  }

  /** Restores {@link ReplayBuffer.state} into a buffer of the same shape. */
  load(state: ReplayBufferState): void {
    for (const [name, array] of this.namedArrays()) {
      const stored = state.arrays[name];
      if (stored === undefined) throw new RangeError(`ReplayBuffer.load: the state has no ${name}`);
      const rowLength = array.length / this.capacity;
      if (stored.length !== rowLength * state.filled) {
        throw new RangeError(
          `ReplayBuffer.load ${name}: ${stored.length} entries for ${state.filled} rows of ${rowLength}`,
        );
      }
      decodeTypedArrayInto(stored, array, `ReplayBuffer.load ${name}`, true);
    }
    this.cursor = state.cursor;
    this.filled = state.filled;
  }

  private namedArrays(): [string, Float32Array | Int32Array | Uint8Array][] {
    return [
      ["obs", this.obs],
      ["nextObs", this.nextObs],
      ["actions", this.actions],
      ["rewards", this.rewards],
      ["terminated", this.terminated],
      ["states", this.states],
      ["nextStates", this.nextStates],
      ["neighbors", this.neighbors],
    ];
  }

  private storeGraph(slot: number, graph: AgentGraph): void {
    const k = this.maxNeighbors;
    const base = slot * this.numAgents * k;
    this.neighbors.fill(-1, base, base + this.numAgents * k);
    for (let agent = 0; agent < this.numAgents; agent++) {
      const start = graph.offsets[agent];
      const degree = graph.offsets[agent + 1] - start;
      if (degree > k) {
        throw new RangeError(
          `ReplayBuffer.add: agent ${agent} has ${degree} neighbours; the buffer stores at most maxNeighbors = ${k}`,
        );
      }
      for (let e = 0; e < degree; e++) this.neighbors[base + agent * k + e] = graph.neighbors[start + e];
    }
  }
}

function copyChecked(
  target: Float32Array,
  offset: number,
  source: ArrayLike<number>,
  expected: number,
  name: string,
): void {
  if (source.length !== expected) {
    throw new RangeError(`ReplayBuffer.add: ${name} has ${source.length} entries; expected ${expected}`);
  }
  for (let i = 0; i < expected; i++) target[offset + i] = source[i];
}
