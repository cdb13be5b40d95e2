import { describe, expect, it } from "vitest";
import { createRng, type Rng } from "../random/rng.js";
import { SpatialGrid } from "./spatial-grid.js";

/** Random layouts that stress the grid: uniform, clustered with far outliers, and on a lattice (ties). */
function layout(kind: "uniform" | "clustered" | "lattice", n: number, rng: Rng): Float64Array {
  const p = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    if (kind === "uniform") {
      p[2 * i] = rng.uniform(-5, 5);
      p[2 * i + 1] = rng.uniform(-5, 5);
    } else if (kind === "clustered") {
      const far = i % 17 === 0;
      p[2 * i] = far ? rng.uniform(-200, 200) : rng.normal(0, 0.3);
      p[2 * i + 1] = far ? rng.uniform(-50, 50) : rng.normal(1, 0.3);
    } else {
      p[2 * i] = (i % 9) * 0.5;
      p[2 * i + 1] = Math.floor(i / 9) * 0.5;
    }
  }
  return p;
}

function bruteNearest(p: Float64Array, ids: number[], qx: number, qy: number, k: number, exclude: number) {
  return ids
    .filter((id) => id !== exclude)
    .map((id) => ({ id, d2: (p[2 * id] - qx) ** 2 + (p[2 * id + 1] - qy) ** 2 }))
    .sort((a, b) => a.d2 - b.d2 || a.id - b.id)
    .slice(0, k);
}

describe("SpatialGrid", () => {
  for (const kind of ["uniform", "clustered", "lattice"] as const) {
    it(`k-nearest equals a brute-force O(N²) search (${kind} points, ties by id)`, () => {
      const rng = createRng(`grid-${kind}`);
      for (const n of [1, 2, 7, 60, 300]) {
        const p = layout(kind, n, rng);
        // A subset of ids, as scenarios index entities after the agents.
        const ids = Int32Array.from({ length: n }, (_, i) => i);
        const grid = new SpatialGrid(n);
        grid.build(p, ids, n, rng.uniform(0, 0.5));
        const outIds = new Int32Array(10);
        const outD2 = new Float64Array(10);
        for (let q = 0; q < 80; q++) {
          const self = q < n ? q : -1;
          // Own positions, random points and far-away points (the self-offset key queries 2·p).
          const qx = self >= 0 && q % 2 === 0 ? p[2 * self] : rng.uniform(-400, 400);
          const qy = self >= 0 && q % 2 === 0 ? p[2 * self + 1] : rng.uniform(-100, 100);
          const k = 1 + (q % 8);
          const found = grid.nearest(qx, qy, k, self, outIds, outD2, 2);
          const expected = bruteNearest(p, Array.from(ids), qx, qy, k, self);
          expect(found).toBe(expected.length);
          expect(Array.from(outIds.subarray(2, 2 + found))).toEqual(expected.map((e) => e.id));
          expect(Array.from(outD2.subarray(2, 2 + found))).toEqual(expected.map((e) => e.d2));
        }
      }
    });

    it(`pairs within a radius and counts within a radius equal brute force (${kind})`, () => {
      const rng = createRng(`pairs-${kind}`);
      const n = 250;
      const p = layout(kind, n, rng);
      const ids = Int32Array.from({ length: n }, (_, i) => i + 0);
      const radius = kind === "lattice" ? 0.5000001 : 0.4;
      const grid = new SpatialGrid(n);
      grid.build(p, ids, n, radius);
      const seen: string[] = [];
      let worstGap = 0;
      grid.forEachPairWithin(radius, {
        visitPair(a, b, dx, dy, d2) {
          const gap = Math.max(
            Math.abs(dx - (p[2 * a] - p[2 * b])),
            Math.abs(dy - (p[2 * a + 1] - p[2 * b + 1])),
            Math.abs(d2 - (dx * dx + dy * dy)),
          );
          worstGap = Math.max(worstGap, gap);
          seen.push(a < b ? `${a}-${b}` : `${b}-${a}`);
        },
      });
      expect(worstGap).toBe(0);
      const expected: string[] = [];
      for (let a = 0; a < n; a++)
        for (let b = a + 1; b < n; b++)
          if ((p[2 * a] - p[2 * b]) ** 2 + (p[2 * a + 1] - p[2 * b + 1]) ** 2 < radius * radius)
            expected.push(`${a}-${b}`);
      expect(seen.sort()).toEqual(expected.sort());
      expect(expected.length).toBeGreaterThan(kind === "clustered" ? 100 : 10);
      for (let q = 0; q < 50; q++) {
        const qx = rng.uniform(-6, 6);
        const qy = rng.uniform(-6, 6);
        let count = 0;
        for (let i = 0; i < n; i++) if ((p[2 * i] - qx) ** 2 + (p[2 * i + 1] - qy) ** 2 < 0.36) count++;
        expect(grid.countWithin(qx, qy, 0.6, -1)).toBe(count);
      }
    });
  }

  it("refuses a pair radius larger than its cells and non-finite positions", () => {
    const grid = new SpatialGrid(4);
    const p = Float64Array.of(0, 0, 1, 1, 2, 2, 3, 3);
    grid.build(p, Int32Array.of(0, 1, 2, 3), 4, 0.1);
    const visitor = { visitPair() {} };
    expect(() => grid.forEachPairWithin(grid.cellSize * 2, visitor)).toThrow(/exceeds the cell size/);
    p[3] = Number.NaN;
    expect(() => grid.build(p, Int32Array.of(0, 1, 2, 3), 4, 0.1)).toThrow(/finite/);
    expect(() => grid.build(p, Int32Array.of(0, 1, 2, 3, 0), 5, 0.1)).toThrow(/capacity/);
  });
});
