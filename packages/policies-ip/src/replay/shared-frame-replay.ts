/**
 * Replay that stores each observation **once**: transition t's next observation is transition
 * t + 1's observation within an episode, so both point at one "frame". PIC's replay (1e6
 * transitions, obs and next obs apart) would need 2 × 1e6 × N × obsDim × 4 bytes — 41.6 GB at
 * N = 200 (obsDim 26); frames make it ≈ (1 + 1/episode length) × half of that, and `"float16"`
 * frames halve it again (lossy: ≈ 3 significant digits; off by default, see `memoryPlan`).
 *
 * Frames sit in a ring of their own; when the ring wraps onto a frame the oldest transitions still
 * pointing at it are dropped first, so no stored transition ever reads an overwritten frame (episodes
 * shorter than planned just hold a few fewer transitions). Frames are split into chunks because a
 * typed array holds at most 2³² − 1 entries. Uniform sampling *without* replacement (PIC's
 * `random.sample`), all draws from the Rng passed in. Neighbour ids are stored as the smallest
 * unsigned type that holds N (padding = its maximum).
 */
import type { AgentGraph, Rng } from "@netmarl/envs";
import { NeighbourRows, type Transition } from "@netmarl/trainers";
import { decodeHalves, toHalf } from "./half-float.js";

/** Storage precision of observation frames. */
export type FramePrecision = "float32" | "float16";

/** Shape of a {@link SharedFrameReplay}. */
export interface SharedFrameReplayOptions {
  capacity: number;
  numAgents: number;
  obsDim: number;
  /** Neighbours stored per agent (self excluded). */
  maxNeighbors: number;
  /** Typical episode length: one extra frame is planned per episode. */
  episodeLength: number;
  precision: FramePrecision;
}

/** A minibatch in flat arrays ([batch][agent][entry]); reused between samples. */
export interface FrameBatch {
  size: number;
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  terminated: Float32Array;
  /** [batch][agent][maxNeighbors] neighbour ids, −1 for padding. */
  neighbors: Int32Array;
}

/** Serialised contents (views of the stored rows; write them before adding more). */
export interface SharedFrameReplayState {
  head: number;
  count: number;
  frameCursor: number;
  previousNextFrame: number;
  /** Slots and frames ever written (at most the capacities): only those are saved. */
  slotsUsed: number;
  framesUsed: number;
  arrays: Record<string, Float32Array | Uint16Array | Uint8Array | Int32Array>;
}

/** Frames per chunk: at most 2²⁸ entries (1 GiB of float32) per typed array. */
const CHUNK_ENTRIES = 2 ** 28;

type IdArray = Uint8Array | Uint16Array | Int32Array;

export class SharedFrameReplay {
  readonly options: Readonly<SharedFrameReplayOptions>;
  /** Transitions held at most. */
  readonly capacity: number;
  /** Frames held at most. */
  readonly frameCapacity: number;
  private readonly frameSize: number;
  private readonly framesPerChunk: number;
  private readonly chunks: Array<Float32Array | Uint16Array>;
  private readonly obsFrame: Int32Array;
  private readonly nextFrame: Int32Array;
  private readonly actions: Uint16Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly neighbors: IdArray;
  private readonly padding: number;
  private readonly chosen = new Set<number>();
  private readonly rowScratch: Int32Array;
  private head = 0;
  private count = 0;
  private frameCursor = 0;
  /** Frame of the last transition's next observation while its episode runs on; −1 otherwise. */
  private previousNextFrame = -1;
  private slotsUsed = 0;
  private framesUsed = 0;

  constructor(options: SharedFrameReplayOptions) {
    for (const key of ["capacity", "numAgents", "obsDim", "maxNeighbors", "episodeLength"] as const) {
      if (!Number.isInteger(options[key]) || options[key] < (key === "maxNeighbors" ? 0 : 1)) {
        throw new RangeError(
          `SharedFrameReplay options: ${key} = ${options[key]}; expected a positive integer`,
        );
      }
    }
    this.options = { ...options };
    const { capacity, numAgents: n, obsDim, maxNeighbors, precision } = options;
    this.capacity = capacity;
    this.frameCapacity = SharedFrameReplay.framesFor(capacity, options.episodeLength);
    this.frameSize = n * obsDim;
    this.framesPerChunk = Math.max(1, Math.floor(CHUNK_ENTRIES / this.frameSize));
    this.chunks = [];
    for (let first = 0; first < this.frameCapacity; first += this.framesPerChunk) {
      const entries = Math.min(this.framesPerChunk, this.frameCapacity - first) * this.frameSize;
      this.chunks.push(precision === "float16" ? new Uint16Array(entries) : new Float32Array(entries));
    }
    this.obsFrame = new Int32Array(capacity);
    this.nextFrame = new Int32Array(capacity);
    this.actions = new Uint16Array(capacity * n);
    this.rewards = new Float32Array(capacity * n);
    this.terminated = new Uint8Array(capacity * n);
    const ids = capacity * n * maxNeighbors;
    this.neighbors = n < 255 ? new Uint8Array(ids) : n < 65535 ? new Uint16Array(ids) : new Int32Array(ids);
    this.padding = n < 255 ? 255 : n < 65535 ? 65535 : -1;
    this.rowScratch = new Int32Array(n * maxNeighbors);
  }

