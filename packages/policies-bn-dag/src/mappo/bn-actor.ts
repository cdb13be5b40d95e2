import type { Rng } from "@netmarl/envs";
import { LayerNormMLP, Module, orthogonalValues } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/** Options of {@link BnActor}. */
export interface BnActorOptions {
  numAgents: number;
  numActions: number;
  /** Per-agent actor input (observation, plus a one-hot agent id when configured). */
  inputSize: number;
  hiddenSizes: readonly number[];
}

/**
 * BN-MAPPO's actor (BNPG `R_Actor` + `ACTLayer`, coordination-game and Aloha versions; spec §3.4):
 * a shared on-policy `MLPBase` trunk f_i = trunk(o_i), and **one Categorical head per agent** on
 * concat(f_i, parent actions), where the parent-action vector is the one-hot joint action (n·|A|)
 * masked by G[:, i] — absent parents and the agent itself are zeros, so one head serves every DAG.
 * Heads are orthogonal with gain 0.01 (`act.py`). All heads live in one [n, F, |A|] kernel so the
 * batch runs as one batched matMul; acting (one sample, agents in topological order) reads the
 * trunk once and evaluates the heads in plain JS from a cached copy of their weights.
 */
export class BnActor extends Module {
  readonly trunk: LayerNormMLP;
  /** [n, featureSize + n·|A|, |A|]. */
  readonly headKernel: tf.Variable;
  /** [n, |A|]. */
  readonly headBias: tf.Variable;
  readonly numAgents: number;
  readonly numActions: number;
  readonly featureSize: number;
  readonly headInputSize: number;
  private headKernelValues: Float32Array | undefined;
  private headBiasValues: Float32Array | undefined;
  private cachedTrunk: TrunkCache | undefined;

  constructor(options: BnActorOptions, rng: Rng) {
    super();
    const { numAgents: n, numActions } = options;
    this.numAgents = n;
    this.numActions = numActions;
    this.trunk = this.addChild(
      "trunk",
      new LayerNormMLP({ inputSize: options.inputSize, hiddenSizes: options.hiddenSizes }, rng.fork("trunk")),
    );
    this.featureSize = this.trunk.outputSize;
    this.headInputSize = this.featureSize + n * numActions;
    const kernel = new Float32Array(n * this.headInputSize * numActions);
    for (let agent = 0; agent < n; agent++)
      kernel.set(
        orthogonalValues(rng.fork(`head-${agent}`), this.headInputSize, numActions, 0.01),
        agent * this.headInputSize * numActions,
      );
    this.headKernel = this.addWeight("headKernel", [n, this.headInputSize, numActions], kernel);
    this.headBias = this.addWeight("headBias", [n, numActions], new Float32Array(n * numActions));
  }

  /**
   * Logits of every agent for a batch: inputs [B·n, inputSize] (rows [b][agent]), parent actions
   * [B, n_child, n_parent·|A|] (already masked) → [n, B, |A|].
   */
  logits(inputs: tf.Tensor2D, parentActions: tf.Tensor3D): tf.Tensor3D {
    const n = this.numAgents;
    const batch = parentActions.shape[0];
    return tf.tidy(() => {
      const features = tf.reshape(this.trunk.apply(inputs), [batch, n, this.featureSize]);
      const headInput = tf.transpose(tf.concat([features, parentActions], 2), [1, 0, 2]); // [n, B, F]
      const logits = tf.matMul(headInput, this.headKernel as tf.Tensor3D);
      return tf.add(logits, tf.expandDims(this.headBias, 1)) as tf.Tensor3D;
    });
  }

  /**
   * Trunk features of one step's n rows, [n × featureSize], computed in plain JS from cached weights
   * (acting is one small row per agent: a tfjs call per step would cost more than the arithmetic).
   */
  featuresInto(inputs: Float32Array, out: Float32Array): Float32Array {
    const cache = this.trunkCache();
    const inputSize = inputs.length / this.numAgents;
    for (let agent = 0; agent < this.numAgents; agent++) {
      let h = cache.scratch[0];
      h.set(inputs.subarray(agent * inputSize, (agent + 1) * inputSize));
      if (cache.inputNorm)
        layerNormInPlace(
          h,
          inputSize,
          cache.inputNorm.scale,
          cache.inputNorm.offset,
          this.trunk.inputNorm!.epsilon,
        );
      cache.layers.forEach((layer, l) => {
        const next = cache.scratch[(l + 1) % 2];
        const inSize = layer.inputSize;
        const outSize = layer.outputSize;
        for (let o = 0; o < outSize; o++) next[o] = layer.bias[o];
        for (let i = 0; i < inSize; i++) {
          const x = h[i];
          if (x === 0) continue;
          const row = i * outSize;
          for (let o = 0; o < outSize; o++) next[o] += x * layer.kernel[row + o];
        }
        for (let o = 0; o < outSize; o++) if (next[o] < 0) next[o] = 0;
        layerNormInPlace(next, outSize, layer.normScale, layer.normOffset, this.trunk.norms[l].epsilon);
        h = next;
      });
      out.set(h.subarray(0, this.featureSize), agent * this.featureSize);
    }
    return out;
  }

