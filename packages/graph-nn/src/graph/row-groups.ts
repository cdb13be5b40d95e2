import * as tf from "@tensorflow/tfjs-core";
import { applyRowMap, RowMap } from "../ops/row-map.js";

/**
 * A partition of rows into groups (e.g. agent types of a heterogeneous team, repeated over the
 * batch): {@link RowGroups.split} takes each group's rows out, {@link RowGroups.merge} puts per-group
 * results back in row order. Both are differentiable on every backend. Owns index tensors.
 */
export class RowGroups {
  readonly numRows: number;
  readonly numGroups: number;
  /** Rows of each group, ascending. */
  readonly rowsOf: readonly Int32Array[];
  private readonly gathers: RowMap[];

  /** @param groupOfRow group index in [0, numGroups) of every row */
  constructor(groupOfRow: ArrayLike<number>, numGroups: number) {
    if (!Number.isInteger(numGroups) || numGroups < 1) {
      throw new RangeError(`RowGroups: numGroups = ${numGroups}; expected an integer >= 1`);
    }
    const lists: number[][] = Array.from({ length: numGroups }, () => []);
    for (let row = 0; row < groupOfRow.length; row++) {
      const g = groupOfRow[row];
      if (!(Number.isInteger(g) && g >= 0 && g < numGroups)) {
        throw new RangeError(
          `RowGroups: row ${row} has group ${g}; expected an integer in [0, ${numGroups})`,
        );
      }
      lists[g].push(row);
    }
    this.numRows = groupOfRow.length;
    this.numGroups = numGroups;
    this.rowsOf = lists.map((rows) => Int32Array.from(rows));
    this.gathers = this.rowsOf.map((rows) => RowMap.gather(this.numRows, rows));
  }

  /** Group ids of `numAgents` agents repeated `batchSize` times (rows ordered graph by graph). */
  static repeat(groupOfAgent: ArrayLike<number>, batchSize: number, numGroups: number): RowGroups {
    const ids = new Int32Array(groupOfAgent.length * batchSize);
    for (let b = 0; b < batchSize; b++)
      for (let i = 0; i < groupOfAgent.length; i++) ids[b * groupOfAgent.length + i] = groupOfAgent[i];
    return new RowGroups(ids, numGroups);
  }

  /** The rows of each group: one tensor [rowsOf[g].length, ...] per group. */
  split<T extends tf.Tensor>(x: T): T[] {
    if (x.shape[0] !== this.numRows) {
      throw new RangeError(`RowGroups.split: x has ${x.shape[0]} rows; expected ${this.numRows}`);
    }
    return this.gathers.map((map) => applyRowMap(x, map));
  }

  /** Inverse of {@link split}: per-group rows back into one [numRows, ...] tensor. */
  merge<T extends tf.Tensor>(parts: readonly T[]): T {
    if (parts.length !== this.numGroups) {
      throw new RangeError(`RowGroups.merge: ${parts.length} parts; expected ${this.numGroups}`);
    }
    return tf.tidy(() => {
      const placed = parts.map((part, g) => applyRowMap(part, this.gathers[g].transpose()));
      return (placed.length === 1 ? placed[0] : tf.addN(placed)) as T;
    });
  }

  dispose(): void {
    for (const map of this.gathers) map.dispose();
  }
}
