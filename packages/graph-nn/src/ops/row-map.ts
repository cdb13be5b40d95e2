import * as tf from "@tensorflow/tfjs-core";
import "./register-gradients.js";

/**
 * A fixed sparse linear map between row spaces: `out[target[e]] += x[source[e]]` for every entry e,
 * with `x` of `inputRows` rows and `out` of `outputRows` rows (any trailing shape). Gathering rows
 * (`target = 0…E−1`), scattering rows (`source = 0…E−1`) and neighbour sums (`source = src`,
 * `target = dst`) are all such maps, and the gradient of a map is its transpose.
 *
 * Why this exists: on the wasm backend `tf.gather`'s gradient needs the missing
 * `UnsortedSegmentSum` kernel, `ScatterNd`/`SparseSegmentSum` have no gradient, and `tf.gather`
 * itself is ~15× slower than `SparseSegmentSum` on 256 000 × 128 rows. `SparseSegmentSum`
 * (`out[seg[e]] += x[idx[e]]`, `seg` sorted) exists on wasm and cpu and does gather and segment sum
 * in one pass, so {@link applyRowMap} runs it forward and its transpose backward via `tf.customGrad`.
 * The index tensors are created once (kept out of any `tf.tidy`) and freed by {@link RowMap.dispose}.
 */
export class RowMap {
  readonly inputRows: number;
  readonly outputRows: number;
  /** Number of (source, target) entries. */
  readonly size: number;
  /** Entries sorted by target (stable): host copies. */
  readonly sources: Int32Array;
  readonly targets: Int32Array;
  private sourceTensor: tf.Tensor1D | null = null;
  private targetTensor: tf.Tensor1D | null = null;
  private transposed: RowMap | null = null;
  private disposed = false;

  /**
   * @param sources row of the input read by each entry, in [0, inputRows)
   * @param targets row of the output written by each entry, in [0, outputRows)
   */
  constructor(inputRows: number, outputRows: number, sources: ArrayLike<number>, targets: ArrayLike<number>) {
    if (sources.length !== targets.length) {
      throw new RangeError(`RowMap: ${sources.length} sources but ${targets.length} targets`);
    }
    const size = sources.length;
    const order = sortedOrder(targets, outputRows, "target");
    this.sources = new Int32Array(size);
    this.targets = new Int32Array(size);
    for (let e = 0; e < size; e++) {
      const source = sources[order[e]];
      if (!(Number.isInteger(source) && source >= 0 && source < inputRows)) {
        throw new RangeError(
          `RowMap: source ${source} of entry ${order[e]} is not a row in [0, ${inputRows})`,
        );
      }
      this.sources[e] = source;
      this.targets[e] = targets[order[e]];
    }
    this.inputRows = inputRows;
    this.outputRows = outputRows;
    this.size = size;
  }

  /** Output row r = input row indices[r] (a gather). */
  static gather(inputRows: number, indices: ArrayLike<number>): RowMap {
    return new RowMap(inputRows, indices.length, indices, iota(indices.length));
  }

  /** Output row indices[e] += input row e (a scatter-add). */
  static scatter(outputRows: number, indices: ArrayLike<number>): RowMap {
    return new RowMap(indices.length, outputRows, iota(indices.length), indices);
  }

  /** The map with sources and targets swapped (the gradient of this one); cached. */
  transpose(): RowMap {
    this.assertLive();
    if (this.transposed === null) {
      this.transposed = new RowMap(this.outputRows, this.inputRows, this.targets, this.sources);
      this.transposed.transposed = this;
    }
    return this.transposed;
  }

  /** The kept index tensors (created on first use). */
  indexTensors(): { sources: tf.Tensor1D; targets: tf.Tensor1D } {
    this.assertLive();
    if (this.sourceTensor === null || this.targetTensor === null) {
      this.sourceTensor = tf.keep(tf.tensor1d(this.sources, "int32"));
      this.targetTensor = tf.keep(tf.tensor1d(this.targets, "int32"));
    }
    return { sources: this.sourceTensor, targets: this.targetTensor };
  }

  /** Frees the index tensors of this map and of its cached transpose. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sourceTensor?.dispose();
    this.targetTensor?.dispose();
    this.sourceTensor = null;
    this.targetTensor = null;
    this.transposed?.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error("RowMap: used after dispose()");
  }
}

/**
 * Applies `map` to the rows of `x` ([inputRows, ...]) → [outputRows, ...], differentiably on every
 * backend: the gradient is `applyRowMap(dy, map.transpose())`.
 */
export function applyRowMap<T extends tf.Tensor>(x: T, map: RowMap): T {
  if (x.shape[0] !== map.inputRows) {
    throw new RangeError(`applyRowMap: x has ${x.shape[0]} rows; the map expects ${map.inputRows}`);
  }
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: rawApply(args[0] as tf.Tensor, map),
    gradFunc: (dy: tf.Tensor) => applyRowMap(dy, map.transpose()),
  }));
  return forward(x) as T;
}

/** Forward only (no tape entry of its own): SparseSegmentSum plus zero rows for trailing targets. */
function rawApply(x: tf.Tensor, map: RowMap): tf.Tensor {
  const trailing = x.shape.slice(1);
  if (map.size === 0) return tf.zeros([map.outputRows, ...trailing]);
  const { sources, targets } = map.indexTensors();
  const summed = tf.sparse.sparseSegmentSum(x, sources, targets);
  const missing = map.outputRows - summed.shape[0];
  if (missing === 0) return summed;
  // SparseSegmentSum stops at the last target that has an entry; pad the rest with zeros.
  return tf.tidy(() => tf.concat([summed, tf.zeros([missing, ...trailing])], 0));
}

function iota(length: number): Int32Array {
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = i;
  return out;
}

/** Stable counting-sort order of `keys` in [0, bound). */
function sortedOrder(keys: ArrayLike<number>, bound: number, what: string): Int32Array {
  const counts = new Int32Array(bound + 1);
  for (let e = 0; e < keys.length; e++) {
    const k = keys[e];
    if (!(Number.isInteger(k) && k >= 0 && k < bound)) {
      throw new RangeError(`RowMap: ${what} ${k} of entry ${e} is not a row in [0, ${bound})`);
    }
    counts[k + 1]++;
  }
  for (let i = 0; i < bound; i++) counts[i + 1] += counts[i];
  const order = new Int32Array(keys.length);
  for (let e = 0; e < keys.length; e++) order[counts[keys[e]]++] = e;
  return order;
}
