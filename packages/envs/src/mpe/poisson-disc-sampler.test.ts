import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { LandmarkPlacement } from "./landmark-placement.js";
import { PoissonDiscSampler } from "./poisson-disc-sampler.js";

describe("PoissonDiscSampler (bridson's variant, k = 5)", () => {
  it("keeps every pair more than r apart inside the rectangle, in grid order", () => {
    const sampler = new PoissonDiscSampler(6, 4, 0.675);
    const rng = createRng(11);
    let largest = 0;
    for (let draw = 0; draw < 8; draw++) {
      // A draw may stop early (the active point is dropped before its candidates are tried), which
      // is why PIC resamples until there are enough points.
      const count = sampler.sample(rng);
      largest = Math.max(largest, count);
      const p = sampler.points;
      expect(count).toBeGreaterThanOrEqual(1);
      let previousCell = -1;
      for (let a = 0; a < count; a++) {
        expect(p[2 * a]).toBeGreaterThanOrEqual(0);
        expect(p[2 * a]).toBeLessThan(6);
        expect(p[2 * a + 1]).toBeGreaterThanOrEqual(0);
        expect(p[2 * a + 1]).toBeLessThan(4);
        const cellSize = 0.675 / Math.SQRT2;
        const cell =
          Math.floor(p[2 * a] / cellSize) + Math.floor(p[2 * a + 1] / cellSize) * Math.ceil(6 / cellSize);
        expect(cell).toBeGreaterThan(previousCell);
        previousCell = cell;
        for (let b = a + 1; b < count; b++)
          expect(Math.hypot(p[2 * a] - p[2 * b], p[2 * a + 1] - p[2 * b + 1])).toBeGreaterThan(0.675);
      }
    }
    expect(largest).toBeGreaterThan(15);
  });

  it("is deterministic for a seed", () => {
    const a = new PoissonDiscSampler(5, 5, 0.5);
    const b = new PoissonDiscSampler(5, 5, 0.5);
    const countA = a.sample(createRng(3));
    expect(b.sample(createRng(3))).toBe(countA);
    expect(Array.from(b.points.subarray(0, 2 * countA))).toEqual(
      Array.from(a.points.subarray(0, 2 * countA)),
    );
  });

  it("refuses landmark counts that cannot fit and gives up instead of looping forever", () => {
    expect(() => new LandmarkPlacement(1, 0.675, 50)).toThrow(/cannot be placed .* raise worldRadius/);
    // A hexagonal packing puts 12 sites 0.675 apart in a 2 × 2 square; random Bridson draws never
    // reach 13 (the capacity check alone would allow 25 grid cells).
    const tight = new LandmarkPlacement(1, 0.675, 13);
    expect(() => tight.place(createRng(0), new Float64Array(26), 0, "test-env")).toThrow(
      /test-env: 1000 Poisson-disc draws .* fewer than 13 landmark sites; raise worldRadius/,
    );
  });
});
