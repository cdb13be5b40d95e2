import type { Rng } from "../random/rng.js";
import { checkPositiveInteger, containsEntries, type SpaceBase } from "./space.js";

/** Several integer actions, entry k in [0, nvec[k]). */
export class MultiDiscrete implements SpaceBase {
  readonly kind = "multi-discrete" as const;
  readonly nvec: Int32Array;
  readonly size: number;

  constructor(nvec: ArrayLike<number>) {
    if (nvec.length < 1) throw new RangeError("MultiDiscrete(nvec): expected at least one entry");
    this.nvec = Int32Array.from(nvec, (n, k) => checkPositiveInteger(n, `MultiDiscrete(nvec): nvec[${k}]`));
    this.size = this.nvec.length;
  }

  contains(value: number | ArrayLike<number>): boolean {
    return containsEntries(this, value);
  }

  explainEntry(entry: number, index: number): string | null {
    const n = this.nvec[index];
    return Number.isInteger(entry) && entry >= 0 && entry < n ? null : `expected an integer in [0, ${n})`;
  }

  sampleInto(rng: Rng, out: Int32Array | Float32Array, offset: number): void {
    for (let k = 0; k < this.size; k++) out[offset + k] = rng.int(this.nvec[k]);
  }

  toString(): string {
    return `MultiDiscrete([${Array.from(this.nvec).join(", ")}])`;
  }
}
