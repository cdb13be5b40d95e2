import type { Rng } from "@netmarl/envs";

/**
 * Draws `count` distinct indices uniformly from [0, population) — Python's
 * `random.sample(range(population), count)` / `np.random.choice(…, replace=False)` — without
 * allocating: rejection against a generation stamp per index (expected draws stay below
 * population · ln(population / (population − count + 1)) + count, small for replay sizes).
 */
export class DistinctIndexSampler {
  private readonly stamps: Uint32Array;
  private generation = 0;

  constructor(capacity: number) {
    this.stamps = new Uint32Array(capacity);
  }

  sample(count: number, population: number, rng: Rng, out: Int32Array): Int32Array {
    if (count > population || population > this.stamps.length) {
      throw new RangeError(
        `sampling without replacement: ${count} distinct indices from ${population} stored; expected count <= stored <= ${this.stamps.length}`,
      );
    }
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
    for (let b = 0; b < count; b++) {
      let index = rng.int(population);
      while (this.stamps[index] === this.generation) index = rng.int(population);
      this.stamps[index] = this.generation;
      out[b] = index;
    }
    return out;
  }
}
