import type { AgentGraph } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { applyRowMap, RowMap } from "../ops/row-map.js";
import { stopGradient } from "../ops/stop-gradient.js";
import { reverseEdgeIndex } from "./reverse-edges.js";

/** How neighbourhood operations are laid out; see {@link GraphBatch}. */
export type NeighbourhoodLayout = "auto" | "sparse" | "dense";

/** Reductions over a node's incoming edges. */
export type Aggregation = "sum" | "mean" | "max";

/** Options of {@link GraphBatch} constructors. */
export interface GraphBatchOptions {
  /**
   * `"dense"`: neighbourhoods as padded [nodes, K] tables (fast for small fan-in); `"sparse"`: edge
   * lists with segment reductions; `"auto"` (default): dense when the largest neighbourhood, self
   * included, has at most {@link DENSE_MAX_FAN_IN} entries. Sum and mean always use the one-pass
   * sparse form, which measured faster than a dense gather + sum at every fan-in.
   */
  layout?: NeighbourhoodLayout;
}

/** Largest fan-in (self included) for which `layout: "auto"` picks the dense layout. */
export const DENSE_MAX_FAN_IN = 9;

const NEGATIVE_BIG = -1e30;

/**
 * B graphs (one `AgentGraph` repeated, or different ones) flattened into one graph of
 * `numNodes = Σ N_b` rows: node i of graph b is row `graphOffsets[b] + i`. An edge e carries a
 * message from `sources[e]` to `targets[e]` (the target hears the source, as in `AgentGraph`);
 * edges are sorted by target, so the edges into one node are contiguous.
 *
 * Every operation is differentiable on both cpu and wasm (they are built on {@link RowMap}).
 * Owns index tensors: call {@link GraphBatch.dispose}.
 */
export class GraphBatch {
  readonly numGraphs: number;
  readonly numNodes: number;
  readonly numEdges: number;
  /** Row of node 0 of each graph, plus the total: length numGraphs + 1. */
  readonly graphOffsets: Int32Array;
  readonly sources: Int32Array;
  readonly targets: Int32Array;
  /** Incoming-edge count of each row. */
  readonly inDegrees: Int32Array;
  readonly maxInDegree: number;
  /** The layout used by neighbourhood operations (`auto` resolved). */
  readonly layout: "sparse" | "dense";
  private readonly maps = new Map<string, RowMap>();
  private readonly tensors = new Map<string, tf.Tensor>();
  private disposed = false;

  constructor(graphs: readonly AgentGraph[], options: GraphBatchOptions = {}) {
    if (graphs.length === 0) throw new RangeError("GraphBatch: expected at least one graph");
    const offsets = new Int32Array(graphs.length + 1);
    let edges = 0;
    graphs.forEach((graph, b) => {
      offsets[b + 1] = offsets[b] + graph.numAgents;
      edges += graph.numEdges;
    });
    this.numGraphs = graphs.length;
    this.numNodes = offsets[graphs.length];
    this.numEdges = edges;
    this.graphOffsets = offsets;
    this.sources = new Int32Array(edges);
    this.targets = new Int32Array(edges);
    this.inDegrees = new Int32Array(this.numNodes);
    let e = 0;
    graphs.forEach((graph, b) => {
      const base = offsets[b];
      for (let i = 0; i < graph.numAgents; i++) {
        for (let k = graph.offsets[i]; k < graph.offsets[i + 1]; k++) {
          this.sources[e] = base + graph.neighbors[k];
          this.targets[e] = base + i;
          e++;
        }
        this.inDegrees[base + i] = graph.offsets[i + 1] - graph.offsets[i];
      }
    });
    let maxDegree = 0;
    for (let i = 0; i < this.numNodes; i++) maxDegree = Math.max(maxDegree, this.inDegrees[i]);
    this.maxInDegree = maxDegree;
    const layout = options.layout ?? "auto";
    if (layout !== "auto" && layout !== "sparse" && layout !== "dense") {
      throw new RangeError(`GraphBatch: layout = ${String(layout)}; expected "auto", "sparse" or "dense"`);
    }
    this.layout = layout === "auto" ? (maxDegree + 1 <= DENSE_MAX_FAN_IN ? "dense" : "sparse") : layout;
  }

