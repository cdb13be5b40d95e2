/**
 * Solves A x = b in Float64 by Gaussian elimination with partial pivoting (the exact quantities of
 * the tabular BN policy gradient need (I − γP)⁻¹ on at most 256 × 256 systems; float32 tfjs has no
 * solver and would lose the 1e-6 gradient agreement). `matrix` is row-major n × n and is not
 * modified; `transpose` solves Aᵀ x = b instead (the discounted occupancy μᵀ(I − γP)⁻¹).
 */
export function solveLinearSystem(
  matrix: Float64Array,
  n: number,
  rhs: Float64Array,
  transpose = false,
): Float64Array {
  const a = new Float64Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) a[r * n + c] = transpose ? matrix[c * n + r] : matrix[r * n + c];
  const x = Float64Array.from(rhs);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    const pivotValue = a[pivot * n + col];
    if (pivotValue === 0) throw new RangeError(`solveLinearSystem: the ${n} × ${n} matrix is singular`);
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c];
        a[col * n + c] = a[pivot * n + c];
        a[pivot * n + c] = t;
      }
      const t = x[col];
      x[col] = x[pivot];
      x[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const factor = a[r * n + col] / pivotValue;
      if (factor === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= factor * a[col * n + c];
      x[r] -= factor * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let sum = x[r];
    for (let c = r + 1; c < n; c++) sum -= a[r * n + c] * x[c];
    x[r] = sum / a[r * n + r];
  }
  return x;
}
