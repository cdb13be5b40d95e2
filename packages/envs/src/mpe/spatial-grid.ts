/**
 * Receives the pairs found by {@link SpatialGrid.forEachPairWithin}. Implemented by small classes
 * created once per environment, so the hot loop allocates nothing.
 */
export interface PairVisitor {
  /** `dx`, `dy` are position(a) − position(b); `distanceSquared` = dx² + dy². */
  visitPair(a: number, b: number, dx: number, dy: number, distanceSquared: number): void;
}

/**
 * A uniform grid over a set of 2-D points, rebuilt in O(n) by a counting sort into preallocated
 * typed arrays. It answers k-nearest queries (expanding rings of cells, stopping as soon as the
 * next ring cannot hold anything closer) and enumerates pairs closer than a radius (each cell
 * against itself and four forward neighbours), so the MPE step costs O(N·k) instead of O(N²).
 *
 * The grid spans the bounding box of the current points, so agents that wander far from the
 * world radius never fall outside it; the cell side adapts to the point density (about two
 * points per cell) but is never smaller than the caller's `minCellSize` (the largest radius of
 * a pair query) and the number of cells never exceeds the preallocated capacity.
 */
export class SpatialGrid {
  /** Largest number of points the grid was allocated for. */
  readonly capacity: number;
  /** Points in the current build. */
  count = 0;
  /** Cell side length. */
  cellSize = 1;
  /** Cells along x and along y. */
  columns = 1;
  rows = 1;
  /** Lower-left corner of cell (0, 0). */
  originX = 0;
  originY = 0;
  /** Points of cell c are entries `cellStart[c] … cellStart[c + 1]` of the item arrays. */
  readonly cellStart: Int32Array;
  /** Ids of the points in cell order. */
  readonly itemIds: Int32Array;
  /** Coordinates of the points in cell order (copied, so scans read contiguous memory). */
  readonly itemX: Float64Array;
  readonly itemY: Float64Array;

  private readonly maxSide: number;
  private readonly cellOfItem: Int32Array;
  private readonly cellFill: Int32Array;

  /** Target mean number of points per cell (sets the cell side from the density). */
  readonly pointsPerCell: number;

