/**
 * Maximum-weight perfect assignment on an n × n score matrix (row-major), O(n³): the Hungarian
 * algorithm with potentials (Kuhn–Munkres, shortest augmenting paths), run on costs −score.
 * Returns `columnOfRow` with row i assigned to column columnOfRow[i] — what
 * `scipy.optimize.linear_sum_assignment(-score)` gives (spec §0.1). Plain TS: TF.js has no solver.
 */
export function hungarian(score: ArrayLike<number>, n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || score.length !== n * n) {
    throw new RangeError(`hungarian: expected an n × n matrix (n = ${n}), got ${score.length} entries`);
  }
  for (let i = 0; i < score.length; i++) {
    if (!Number.isFinite(score[i]))
      throw new RangeError(`hungarian: score[${i}] = ${score[i]} is not finite`);
  }
  // 1-based arrays as in the classic formulation; column 0 is the virtual start.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfColumn = new Int32Array(n + 1); // 0 = free
  const way = new Int32Array(n + 1);
  const minSlack = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let row = 1; row <= n; row++) {
    rowOfColumn[0] = row;
    let column0 = 0;
    minSlack.fill(Number.POSITIVE_INFINITY);
    used.fill(0);
    do {
      used[column0] = 1;
      const row0 = rowOfColumn[column0];
      let delta = Number.POSITIVE_INFINITY;
      let column1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = -score[(row0 - 1) * n + (j - 1)] - u[row0] - v[j];
        if (reduced < minSlack[j]) {
          minSlack[j] = reduced;
          way[j] = column0;
        }
        if (minSlack[j] < delta) {
          delta = minSlack[j];
          column1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfColumn[j]] += delta;
          v[j] -= delta;
        } else {
          minSlack[j] -= delta;
        }
      }
      column0 = column1;
    } while (rowOfColumn[column0] !== 0);
    do {
      const column1 = way[column0];
      rowOfColumn[column0] = rowOfColumn[column1];
      column0 = column1;
    } while (column0 !== 0);
  }
  const columnOfRow = new Int32Array(n);
  for (let j = 1; j <= n; j++) if (rowOfColumn[j] > 0) columnOfRow[rowOfColumn[j] - 1] = j - 1;
  return columnOfRow;
}