  /** Frames planned for `capacity` transitions of episodes of `episodeLength` steps. */
  static framesFor(capacity: number, episodeLength: number): number {
    return capacity + Math.ceil(capacity / episodeLength) + 1;
  }

  /** Bytes a replay of these options allocates. */
  static bytesFor(options: SharedFrameReplayOptions): number {
    const { capacity, numAgents: n, obsDim, maxNeighbors, precision } = options;
    const frameBytes = precision === "float16" ? 2 : 4;
    const idBytes = n < 255 ? 1 : n < 65535 ? 2 : 4;
    const frames = SharedFrameReplay.framesFor(capacity, options.episodeLength) * n * obsDim * frameBytes;
    // obs/next frame ids (8); per agent: action (2), reward (4), terminated (1), ids.
    return frames + capacity * (8 + n * (7 + maxNeighbors * idBytes));
  }

  /** Transitions stored. */
  get size(): number {
    return this.count;
  }

  /** Copies one transition in (`graph` = the graph the actions were chosen on). */
  add(transition: Transition): void {
    const n = this.options.numAgents;
    if (transition.obs.length !== this.frameSize || transition.nextObs.length !== this.frameSize) {
      throw new RangeError(
        `SharedFrameReplay.add: obs has ${transition.obs.length} entries; expected ${this.frameSize} (N × obsDim)`,
      );
    }
    if (this.count === this.capacity) this.dropOldest();
    const slot = (this.head + this.count) % this.capacity;
    this.slotsUsed = Math.max(this.slotsUsed, slot + 1);
    // The reused frame is the previous transition's next observation; checked, not assumed.
    const reuse = this.previousNextFrame >= 0 && this.frameEquals(this.previousNextFrame, transition.obs);
    this.obsFrame[slot] = reuse ? this.previousNextFrame : this.writeFrame(transition.obs);
    this.count++;
    this.nextFrame[slot] = -1; // not yet written: keeps the eviction check below from matching it
    this.nextFrame[slot] = this.writeFrame(transition.nextObs);
    let ended = false;
    for (let i = 0; i < n; i++) {
      this.actions[slot * n + i] = transition.actions[i];
      this.rewards[slot * n + i] = transition.rewards[i];
      this.terminated[slot * n + i] = transition.terminated[i];
      ended ||= transition.terminated[i] === 1 || transition.truncated[i] === 1;
    }
    this.previousNextFrame = ended ? -1 : this.nextFrame[slot];
    this.storeGraph(slot, transition.graph);
  }

  /** Preallocated arrays for {@link SharedFrameReplay.sample}. */
  createBatch(size: number): FrameBatch {
    const { numAgents: n, maxNeighbors } = this.options;
    return {
      size,
      obs: new Float32Array(size * this.frameSize),
      nextObs: new Float32Array(size * this.frameSize),
      actions: new Int32Array(size * n),
      rewards: new Float32Array(size * n),
      terminated: new Float32Array(size * n),
      neighbors: new Int32Array(size * n * maxNeighbors),
    };
  }

  /** `batch.size` distinct transitions, uniformly at random (needs more stored than the batch). */
  sample(batch: FrameBatch, rng: Rng): FrameBatch {
    if (batch.size > this.count) {
      throw new RangeError(
        `SharedFrameReplay.sample: ${batch.size} distinct of ${this.count} stored transitions`,
      );
    }
    // Floyd's algorithm: k distinct draws in k steps, in a fixed order for a given Rng state.
    this.chosen.clear();
    const n = this.options.numAgents;
    const k = this.options.maxNeighbors;
    let b = 0;
    for (let j = this.count - batch.size; j < this.count; j++) {
      const draw = rng.int(j + 1);
      const pick = this.chosen.has(draw) ? j : draw;
      this.chosen.add(pick);
      const slot = (this.head + pick) % this.capacity;
      this.readFrame(this.obsFrame[slot], batch.obs, b * this.frameSize);
      this.readFrame(this.nextFrame[slot], batch.nextObs, b * this.frameSize);
      for (let i = 0; i < n; i++) {
        batch.actions[b * n + i] = this.actions[slot * n + i];
        batch.rewards[b * n + i] = this.rewards[slot * n + i];
        batch.terminated[b * n + i] = this.terminated[slot * n + i];
      }
      for (let e = 0; e < n * k; e++) {
        const id = this.neighbors[slot * n * k + e];
        batch.neighbors[b * n * k + e] = id === this.padding ? -1 : id;
      }
      b++;
    }
    return batch;
  }

