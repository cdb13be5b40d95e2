import { isEpisodeOver, type Rng } from "@netmarl/envs";
import type { Transition } from "../contracts/learner.js";
import type { StateArray } from "../persistence/state-file.js";
import { decodeTypedArrayInto } from "../persistence/typed-array-codec.js";
import { DistinctIndexSampler } from "./distinct-index-sampler.js";
import { requirePositiveIntegers } from "./require-positive-integers.js";

/** Shape of what an {@link EpisodeBuffer} stores. */
export interface EpisodeBufferOptions {
  /** Whole episodes kept; the oldest is overwritten first (pymarl `buffer_size`). */
  capacity: number;
  /** Longest episode in steps (the environment's `maxSteps`); longer ones are cut here. */
  maxLength: number;
  numAgents: number;
  obsDim: number;
  /** Entries of the global state; 0 to store none. */
  stateDim?: number;
}

/** Serialised contents of an {@link EpisodeBuffer}, the episode in progress included. */
export interface EpisodeBufferState {
  cursor: number;
  filled: number;
  stagedLength: number;
  arrays: Record<string, StateArray>;
}

/** The per-episode arrays, [time][agent][entry] inside one episode. */
interface EpisodeArrays {
  /** maxLength + 1 observations: o_0 … o_T (the last one after the final step). */
  obs: Float32Array;
  states: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  /** 1 where the agent's episode terminated at that step (truncation is not an end to bootstrap). */
  terminated: Uint8Array;
}

/**
 * pymarl's episode replay (`src/components/episode_buffer.py`): whole episodes of up to
 * `maxLength` steps, padded, in a ring of `capacity`. The episode in progress is written to a
 * staging area and copied into the ring when it ends (pymarl inserts finished episode batches), so
 * sampling never sees half an episode. {@link EpisodeBuffer.sampleIndices} draws distinct episodes
 * (`np.random.choice(…, replace=False)`, or the first `batchSize` in order when exactly that many
 * are stored, lines 234–241).
 */
export class EpisodeBuffer {
  readonly capacity: number;
  readonly maxLength: number;
  readonly numAgents: number;
  readonly obsDim: number;
  readonly stateDim: number;
  /** Stored episodes in ring order, read by learners building batches. */
  readonly episodes: EpisodeArrays;
  /** Steps of each stored episode. */
  readonly lengths: Int32Array;
  private readonly staged: EpisodeArrays;
  private readonly sampler: DistinctIndexSampler;
  private cursor = 0;
  private filled = 0;
  private stagedLength = 0;

  constructor(options: EpisodeBufferOptions) {
    requirePositiveIntegers("EpisodeBuffer options", options, [
      "capacity",
      "maxLength",
      "numAgents",
      "obsDim",
    ] as const);
    this.capacity = options.capacity;
    this.maxLength = options.maxLength;
    this.numAgents = options.numAgents;
    this.obsDim = options.obsDim;
    this.stateDim = options.stateDim ?? 0;
    const floats = this.capacity * (this.maxLength + 1) * this.numAgents * (this.obsDim + 2);
    if (floats > 2 ** 30) {
      throw new RangeError(
        `EpisodeBuffer: capacity ${this.capacity} × (maxLength ${this.maxLength} + 1) × ${this.numAgents} agents × obsDim ${this.obsDim} needs ${(floats / 2 ** 28).toFixed(1)} GiB (> 4 GiB); lower the buffer's episode capacity`,
      );
    }
    this.episodes = this.allocate(this.capacity);
    this.staged = this.allocate(1);
    this.lengths = new Int32Array(this.capacity);
    this.sampler = new DistinctIndexSampler(this.capacity);
  }

  /** Finished episodes stored (at most `capacity`). */
  get size(): number {
    return this.filled;
  }

  /** Steps of the episode in progress. */
  get currentLength(): number {
    return this.stagedLength;
  }

