import type { Rng } from "../random/rng.js";
import { checkPositiveInteger, containsEntries, type SpaceBase } from "./space.js";

/** Real vectors of a fixed shape with per-entry bounds (±Infinity for unbounded entries). */
export class Box implements SpaceBase {
  readonly kind = "box" as const;
  readonly shape: readonly number[];
  readonly size: number;
  readonly low: Float32Array;
  readonly high: Float32Array;

  constructor(shape: readonly number[], low: number | ArrayLike<number>, high: number | ArrayLike<number>) {
    this.shape = shape.map((d, k) => checkPositiveInteger(d, `Box(shape): shape[${k}]`));
    this.size = this.shape.reduce((a, b) => a * b, 1);
    this.low = broadcast(low, this.size, "low");
    this.high = broadcast(high, this.size, "high");
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i] > this.high[i]) {
        throw new RangeError(`Box: expected low[${i}] <= high[${i}], got ${this.low[i]} and ${this.high[i]}`);
      }
    }
  }

  contains(value: number | ArrayLike<number>): boolean {
    return containsEntries(this, value);
  }

  explainEntry(entry: number, index: number): string | null {
    const low = this.low[index];
    const high = this.high[index];
    return entry >= low && entry <= high ? null : `expected a number in [${low}, ${high}]`;
  }

  /** Uniform where both bounds are finite, otherwise normal around the finite bound (or 0). */
  sampleInto(rng: Rng, out: Int32Array | Float32Array, offset: number): void {
    for (let i = 0; i < this.size; i++) {
      const low = this.low[i];
      const high = this.high[i];
      let value: number;
      if (Number.isFinite(low) && Number.isFinite(high)) value = rng.uniform(low, high);
      else if (Number.isFinite(low)) value = low + Math.abs(rng.normal());
      else if (Number.isFinite(high)) value = high - Math.abs(rng.normal());
      else value = rng.normal();
      out[offset + i] = Math.min(high, Math.max(low, Math.fround(value)));
    }
  }

  toString(): string {
    const bound = (b: Float32Array) => (b.every((x) => x === b[0]) ? String(b[0]) : `[${Array.from(b)}]`);
    return `Box([${this.shape.join(", ")}], ${bound(this.low)}, ${bound(this.high)})`;
  }
}

function broadcast(bound: number | ArrayLike<number>, size: number, name: string): Float32Array {
  if (typeof bound === "number") return new Float32Array(size).fill(bound);
  if (bound.length !== size) {
    throw new RangeError(`Box: ${name} has ${bound.length} entries; expected ${size} (the shape's size)`);
  }
  return Float32Array.from(bound);
}
