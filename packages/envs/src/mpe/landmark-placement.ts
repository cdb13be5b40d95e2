/**
 * PIC's navigation landmark placement (`reset_world` of `simple_spread_n*.py` and
 * `hetero_spread_n*.py`): Bridson Poisson-disc points on [0, 2R]², resampled until there are at
 * least L of them, then L drawn without replacement (`random.sample`), shifted by −R.
 */
import type { Rng } from "../random/rng.js";
import { PoissonDiscSampler } from "./poisson-disc-sampler.js";

/** PIC loops forever when the points never suffice; we give up after this many draws. */
export const MAX_PLACEMENT_ATTEMPTS = 1000;

export class LandmarkPlacement {
  readonly worldRadius: number;
  readonly numLandmarks: number;
  private readonly sampler: PoissonDiscSampler;
  private readonly order: Int32Array;

  constructor(worldRadius: number, minSpacing: number, numLandmarks: number) {
    this.worldRadius = worldRadius;
    this.numLandmarks = numLandmarks;
    this.sampler = new PoissonDiscSampler(2 * worldRadius, 2 * worldRadius, minSpacing);
    this.order = new Int32Array(this.sampler.points.length / 2);
    if (numLandmarks > this.order.length) {
      throw new RangeError(
        `${numLandmarks} landmarks cannot be placed ${minSpacing} apart in a world of radius ${worldRadius}; raise worldRadius`,
      );
    }
  }

  /**
   * Draws the landmark positions into `positions[2·first …]` (L entities). `context` names the
   * environment in the error thrown when the Poisson disc never yields L points.
   */
  place(rng: Rng, positions: Float64Array, first: number, context: string): void {
    const needed = this.numLandmarks;
    let count = this.sampler.sample(rng);
    for (let attempt = 1; count < needed; attempt++) {
      if (attempt >= MAX_PLACEMENT_ATTEMPTS) {
        throw new RangeError(
          `${context}: ${MAX_PLACEMENT_ATTEMPTS} Poisson-disc draws in a world of radius ${this.worldRadius} gave fewer than ${needed} landmark sites; raise worldRadius`,
        );
      }
      count = this.sampler.sample(rng);
    }
    const order = this.order;
    for (let i = 0; i < count; i++) order[i] = i;
    // Partial Fisher–Yates: the first L entries become a uniform sample without replacement.
    for (let i = 0; i < needed; i++) {
      const j = i + rng.int(count - i);
      const held = order[i];
      order[i] = order[j];
      order[j] = held;
    }
    const points = this.sampler.points;
    const shift = this.worldRadius;
    for (let i = 0; i < needed; i++) {
      const p = order[i];
      positions[2 * (first + i)] = points[2 * p] - shift;
      positions[2 * (first + i) + 1] = points[2 * p + 1] - shift;
    }
  }
}