  /**
   * One agent's logits in JS: `features` its trunk row, `jointOneHot` the n·|A| one-hot of the
   * actions chosen so far, `adjacency` (at `adjacencyOffset`) the n × n DAG, j → i where [j·n + i] = 1.
   */
  headLogitsInto(
    agent: number,
    features: Float32Array,
    featureOffset: number,
    jointOneHot: Float32Array,
    adjacency: ArrayLike<number>,
    adjacencyOffset: number,
    out: Float64Array,
  ): void {
    this.headKernelValues ??= this.headKernel.dataSync() as Float32Array;
    this.headBiasValues ??= this.headBias.dataSync() as Float32Array;
    const kernel = this.headKernelValues;
    const A = this.numActions;
    const base = agent * this.headInputSize * A;
    for (let a = 0; a < A; a++) out[a] = this.headBiasValues[agent * A + a];
    for (let f = 0; f < this.featureSize; f++) {
      const x = features[featureOffset + f];
      const row = base + f * A;
      for (let a = 0; a < A; a++) out[a] += x * kernel[row + a];
    }
    for (let parent = 0; parent < this.numAgents; parent++) {
      if (!(adjacency[adjacencyOffset + parent * this.numAgents + agent] > 0.5)) continue;
      for (let b = 0; b < A; b++) {
        const x = jointOneHot[parent * A + b];
        if (x === 0) continue;
        const row = base + (this.featureSize + parent * A + b) * A;
        for (let a = 0; a < A; a++) out[a] += x * kernel[row + a];
      }
    }
  }

  /** Forget the cached weights (after an optimiser step or a load). */
  invalidateCache(): void {
    this.headKernelValues = undefined;
    this.headBiasValues = undefined;
    this.cachedTrunk = undefined;
  }

  private trunkCache(): TrunkCache {
    if (this.cachedTrunk) return this.cachedTrunk;
    const trunk = this.trunk;
    const read = (v: tf.Variable) => Float32Array.from(v.dataSync() as Float32Array);
    const widest = Math.max(trunk.layers[0].inputSize, ...trunk.layers.map((layer) => layer.outputSize));
    this.cachedTrunk = {
      inputNorm: trunk.inputNorm
        ? { scale: read(trunk.inputNorm.scale), offset: read(trunk.inputNorm.offset) }
        : undefined,
      layers: trunk.layers.map((layer, l) => ({
        inputSize: layer.inputSize,
        outputSize: layer.outputSize,
        kernel: read(layer.kernel),
        bias: layer.bias ? read(layer.bias) : new Float32Array(layer.outputSize),
        normScale: read(trunk.norms[l].scale),
        normOffset: read(trunk.norms[l].offset),
      })),
      scratch: [new Float64Array(widest), new Float64Array(widest)],
    };
    return this.cachedTrunk;
  }
}

interface TrunkCache {
  inputNorm: { scale: Float32Array; offset: Float32Array } | undefined;
  layers: {
    inputSize: number;
    outputSize: number;
    kernel: Float32Array;
    bias: Float32Array;
    normScale: Float32Array;
    normOffset: Float32Array;
  }[];
  scratch: [Float64Array, Float64Array];
}

/** LayerNorm of the first `size` entries of `x` in place (biased variance, as PyTorch). */
function layerNormInPlace(
  x: Float64Array,
  size: number,
  scale: Float32Array,
  offset: Float32Array,
  epsilon: number,
): void {
  let mean = 0;
  for (let k = 0; k < size; k++) mean += x[k];
  mean /= size;
  let variance = 0;
  for (let k = 0; k < size; k++) variance += (x[k] - mean) ** 2;
  const inverse = 1 / Math.sqrt(variance / size + epsilon);
  for (let k = 0; k < size; k++) x[k] = (x[k] - mean) * inverse * scale[k] + offset[k];
}