  /** The written part of every array, as views (valid until the next `add`). */
  state(): SharedFrameReplayState {
    const { head, count, frameCursor, previousNextFrame, slotsUsed, framesUsed } = this;
    return {
      head,
      count,
      frameCursor,
      previousNextFrame,
      slotsUsed,
      framesUsed,
      arrays: this.usedArrays(slotsUsed, framesUsed),
    };
  }

  load(state: SharedFrameReplayState): void {
    const own = this.usedArrays(state.slotsUsed, state.framesUsed);
    for (const [name, array] of Object.entries(own)) {
      const stored = state.arrays[name];
      if (
        stored === undefined ||
        stored.length !== array.length ||
        stored.constructor !== array.constructor
      ) {
        throw new RangeError(
          `SharedFrameReplay.load: ${name} has ${stored?.length ?? "no"} entries; expected ${array.length} (a replay of another shape?)`,
        );
      }
      array.set(stored as never);
    }
    this.head = state.head;
    this.count = state.count;
    this.frameCursor = state.frameCursor;
    this.previousNextFrame = state.previousNextFrame;
    this.slotsUsed = state.slotsUsed;
    this.framesUsed = state.framesUsed;
  }

  /** Views of the first `slots` transition rows and `frames` frames. */
  private usedArrays(slots: number, frames: number): SharedFrameReplayState["arrays"] {
    if (!(slots >= 0 && slots <= this.capacity && frames >= 0 && frames <= this.frameCapacity)) {
      throw new RangeError(
        `SharedFrameReplay.load: ${slots} slots / ${frames} frames do not fit ${this.capacity} / ${this.frameCapacity}`,
      );
    }
    const { numAgents: n, maxNeighbors: k } = this.options;
    const arrays: SharedFrameReplayState["arrays"] = {
      obsFrame: this.obsFrame.subarray(0, slots),
      nextFrame: this.nextFrame.subarray(0, slots),
      actions: this.actions.subarray(0, slots * n),
      rewards: this.rewards.subarray(0, slots * n),
      terminated: this.terminated.subarray(0, slots * n),
      neighbors: this.neighbors.subarray(0, slots * n * k),
    };
    this.chunks.forEach((chunk, c) => {
      const inChunk = Math.min(Math.max(frames - c * this.framesPerChunk, 0), this.framesPerChunk);
      arrays[`frames.${c}`] = chunk.subarray(0, inChunk * this.frameSize);
    });
    return arrays;
  }

  private dropOldest(): void {
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Writes a frame at the cursor, first dropping the oldest transitions that still read it. */
  private writeFrame(values: Float32Array): number {
    const frame = this.frameCursor;
    while (this.count > 0 && (this.obsFrame[this.head] === frame || this.nextFrame[this.head] === frame)) {
      this.dropOldest();
    }
    if (this.previousNextFrame === frame) this.previousNextFrame = -1;
    const chunk = this.chunks[Math.floor(frame / this.framesPerChunk)];
    const offset = (frame % this.framesPerChunk) * this.frameSize;
    if (chunk instanceof Float32Array) chunk.set(values, offset);
    else for (let i = 0; i < this.frameSize; i++) chunk[offset + i] = toHalf(values[i]);
    this.frameCursor = (frame + 1) % this.frameCapacity;
    this.framesUsed = Math.max(this.framesUsed, frame + 1);
    return frame;
  }

  private readFrame(frame: number, target: Float32Array, targetOffset: number): void {
    const chunk = this.chunks[Math.floor(frame / this.framesPerChunk)];
    const offset = (frame % this.framesPerChunk) * this.frameSize;
    const view = chunk.subarray(offset, offset + this.frameSize);
    if (view instanceof Float32Array) target.set(view, targetOffset);
    else decodeHalves(view, target, targetOffset);
  }

  /** True when the stored frame holds exactly `values` (as stored: rounded for float16). */
  private frameEquals(frame: number, values: Float32Array): boolean {
    const chunk = this.chunks[Math.floor(frame / this.framesPerChunk)];
    const offset = (frame % this.framesPerChunk) * this.frameSize;
    if (chunk instanceof Float32Array) {
      for (let i = 0; i < this.frameSize; i++) if (chunk[offset + i] !== values[i]) return false;
    } else {
      for (let i = 0; i < this.frameSize; i++) if (chunk[offset + i] !== toHalf(values[i])) return false;
    }
    return true;
  }

  /** The graph's rows (self-loops dropped, at most maxNeighbors, checked) in the compact id type. */
  private storeGraph(slot: number, graph: AgentGraph): void {
    const { numAgents: n, maxNeighbors: k } = this.options;
    NeighbourRows.writeRows(graph, k, this.rowScratch, 0, "ip");
    const base = slot * n * k;
    for (let e = 0; e < n * k; e++) {
      const id = this.rowScratch[e];
      this.neighbors[base + e] = id < 0 ? this.padding : id;
    }
  }
}
