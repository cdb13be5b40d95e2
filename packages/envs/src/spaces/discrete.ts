import type { Rng } from "../random/rng.js";
import { checkPositiveInteger, containsEntries, type SpaceBase } from "./space.js";

/** One integer action in [0, n). */
export class Discrete implements SpaceBase {
  readonly kind = "discrete" as const;
  readonly size = 1;
  readonly n: number;

  constructor(n: number) {
    this.n = checkPositiveInteger(n, "Discrete(n)");
  }

  contains(value: number | ArrayLike<number>): boolean {
    return containsEntries(this, value);
  }

  explainEntry(entry: number): string | null {
    return Number.isInteger(entry) && entry >= 0 && entry < this.n
      ? null
      : `expected an integer in [0, ${this.n})`;
  }

  sampleInto(rng: Rng, out: Int32Array | Float32Array, offset: number): void {
    out[offset] = rng.int(this.n);
  }

  toString(): string {
    return `Discrete(${this.n})`;
  }
}
