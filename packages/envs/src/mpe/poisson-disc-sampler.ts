/**
 * Bridson Poisson-disc sampling of a width × height rectangle, the variant of the `bridson`
 * Python package PIC's navigation scenarios call (`poisson_disc_samples(width, height, r)`,
 * k = 5): a point is taken from the active list at random and *removed*, then up to k candidates
 * are drawn uniformly by area in the annulus [r, 2r] around it (`d = r·sqrt(3u + 1)`); a candidate
 * inside the rectangle and more than r from every accepted point is accepted and becomes active.
 * The points are returned in grid order (cell index x + y·gridWidth), as the package returns
 * them. Our draws come from the seeded {@link Rng}, so the point sets differ from Python's.
 *
 * Buffers are allocated once per rectangle, so resets do not allocate.
 */
import type { Rng } from "../random/rng.js";

export class PoissonDiscSampler {
  readonly width: number;
  readonly height: number;
  readonly minDistance: number;
  readonly candidatesPerPoint: number;
  /** Accepted points of the last `sample`, x/y interleaved, in grid order. */
  readonly points: Float64Array;
  /** Number of points of the last `sample`. */
  count = 0;

  private readonly cellSize: number;
  private readonly gridWidth: number;
  private readonly gridHeight: number;
  private readonly cellX: Float64Array;
  private readonly cellY: Float64Array;
  private readonly occupied: Uint8Array;
  private readonly queue: Int32Array;

  constructor(width: number, height: number, minDistance: number, candidatesPerPoint = 5) {
    if (!(width > 0 && height > 0 && minDistance > 0)) {
      throw new RangeError(
        `PoissonDiscSampler: expected width, height and minDistance > 0, got ${width}, ${height}, ${minDistance}`,
      );
    }
    this.width = width;
    this.height = height;
    this.minDistance = minDistance;
    this.candidatesPerPoint = candidatesPerPoint;
    this.cellSize = minDistance / Math.SQRT2;
    this.gridWidth = Math.ceil(width / this.cellSize);
    this.gridHeight = Math.ceil(height / this.cellSize);
    const cells = this.gridWidth * this.gridHeight;
    if (cells > 50_000_000) {
      throw new RangeError(
        `PoissonDiscSampler: a ${width} × ${height} rectangle at spacing ${minDistance} needs ${cells} cells; too many`,
      );
    }
    this.cellX = new Float64Array(cells);
    this.cellY = new Float64Array(cells);
    this.occupied = new Uint8Array(cells);
    this.queue = new Int32Array(cells);
    this.points = new Float64Array(2 * cells);
  }

  /** Draws a new point set into `points` and returns its size. */
  sample(rng: Rng): number {
    const { width, height, minDistance, cellSize, gridWidth, gridHeight } = this;
    this.occupied.fill(0);
    let queueLength = 0;
    const first = this.place(width * rng.uniform(), height * rng.uniform());
    this.queue[queueLength++] = first;
    const limit = minDistance * minDistance;
    while (queueLength > 0) {
      const pick = Math.floor(rng.uniform() * queueLength);
      const active = this.queue[pick];
      this.queue[pick] = this.queue[--queueLength];
      const qx = this.cellX[active];
      const qy = this.cellY[active];
      for (let attempt = 0; attempt < this.candidatesPerPoint; attempt++) {
        const angle = 2 * Math.PI * rng.uniform();
        const distance = minDistance * Math.sqrt(3 * rng.uniform() + 1);
        const px = qx + distance * Math.cos(angle);
        const py = qy + distance * Math.sin(angle);
        if (!(px >= 0 && px < width && py >= 0 && py < height)) continue;
        const gx = Math.floor(px / cellSize);
        const gy = Math.floor(py / cellSize);
        let fits = true;
        for (let x = Math.max(gx - 2, 0); fits && x < Math.min(gx + 3, gridWidth); x++) {
          for (let y = Math.max(gy - 2, 0); y < Math.min(gy + 3, gridHeight); y++) {
            const c = x + y * gridWidth;
            if (this.occupied[c] === 0) continue;
            const dx = px - this.cellX[c];
            const dy = py - this.cellY[c];
            if (dx * dx + dy * dy <= limit) {
              fits = false;
              break;
            }
          }
        }
        if (!fits) continue;
        this.queue[queueLength++] = this.place(px, py);
      }
    }
    let count = 0;
    for (let c = 0; c < this.occupied.length; c++) {
      if (this.occupied[c] === 0) continue;
      this.points[2 * count] = this.cellX[c];
      this.points[2 * count + 1] = this.cellY[c];
      count++;
    }
    this.count = count;
    return count;
  }

  private place(x: number, y: number): number {
    const c = Math.floor(x / this.cellSize) + Math.floor(y / this.cellSize) * this.gridWidth;
    this.cellX[c] = x;
    this.cellY[c] = y;
    this.occupied[c] = 1;
    return c;
  }
}
