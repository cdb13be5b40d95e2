import type { Rng } from "../random/rng.js";
import type { Box } from "./box.js";
import type { Discrete } from "./discrete.js";
import type { MultiDiscrete } from "./multi-discrete.js";

/** Any space: switch on `kind`. */
export type Space = Discrete | MultiDiscrete | Box;

/**
 * A per-agent space. Batched values are flat: N agents × `size` entries, so an action batch of a
 * `Discrete` space is an `Int32Array` of length N and one of `Box([2])` a `Float32Array` of 2N.
 */
export interface SpaceBase {
  /** Number of entries one agent's value occupies in a flat batch. */
  readonly size: number;
  /** True when `value` (one agent's value: a number, or `size` numbers) lies in the space. */
  contains(value: number | ArrayLike<number>): boolean;
  /**
   * Why entry `index` of one agent's value (`entry`) is outside the space, or `null` when it is inside.
   * Used to build error messages that name the offending entry and the expected form.
   */
  explainEntry(entry: number, index: number): string | null;
  /** Writes one sampled value into `out[offset … offset + size)`. */
  sampleInto(rng: Rng, out: Int32Array | Float32Array, offset: number): void;
  /** A short description such as `Discrete(5)` or `Box([2], -1, 1)`. */
  toString(): string;
}

export function checkPositiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${what}: expected an integer >= 1, got ${value}`);
  }
  return value;
}

/** `contains` for spaces of `size` entries, built on `explainEntry`. */
export function containsEntries(space: SpaceBase, value: number | ArrayLike<number>): boolean {
  if (typeof value === "number") return space.size === 1 && space.explainEntry(value, 0) === null;
  if (value.length !== space.size) return false;
  for (let i = 0; i < value.length; i++) if (space.explainEntry(value[i], i) !== null) return false;
  return true;
}