  /**
   * Copies one step of the episode in progress in; returns true when it ended the episode (every
   * agent terminated or truncated, or `maxLength` steps), which is then stored.
   */
  add(transition: Transition): boolean {
    const { numAgents: n, obsDim, stateDim } = this;
    const t = this.stagedLength;
    const staged = this.staged;
    if (t === 0) {
      copyChecked(staged.obs, 0, transition.obs, n * obsDim, "obs");
      if (stateDim > 0) copyChecked(staged.states, 0, requireState(transition.state), stateDim, "state");
    }
    copyChecked(staged.obs, (t + 1) * n * obsDim, transition.nextObs, n * obsDim, "nextObs");
    if (stateDim > 0) {
      copyChecked(
        staged.states,
        (t + 1) * stateDim,
        requireState(transition.nextState),
        stateDim,
        "nextState",
      );
    }
    copyChecked(staged.actions, t * n, transition.actions, n, "actions");
    copyChecked(staged.rewards, t * n, transition.rewards, n, "rewards");
    copyChecked(staged.terminated, t * n, transition.terminated, n, "terminated");
    this.stagedLength++;
    if (!isEpisodeOver(transition) && this.stagedLength < this.maxLength) return false;
    this.commit();
    return true;
  }

  /** `batchSize` distinct stored episodes (the first `batchSize` when exactly that many are stored). */
  sampleIndices(batchSize: number, rng: Rng, out: Int32Array): Int32Array {
    if (this.filled === batchSize) {
      for (let b = 0; b < batchSize; b++) out[b] = b;
      return out;
    }
    return this.sampler.sample(batchSize, this.filled, rng, out);
  }

  /** Everything stored, the episode in progress included, as views valid until the next `add`. */
  state(): EpisodeBufferState {
    const arrays: Record<string, StateArray> = {};
    for (const [name, array] of Object.entries(this.episodes)) {
      arrays[name] = array.subarray(0, (array.length / this.capacity) * this.filled);
    }
    for (const [name, array] of Object.entries(this.staged)) arrays[`staged-${name}`] = array;
    arrays.lengths = this.lengths.subarray(0, this.filled);
    return { cursor: this.cursor, filled: this.filled, stagedLength: this.stagedLength, arrays };
  }

  /** Restores {@link EpisodeBuffer.state} into a buffer of the same shape. */
  load(state: EpisodeBufferState): void {
    const read = (name: string, target: StateArray, prefix: boolean) => {
      if (state.arrays[name] === undefined)
        throw new RangeError(`EpisodeBuffer.load: the state has no ${name}`);
      decodeTypedArrayInto(state.arrays[name], target, `EpisodeBuffer.load ${name}`, prefix);
    };
    for (const [name, array] of Object.entries(this.episodes)) read(name, array, true);
    for (const [name, array] of Object.entries(this.staged)) read(`staged-${name}`, array, false);
    read("lengths", this.lengths, true);
    this.cursor = state.cursor;
    this.filled = state.filled;
    this.stagedLength = state.stagedLength;
  }

  private commit(): void {
    const slot = this.cursor;
    for (const [name, array] of Object.entries(this.episodes) as [keyof EpisodeArrays, StateArray][]) {
      const source = this.staged[name];
      array.set(source, slot * source.length);
      source.fill(0);
    }
    this.lengths[slot] = this.stagedLength;
    this.stagedLength = 0;
    this.cursor = (this.cursor + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  private allocate(episodes: number): EpisodeArrays {
    const { maxLength: length, numAgents: n } = this;
    return {
      obs: new Float32Array(episodes * (length + 1) * n * this.obsDim),
      states: new Float32Array(episodes * (length + 1) * this.stateDim),
      actions: new Int32Array(episodes * length * n),
      rewards: new Float32Array(episodes * length * n),
      terminated: new Uint8Array(episodes * length * n),
    };
  }
}

function requireState(state: Float32Array | undefined): Float32Array {
  if (state === undefined)
    throw new RangeError("EpisodeBuffer.add: the buffer stores a state; the transition has none");
  return state;
}

function copyChecked(
  target: StateArray,
  offset: number,
  source: ArrayLike<number>,
  expected: number,
  name: string,
): void {
  if (source.length !== expected) {
    throw new RangeError(`EpisodeBuffer.add: ${name} has ${source.length} entries; expected ${expected}`);
  }
  for (let i = 0; i < expected; i++) target[offset + i] = source[i];
}