  constructor(capacity: number, pointsPerCell = 2) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SpatialGrid(capacity): expected an integer >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.pointsPerCell = pointsPerCell;
    this.maxSide = Math.ceil(Math.sqrt(capacity)) + 1;
    const maxCells = this.maxSide * this.maxSide;
    this.cellStart = new Int32Array(maxCells + 1);
    this.cellFill = new Int32Array(maxCells);
    this.itemIds = new Int32Array(capacity);
    this.itemX = new Float64Array(capacity);
    this.itemY = new Float64Array(capacity);
    this.cellOfItem = new Int32Array(capacity);
  }

  /**
   * Bins `count` points: point i has id `ids[i]` and coordinates
   * `positions[2·ids[i]]`, `positions[2·ids[i] + 1]`. Pair queries later need
   * `radius <= minCellSize`.
   */
  build(positions: Float64Array, ids: Int32Array, count: number, minCellSize: number): void {
    if (count > this.capacity) {
      throw new RangeError(`SpatialGrid.build: ${count} points exceed the capacity ${this.capacity}`);
    }
    this.count = count;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      const x = positions[2 * id];
      const y = positions[2 * id + 1];
      if (x - x !== 0 || y - y !== 0) {
        throw new RangeError(`SpatialGrid.build: point ${id} is at (${x}, ${y}); positions must be finite`);
      }
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (count === 0) {
      minX = minY = 0;
      maxX = maxY = 0;
    }
    const width = maxX - minX;
    const height = maxY - minY;
    // About two points per cell for the k-nearest scans; never below the pair radius; never more
    // cells per side than preallocated (a far-away outlier makes cells coarser, not more numerous).
    const side = this.maxSide;
    let cell = Math.max(
      minCellSize,
      Math.sqrt((this.pointsPerCell * width * height) / Math.max(count, 1)),
      width / (side - 1),
      height / (side - 1),
    );
    if (cell === 0) cell = 1; // all points coincide (or none): one cell of any size
    if (!Number.isFinite(cell)) {
      throw new RangeError("SpatialGrid.build: positions must be finite (an entity's position is not)");
    }
    this.cellSize = cell;
    this.originX = minX;
    this.originY = minY;
    const columns = Math.min(side, Math.floor(width / cell) + 1);
    const rows = Math.min(side, Math.floor(height / cell) + 1);
    this.columns = columns;
    this.rows = rows;
    const numCells = columns * rows;
    const cellStart = this.cellStart;
    cellStart.fill(0, 0, numCells + 1);
    const inverse = 1 / cell;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      let cx = Math.floor((positions[2 * id] - minX) * inverse);
      let cy = Math.floor((positions[2 * id + 1] - minY) * inverse);
      if (cx >= columns) cx = columns - 1;
      if (cy >= rows) cy = rows - 1;
      const c = cy * columns + cx;
      this.cellOfItem[i] = c;
      cellStart[c + 1]++;
    }
    for (let c = 0; c < numCells; c++) cellStart[c + 1] += cellStart[c];
    const fill = this.cellFill;
    fill.set(cellStart.subarray(0, numCells));
    for (let i = 0; i < count; i++) {
      const slot = fill[this.cellOfItem[i]]++;
      const id = ids[i];
      this.itemIds[slot] = id;
      this.itemX[slot] = positions[2 * id];
      this.itemY[slot] = positions[2 * id + 1];
    }
  }

  /**
   * The k points nearest to (qx, qy), skipping id `excludeId` (−1 skips none), ordered by
   * distance and then by id. Writes ids and squared distances at `offset` of the outputs and
   * returns how many were found (fewer than k only when the grid holds fewer points).
   */
  nearest(
    qx: number,
    qy: number,
    k: number,
    excludeId: number,
    outIds: Int32Array,
    outDistanceSquared: Float64Array,
    offset: number,
  ): number {
    if (k <= 0 || this.count === 0) return 0;
    const cell = this.cellSize;
    const columns = this.columns;
    const rows = this.rows;
    const originX = this.originX;
    const originY = this.originY;
    const start = this.cellStart;
    const itemX = this.itemX;
    const itemY = this.itemY;
    const itemIds = this.itemIds;
    const fx = (qx - originX) / cell;
    const fy = (qy - originY) / cell;
    const qcx = Math.floor(fx);
    const qcy = Math.floor(fy);
    // Rings closer than the grid's rectangle hold no cells: start at the first that does.
    const gapX = qcx < 0 ? -qcx : qcx >= columns ? qcx - columns + 1 : 0;
    const gapY = qcy < 0 ? -qcy : qcy >= rows ? qcy - rows + 1 : 0;
    const lastRing = Math.max(qcx, columns - 1 - qcx, qcy, rows - 1 - qcy);
    const last = offset + k - 1;
    let found = 0;
    let worst = Number.POSITIVE_INFINITY; // the k-th best squared distance once k are found
    for (let ring = Math.max(gapX, gapY); ring <= lastRing; ring++) {
      if (found === k && ring > 0) {
        // Every cell of this ring lies outside the square of cells [q − ring + 1, q + ring) around
        // q's cell; its nearest point is at least the distance from q to that square's boundary.
        const inner = Math.min(
          fx - (qcx - ring + 1),
          qcx + ring - fx,
          fy - (qcy - ring + 1),
          qcy + ring - fy,
        );
        const bound = inner * cell;
        if (inner > 0 && worst <= bound * bound) break;
      }
      const x0 = qcx - ring;
      const x1 = qcx + ring;
      const y0 = qcy - ring;
      const y1 = qcy + ring;
      const yFrom = Math.max(y0, 0);
      const yTo = y1 >= rows ? rows - 1 : y1;
      const xFrom = Math.max(x0, 0);
      const xTo = x1 >= columns ? columns - 1 : x1;
      for (let cy = yFrom; cy <= yTo; cy++) {
        // The ring's first and last rows in full; in between only its two side cells.
        const edgeRow = cy === y0 || cy === y1;
        const stride = edgeRow ? 1 : x1 - x0;
        for (let cx = edgeRow ? xFrom : x0; cx <= xTo; cx += stride) {
          if (cx < 0) continue;
          if (found === k) {
            // Skip a cell whose nearest edge is already farther than the k-th best.
            const left = originX + cx * cell;
            const bottom = originY + cy * cell;
            const gx = qx < left ? left - qx : qx > left + cell ? qx - left - cell : 0;
            const gy = qy < bottom ? bottom - qy : qy > bottom + cell ? qy - bottom - cell : 0;
            if (gx * gx + gy * gy > worst) continue;
          }
          const c = cy * columns + cx;
          const end = start[c + 1];
          for (let s = start[c]; s < end; s++) {
            const dx = itemX[s] - qx;
            const dy = itemY[s] - qy;
            const d2 = dx * dx + dy * dy;
            if (d2 > worst) continue;
            const id = itemIds[s];
            if (id === excludeId) continue;
            let slot: number;
            if (found < k) {
              slot = offset + found;
              found++;
            } else {
              if (d2 === worst && id > outIds[last]) continue;
              slot = last;
            }
            // Insertion into the sorted prefix, ties broken by id (a total, deterministic order).
            while (
              slot > offset &&
              (outDistanceSquared[slot - 1] > d2 ||
                (outDistanceSquared[slot - 1] === d2 && outIds[slot - 1] > id))
            ) {
              outDistanceSquared[slot] = outDistanceSquared[slot - 1];
              outIds[slot] = outIds[slot - 1];
              slot--;
            }
            outDistanceSquared[slot] = d2;
            outIds[slot] = id;
            if (found === k) worst = outDistanceSquared[last];
          }
        }
      }
    }
    return found;
  }

  /** Number of points strictly closer than `radius` to (qx, qy), skipping `excludeId`. */
  countWithin(qx: number, qy: number, radius: number, excludeId: number): number {
    if (this.count === 0) return 0;
    const cell = this.cellSize;
    const x0 = Math.max(0, Math.floor((qx - radius - this.originX) / cell));
    const x1 = Math.min(this.columns - 1, Math.floor((qx + radius - this.originX) / cell));
    const y0 = Math.max(0, Math.floor((qy - radius - this.originY) / cell));
    const y1 = Math.min(this.rows - 1, Math.floor((qy + radius - this.originY) / cell));
    const limit = radius * radius;
    let total = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const c = y * this.columns + x;
        for (let s = this.cellStart[c]; s < this.cellStart[c + 1]; s++) {
          const dx = this.itemX[s] - qx;
          const dy = this.itemY[s] - qy;
          if (dx * dx + dy * dy < limit && this.itemIds[s] !== excludeId) total++;
        }
      }
    }
    return total;
  }

  /**
   * Calls `visitor.visitPair(a, b, …)` once for every unordered pair of points strictly closer
   * than `radius` (which must not exceed the build's `minCellSize`, so a pair always lies in the
   * same or in adjacent cells).
   */
  forEachPairWithin(radius: number, visitor: PairVisitor): void {
    if (radius > this.cellSize * (1 + 1e-12)) {
      throw new RangeError(
        `SpatialGrid.forEachPairWithin: radius ${radius} exceeds the cell size ${this.cellSize}; build with minCellSize >= radius`,
      );
    }
    const limit = radius * radius;
    const columns = this.columns;
    const rows = this.rows;
    const start = this.cellStart;
    const xs = this.itemX;
    const ys = this.itemY;
    const ids = this.itemIds;
    for (let cy = 0; cy < rows; cy++) {
      for (let cx = 0; cx < columns; cx++) {
        const c = cy * columns + cx;
        const begin = start[c];
        const end = start[c + 1];
        if (begin === end) continue;
        // Within the cell.
        for (let s = begin; s < end; s++) {
          const x = xs[s];
          const y = ys[s];
          for (let t = s + 1; t < end; t++) {
            const dx = x - xs[t];
            const dy = y - ys[t];
            const d2 = dx * dx + dy * dy;
            if (d2 < limit) visitor.visitPair(ids[s], ids[t], dx, dy, d2);
          }
        }
        // Forward neighbours (east, north-west, north, north-east): each adjacent pair once.
        for (let n = 0; n < 4; n++) {
          const nx = cx + (n === 0 ? 1 : n - 2);
          const ny = n === 0 ? cy : cy + 1;
          if (nx < 0 || nx >= columns || ny >= rows) continue;
          const d = ny * columns + nx;
          const dBegin = start[d];
          const dEnd = start[d + 1];
          if (dBegin === dEnd) continue;
          for (let s = begin; s < end; s++) {
            const x = xs[s];
            const y = ys[s];
            for (let t = dBegin; t < dEnd; t++) {
              const dx = x - xs[t];
              const dy = y - ys[t];
              const d2 = dx * dx + dy * dy;
              if (d2 < limit) visitor.visitPair(ids[s], ids[t], dx, dy, d2);
            }
          }
        }
      }
    }
  }
}
