/**
 * Seeded, splittable pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32. Every random draw in NetMARL goes through an `Rng` passed in explicitly.
 *
 * `fork(streamId)` derives an independent generator from this generator's *key* and the stream
 * id only — not from how many numbers were drawn — so streams stay the same when code that
 * draws from the parent changes (the JAX idea of explicit keys).
 */
export type TypedNumberArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

const TWO_POW_MINUS_32 = 2 ** -32;
const TWO_POW_MINUS_24 = 2 ** -24;

export class Rng {
  /** The two 32-bit words that identify this generator's stream; forks are derived from them. */
  readonly key: readonly [number, number];
  private readonly words = new Uint32Array(4);
  private spareNormal = Number.NaN;

  /** Use {@link createRng}; the constructor takes an already mixed key. */
  constructor(key0: number, key1: number) {
    this.key = [key0 >>> 0, key1 >>> 0];
    let mix = (key0 ^ Math.imul(key1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) {
      mix = (mix + 0x9e3779b9) >>> 0;
      this.words[i] = splitmix32(mix ^ Math.imul(key1 + i, 0x85ebca6b));
    }
    // xoshiro's state must not be all zeros.
    if ((this.words[0] | this.words[1] | this.words[2] | this.words[3]) === 0) this.words[0] = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.words;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [low, high) (default [0, 1)), with 32 bits of resolution. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * (this.nextUint32() * TWO_POW_MINUS_32);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + std * z;
    }
    const u1 = 1 - this.nextUint32() * TWO_POW_MINUS_32; // (0, 1], so the log is finite
    const u2 = this.nextUint32() * TWO_POW_MINUS_32;
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return mean + std * radius * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 2 ** 32) {
      throw new RangeError(`Rng.int(maxExclusive): expected an integer in [1, 2^32], got ${maxExclusive}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % maxExclusive;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends unknown[] | TypedNumberArray>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held!;
    }
    return items;
  }

  /**
   * An index in [0, probabilities.length) drawn with the given (unnormalised, non-negative)
   * weights, or uniformly from [0, count) when a number is given.
   */
  choice(countOrWeights: number | ArrayLike<number>): number {
    if (typeof countOrWeights === "number") return this.int(countOrWeights);
    let total = 0;
    for (let i = 0; i < countOrWeights.length; i++) {
      const w = countOrWeights[i];
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new RangeError(`Rng.choice(weights): weights[${i}] = ${w}; expected a finite number >= 0`);
      }
      total += w;
    }
    if (!(total > 0)) throw new RangeError("Rng.choice(weights): expected at least one weight > 0");
    let target = this.uniform() * total;
    for (let i = 0; i < countOrWeights.length; i++) {
      target -= countOrWeights[i];
      if (target < 0) return i;
    }
    // Rounding can leave target at ~0: return the last index with positive weight.
    for (let i = countOrWeights.length - 1; i >= 0; i--) if (countOrWeights[i] > 0) return i;
    return countOrWeights.length - 1;
  }

  /** Fills `out` with uniform numbers in [low, high); float32 targets use 24 bits so 1.0 is never produced. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    const scale = out instanceof Float32Array ? TWO_POW_MINUS_24 : TWO_POW_MINUS_32;
    const shift = out instanceof Float32Array ? 8 : 0;
    const width = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + width * ((this.nextUint32() >>> shift) * scale);
    return out;
  }

  /** Fills `out` with normal numbers. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * A new generator for the named stream, independent of this one's draws so far. The same
   * `streamId` always gives the same stream; use distinct ids (e.g. "env", "learner", 3).
   */
  fork(streamId: number | string): Rng {
    const id = typeof streamId === "number" ? streamId >>> 0 : hashString(streamId);
    const streamTag = typeof streamId === "number" ? 0x632be5ab : 0x1b873593;
    const key0 = splitmix32((this.key[0] ^ Math.imul(id, 0xcc9e2d51)) + streamTag);
    const key1 = splitmix32(this.key[1] ^ rotl(id + 0x7f4a7c15, 13) ^ key0);
    return new Rng(key0, key1);
  }

  /** A seed in [0, 2^31) for APIs that take a plain number (tfjs initialisers, env.reset). */
  nextSeed(): number {
    return this.nextUint32() >>> 1;
  }

  /** The full generator state, for checkpoints: restoring it continues the same sequence. */
  getState(): RngState {
    return {
      key: [this.key[0], this.key[1]],
      words: Array.from(this.words),
      spareNormal: Number.isNaN(this.spareNormal) ? null : this.spareNormal,
    };
  }

  /** Restores a state from {@link Rng.getState} (key included). */
  static fromState(state: RngState): Rng {
    if (
      !Array.isArray(state?.words) ||
      state.words.length !== 4 ||
      !Array.isArray(state.key) ||
      state.key.length !== 2
    ) {
      throw new TypeError("Rng.fromState(state): expected { key: [u32, u32], words: [u32 x4], spareNormal }");
    }
    const rng = new Rng(state.key[0], state.key[1]);
    rng.words.set(state.words.map((w) => w >>> 0));
    rng.spareNormal = state.spareNormal ?? Number.NaN;
    return rng;
  }
}

/** Serializable generator state (plain JSON). */
export interface RngState {
  key: [number, number];
  words: number[];
  spareNormal: number | null;
}

/**
 * A generator for `seed`: any safe integer (negative and > 2^32 seeds are distinct), or a string.
 */
export function createRng(seed: number | string): Rng {
  if (typeof seed === "string") return new Rng(hashString(seed), 0x5bd1e995);
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`createRng(seed): expected a safe integer or a string, got ${seed}`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  return new Rng(low, high);
}

function rotl(x: number, bits: number): number {
  return ((x << bits) | (x >>> (32 - bits))) >>> 0;
}

function splitmix32(value: number): number {
  let z = (value + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