  /** `batchSize` copies of one graph. */
  static repeat(graph: AgentGraph, batchSize: number, options?: GraphBatchOptions): GraphBatch {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`GraphBatch.repeat: batchSize = ${batchSize}; expected an integer >= 1`);
    }
    return new GraphBatch(new Array<AgentGraph>(batchSize).fill(graph), options);
  }

  /** The same batch with another layout (fresh index tensors). */
  withLayout(layout: NeighbourhoodLayout): GraphBatch {
    const copy = Object.create(GraphBatch.prototype) as GraphBatch;
    Object.assign(copy, this, { maps: new Map(), tensors: new Map(), disposed: false });
    (copy as { layout: string }).layout =
      layout === "auto" ? (this.maxInDegree + 1 <= DENSE_MAX_FAN_IN ? "dense" : "sparse") : layout;
    return copy;
  }

  /** Row i ← Σ over edges j→i of x[j] (+ x[i] itself with `includeSelf`). x: [numNodes, ...]. */
  sumNeighbours<T extends tf.Tensor>(x: T, includeSelf = false): T {
    return applyRowMap(x, this.neighbourSumMap(includeSelf));
  }

  /** Sum, mean or max of x over each node's incoming edges (zero for a node without any). */
  aggregate<T extends tf.Tensor>(x: T, how: Aggregation, includeSelf = false): T {
    this.checkRows(x, "aggregate");
    if (how === "sum") return this.sumNeighbours(x, includeSelf);
    if (how === "mean") {
      return tf.tidy(() => {
        const inverse = this.inverseDegrees(includeSelf);
        const sums = this.sumNeighbours(x, includeSelf);
        return tf.mul(sums, tf.reshape(inverse, [this.numNodes, ...x.shape.slice(1).map(() => 1)])) as T;
      });
    }
    if (how === "max") return this.segmentMax(x, includeSelf);
    throw new RangeError(`GraphBatch.aggregate: how = ${String(how)}; expected "sum", "mean" or "max"`);
  }

  /** x[sources[e]] for every edge: [numEdges (+numNodes with self loops), ...]. */
  gatherSources<T extends tf.Tensor>(x: T, includeSelf = false): T {
    this.checkRows(x, "gatherSources");
    return applyRowMap(
      x,
      this.map(`gs${+includeSelf}`, () => RowMap.gather(this.numNodes, this.edgeList(includeSelf).sources)),
    );
  }

  /** x[targets[e]] for every edge. */
  gatherTargets<T extends tf.Tensor>(x: T, includeSelf = false): T {
    this.checkRows(x, "gatherTargets");
    return applyRowMap(x, this.targetGatherMap(includeSelf));
  }

  /** Row i ← Σ over edges e into i of values[e]. values: [numEdges (+numNodes), ...]. */
  scatterToTargets<T extends tf.Tensor>(values: T, includeSelf = false): T {
    return applyRowMap(values, this.targetGatherMap(includeSelf).transpose());
  }

  /**
   * For each edge i → j, the row of the reverse edge j → i of `values` ([numEdges, ...]); a zero
   * row when the graph has no reverse edge (one-way links).
   */
  gatherReverseEdges<T extends tf.Tensor>(values: T): T {
    if (values.shape[0] !== this.numEdges) {
      throw new RangeError(
        `GraphBatch.gatherReverseEdges: values have ${values.shape[0]} rows; expected ${this.numEdges}`,
      );
    }
    const map = this.map("reverse", () => {
      const reverse = reverseEdgeIndex(this);
      const from: number[] = [];
      const to: number[] = [];
      reverse.forEach((f, e) => {
        if (f >= 0) {
          from.push(f);
          to.push(e);
        }
      });
      return new RowMap(this.numEdges, this.numEdges, from, to);
    });
    return applyRowMap(values, map);
  }

  /**
   * Softmax of edge logits ([edges] or [edges, heads]) over the edges into each node. The
   * per-node max used for stability carries no gradient (softmax does not depend on it).
   */
  edgeSoftmax<T extends tf.Tensor>(logits: T, includeSelf = false): T {
    return tf.tidy(() => {
      const max = stopGradient(this.segmentMaxOfEdges(logits, includeSelf));
      const shifted = tf.exp(tf.sub(logits, this.gatherTargets(max, includeSelf)));
      const denominators = this.scatterToTargets(shifted, includeSelf);
      return tf.div(shifted, this.gatherTargets(denominators, includeSelf)) as T;
    });
  }

  /**
   * The dense layout: each node's neighbourhood as `[numNodes, K, ...]` rows (self first with
   * `includeSelf`, then neighbours in graph order; zero rows as padding) and `mask` [numNodes, K]
   * (1 = real entry). K = maxInDegree (+1).
   */
  neighbourhood<T extends tf.Tensor>(x: T, includeSelf = false): { values: tf.Tensor; mask: tf.Tensor2D } {
    this.checkRows(x, "neighbourhood");
    const width = this.fanIn(includeSelf);
    const values = tf.tidy(() =>
      tf.reshape(applyRowMap(x, this.denseMap(includeSelf)), [this.numNodes, width, ...x.shape.slice(1)]),
    );
    return { values, mask: this.denseMask(includeSelf) };
  }

  /** Padded neighbourhood width: maxInDegree (+1 with self). */
  fanIn(includeSelf: boolean): number {
    return this.maxInDegree + (includeSelf ? 1 : 0);
  }

  /** The kept [numNodes, K] 0/1 mask of the dense layout (owned by this batch). */
  denseMask(includeSelf: boolean): tf.Tensor2D {
    return this.tensor(`mask${+includeSelf}`, () => {
      const width = this.fanIn(includeSelf);
      const mask = new Float32Array(this.numNodes * width);
      for (let i = 0; i < this.numNodes; i++) {
        const count = this.inDegrees[i] + (includeSelf ? 1 : 0);
        mask.fill(1, i * width, i * width + count);
      }
      return tf.tensor2d(mask, [this.numNodes, width]);
    }) as tf.Tensor2D;
  }

  /** 1 / (in-degree (+1)), 0 for an empty neighbourhood: [numNodes]. */
  inverseDegrees(includeSelf: boolean): tf.Tensor1D {
    return this.tensor(`inv${+includeSelf}`, () => {
      const inverse = new Float32Array(this.numNodes);
      for (let i = 0; i < this.numNodes; i++) {
        const count = this.inDegrees[i] + (includeSelf ? 1 : 0);
        inverse[i] = count > 0 ? 1 / count : 0;
      }
      return tf.tensor1d(inverse);
    }) as tf.Tensor1D;
  }

  /** Frees every index tensor this batch created. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const map of this.maps.values()) map.dispose();
    for (const tensor of this.tensors.values()) tensor.dispose();
    this.maps.clear();
    this.tensors.clear();
  }

  /** Edges (sorted by target) with, per target, its self loop first when `includeSelf`. */
  edgeList(includeSelf: boolean): { sources: Int32Array; targets: Int32Array } {
    if (!includeSelf) return { sources: this.sources, targets: this.targets };
    const sources = new Int32Array(this.numEdges + this.numNodes);
    const targets = new Int32Array(this.numEdges + this.numNodes);
    let e = 0;
    let out = 0;
    for (let i = 0; i < this.numNodes; i++) {
      sources[out] = i;
      targets[out++] = i;
      for (let k = 0; k < this.inDegrees[i]; k++, e++) {
        sources[out] = this.sources[e];
        targets[out++] = i;
      }
    }
    return { sources, targets };
  }

  private neighbourSumMap(includeSelf: boolean): RowMap {
    return this.map(`sum${+includeSelf}`, () => {
      const { sources, targets } = this.edgeList(includeSelf);
      return new RowMap(this.numNodes, this.numNodes, sources, targets);
    });
  }

  private targetGatherMap(includeSelf: boolean): RowMap {
    return this.map(`gt${+includeSelf}`, () =>
      RowMap.gather(this.numNodes, this.edgeList(includeSelf).targets),
    );
  }

  /** Row-map from nodes to the [numNodes × K] slots of the dense layout (padding slots get no entry). */
  private denseMap(includeSelf: boolean): RowMap {
    return this.map(`dense${+includeSelf}`, () => {
      const width = this.fanIn(includeSelf);
      const { sources, targets } = this.edgeList(includeSelf);
      const slots = new Int32Array(sources.length);
      let previous = -1;
      let slot = 0;
      for (let e = 0; e < sources.length; e++) {
        slot = targets[e] === previous ? slot + 1 : 0;
        previous = targets[e];
        slots[e] = targets[e] * width + slot;
      }
      return new RowMap(this.numNodes, this.numNodes * width, sources, slots);
    });
  }

  private segmentMax<T extends tf.Tensor>(x: T, includeSelf: boolean): T {
    return tf.tidy(() => {
      const { values, mask } = this.neighbourhood(x, includeSelf);
      const trailing = x.shape.slice(1).map(() => 1);
      const width = this.fanIn(includeSelf);
      const shape = [this.numNodes, width, ...trailing];
      const penalty = tf.reshape(tf.mul(tf.sub(1, mask), NEGATIVE_BIG), shape);
      const max = tf.max(tf.add(values, penalty), 1);
      const nonEmpty = tf.reshape(tf.minimum(tf.sum(mask, 1), 1), [this.numNodes, ...trailing]);
      return tf.mul(max, nonEmpty) as T;
    });
  }

  /** Max of edge values over the edges into each node, [numNodes, ...] (no gradient needed). */
  private segmentMaxOfEdges(logits: tf.Tensor, includeSelf: boolean): tf.Tensor {
    const edges = this.numEdges + (includeSelf ? this.numNodes : 0);
    if (logits.shape[0] !== edges) {
      throw new RangeError(
        `GraphBatch.edgeSoftmax: logits have ${logits.shape[0]} rows; expected ${edges} edges`,
      );
    }
    const slots = this.map(`edgeSlots${+includeSelf}`, () => {
      const width = this.fanIn(includeSelf);
      const { targets } = this.edgeList(includeSelf);
      const slot = new Int32Array(edges);
      let previous = -1;
      let k = 0;
      for (let e = 0; e < edges; e++) {
        k = targets[e] === previous ? k + 1 : 0;
        previous = targets[e];
        slot[e] = targets[e] * width + k;
      }
      return RowMap.scatter(this.numNodes * width, slot);
    });
    const width = this.fanIn(includeSelf);
    const trailing = logits.shape.slice(1);
    const padded = tf.reshape(applyRowMap(logits, slots), [this.numNodes, width, ...trailing]);
    const mask = this.denseMask(includeSelf);
    const penalty = tf.reshape(tf.mul(tf.sub(1, mask), NEGATIVE_BIG), [
      this.numNodes,
      width,
      ...trailing.map(() => 1),
    ]);
    return tf.max(tf.add(padded, penalty), 1);
  }

  private checkRows(x: tf.Tensor, what: string): void {
    if (this.disposed) throw new Error(`GraphBatch.${what}: used after dispose()`);
    if (x.shape[0] !== this.numNodes) {
      throw new RangeError(
        `GraphBatch.${what}: x has ${x.shape[0]} rows; expected numNodes = ${this.numNodes}`,
      );
    }
  }

  private map(key: string, build: () => RowMap): RowMap {
    let map = this.maps.get(key);
    if (map === undefined) {
      map = build();
      this.maps.set(key, map);
    }
    return map;
  }

  private tensor(key: string, build: () => tf.Tensor): tf.Tensor {
    let tensor = this.tensors.get(key);
    if (tensor === undefined) {
      tensor = tf.keep(build());
      this.tensors.set(key, tensor);
    }
    return tensor;
  }
}
