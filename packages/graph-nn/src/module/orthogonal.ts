import type { Rng } from "@netmarl/envs";

/**
 * An (semi-)orthogonal rows × cols matrix times `gain`, as `torch.nn.init.orthogonal_` (the
 * initialiser of every on-policy MAPPO layer): a Gaussian matrix orthonormalised along its smaller
 * side (Gram–Schmidt on Float64, the QR of the original with r's diagonal signs folded in).
 * Row-major, for a kernel of shape [rows = inputSize, cols = outputSize].
 */
export function orthogonalValues(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  // orthonormalise the `short` vectors of length `long` (torch works on the transpose when rows < cols)
  const short = Math.min(rows, cols);
  const long = Math.max(rows, cols);
  const vectors = Array.from({ length: short }, () =>
    Float64Array.from({ length: long }, () => rng.normal()),
  );
  for (let k = 0; k < short; k++) {
    const v = vectors[k];
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let t = 0; t < long; t++) dot += v[t] * vectors[j][t];
        for (let t = 0; t < long; t++) v[t] -= dot * vectors[j][t];
      }
    }
    let norm = 0;
    for (let t = 0; t < long; t++) norm += v[t] * v[t];
    norm = Math.sqrt(norm);
    for (let t = 0; t < long; t++) v[t] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? vectors[c][r] : vectors[r][c]);
  return out;
}
