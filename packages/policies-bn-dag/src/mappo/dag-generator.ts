import type { Rng } from "@netmarl/envs";
import { gumbelSoftmax, hungarian, MLP, Module, sampleDag, strictUpperMask } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Where a BN-MAPPO policy's DAG comes from (BN-DAG §4–5; spec §3.4). `sample` returns G as
 * [batch, n, n] with G[b, j, i] = 1 ⇔ j → i; with an `rng` the sample is noisy (training), without
 * it deterministic (evaluation: the original's `test=True`, Gumbel noise 0). Pass a fresh rng per
 * call (e.g. `createRng(learnerRng.nextSeed())`): `sampleDag` forks its streams by name.
 */
export interface DagGenerator {
  readonly numAgents: number;
  sample(inputs: tf.Tensor2D, rng: Rng | undefined): tf.Tensor3D;
  /** One DAG for one input row into `out` (n × n); the JS path of a fixed DAG, else a tfjs call. */
  sampleOne(input: Float32Array, rng: Rng | undefined, out: Float32Array): Float32Array;
  /** Drops weights cached for `sampleOne` (after an optimiser step or a load). */
  invalidateCache(): void;
  /** The generator's trainable weights (optimised with the actor), empty for a fixed DAG. */
  readonly module: Module | undefined;
  dispose(): void;
}

/**
 * BNPG's `DummyDAG`: P = I and each edge j → i (j < i) present with probability `threshold`:
 * 1 = Fully-correlated (every earlier agent is a parent), 0 = Uncorrelated (plain MAPPO).
 * Without an rng an edge is present when threshold ≥ 0.5.
 */
export class DummyDagGenerator implements DagGenerator {
  readonly module = undefined;

  constructor(
    readonly numAgents: number,
    readonly threshold: number,
  ) {}

  sample(inputs: tf.Tensor2D, rng: Rng | undefined): tf.Tensor3D {
    const n = this.numAgents;
    const batch = inputs.shape[0];
    const values = new Float32Array(batch * n * n);
    for (let b = 0; b < batch; b++) this.fill(rng, values.subarray(b * n * n, (b + 1) * n * n));
    return tf.tensor3d(values, [batch, n, n]);
  }

  sampleOne(_input: Float32Array, rng: Rng | undefined, out: Float32Array): Float32Array {
    return this.fill(rng, out);
  }

  invalidateCache(): void {}

  private fill(rng: Rng | undefined, out: Float32Array): Float32Array {
    const n = this.numAgents;
    out.fill(0);
    for (let j = 0; j < n; j++) {
      for (let i = j + 1; i < n; i++) {
        const present =
          this.threshold >= 1 ||
          (this.threshold > 0 && (rng ? rng.uniform() < this.threshold : this.threshold >= 0.5));
        if (present) out[j * n + i] = 1;
      }
    }
    return out;
  }

  dispose(): void {}
}

/** Options of {@link ContextAwareDagGenerator}. */
export interface ContextAwareDagOptions {
  numAgents: number;
  /** Size of the DAG net's input (the global state / agent 0's observation in the original). */
  inputSize: number;
  /** Hidden width of both nets (`ProbabilisticDAG(hidden=64)`). */
  hiddenSize: number;
  /** Learn the agent order (Gumbel-Sinkhorn permutation); false: P = I (the SMAC version). */
  learnOrder: boolean;
  /** Straight-through hard samples (BN-DAG, default); false gives the relaxed G (for gradient checks). */
  hard?: boolean;
}

/**
 * The context-aware DAG (spec §3.4, BNPG `probabilistic_dag.py`, Aloha version's per-sample edge MLP):
 * a permutation net Linear(in, 64) → ReLU → Linear(64, n²) → logsigmoid → Gumbel-Sinkhorn
 * (τ 1, 20 iterations, hard Hungarian straight-through), an edge net Linear(in, 64) → ReLU →
 * Linear(64, n·n·2) → straight-through Gumbel-softmax (class 0 = edge), G = U ⊙ PᵀMP.
 */
export class ContextAwareDagGenerator implements DagGenerator {
  readonly module: DagNetworks;
  readonly numAgents: number;
  private readonly hard: boolean;
  private cache:
    | { permutation: CachedMlp | undefined; edges: CachedMlp; scores: Float64Array; position: Int32Array }
    | undefined;

  constructor(options: ContextAwareDagOptions, rng: Rng) {
    this.numAgents = options.numAgents;
    this.hard = options.hard ?? true;
    this.module = new DagNetworks(options, rng);
  }

  sample(inputs: tf.Tensor2D, rng: Rng | undefined): tf.Tensor3D {
    const n = this.numAgents;
    const batch = inputs.shape[0];
    return tf.tidy(() => {
      const edgeLogits = tf.reshape(this.module.edges.apply(inputs), [batch, n, n, 2]);
      if (!this.module.permutation) {
        // P = I: only the edge sample, masked to the strict upper triangle (SMAC version)
        const edgeSample = gumbelSoftmax(edgeLogits, { rng, hard: this.hard });
        const edges = tf.squeeze(tf.slice(edgeSample, [0, 0, 0, 0], [batch, n, n, 1]), [3]);
        return tf.mul(edges, tf.expandDims(strictUpperMask(n), 0)) as tf.Tensor3D;
      }
      // log σ(x) (`logsigmoid` in the original), written with sigmoid + log: tf.logSigmoid's gradient fails on wasm
      const permutationLogits = tf.log(
        tf.add(tf.sigmoid(tf.reshape(this.module.permutation.apply(inputs), [batch, n, n])), 1e-30),
      );
      return sampleDag(permutationLogits, edgeLogits, { rng, iterations: 20, hard: this.hard }).adjacency;
    });
  }

  /**
   * The acting path in plain JS from cached weights: the forward value of the straight-through
   * sample needs no Sinkhorn — P is the Hungarian assignment of z = (log α + g)/τ and an edge is
   * present when its class-0 noisy logit wins — so one step costs two tiny MLPs and an n × n
   * assignment instead of ~100 tfjs kernels. Same distribution as `sample`; its own noise draws.
   */
  sampleOne(input: Float32Array, rng: Rng | undefined, out: Float32Array): Float32Array {
    const n = this.numAgents;
    this.cache ??= {
      permutation: this.module.permutation ? cacheMlp(this.module.permutation) : undefined,
      edges: cacheMlp(this.module.edges),
      scores: new Float64Array(n * n),
      position: new Int32Array(n),
    };
    const { permutation, edges, scores, position } = this.cache;
    if (permutation) {
      const logits = forwardMlp(permutation, input);
      for (let k = 0; k < n * n; k++) {
        const logAlpha = Math.log(1 / (1 + Math.exp(-logits[k])) + 1e-30);
        scores[k] = logAlpha + (rng ? gumbelNoise(rng) : 0);
      }
      // P[i, σ(i)] = 1 and (PᵀMP)[σ(i), σ(j)] = M[i, j]: agent σ(i) sits at position i of the order
      const columnOfRow = hungarian(scores, n);
      for (let i = 0; i < n; i++) position[columnOfRow[i]] = i;
    } else {
      for (let i = 0; i < n; i++) position[i] = i;
    }
    const edgeLogits = forwardMlp(edges, input);
    out.fill(0);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (position[j] >= position[i]) continue;
        const k = (j * n + i) * 2;
        const present = edgeLogits[k] + (rng ? gumbelNoise(rng) : 0);
        const absent = edgeLogits[k + 1] + (rng ? gumbelNoise(rng) : 0);
        if (present > absent) out[j * n + i] = 1;
      }
    }
    return out;
  }

  /** Forget the cached weights (after an optimiser step or a load). */
  invalidateCache(): void {
    this.cache = undefined;
  }

  dispose(): void {
    this.module.dispose();
  }
}

/** The permutation and edge nets as one module (their weights are checkpointed together). */
class DagNetworks extends Module {
  readonly permutation: MLP | undefined;
  readonly edges: MLP;

  constructor(options: ContextAwareDagOptions, rng: Rng) {
    super();
    const n = options.numAgents;
    this.permutation = options.learnOrder
      ? this.addChild(
          "permutation",
          new MLP(
            { inputSize: options.inputSize, hiddenSizes: [options.hiddenSize], outputSize: n * n },
            rng.fork("permutation"),
          ),
        )
      : undefined;
    this.edges = this.addChild(
      "edges",
      new MLP(
        { inputSize: options.inputSize, hiddenSizes: [options.hiddenSize], outputSize: n * n * 2 },
        rng.fork("edges"),
      ),
    );
  }
}

interface CachedMlp {
  layers: {
    inputSize: number;
    outputSize: number;
    kernel: Float32Array;
    bias: Float32Array;
    relu: boolean;
  }[];
  buffers: Float64Array[];
}

function cacheMlp(mlp: MLP): CachedMlp {
  const layers = mlp.layers.map((layer, l) => ({
    inputSize: layer.inputSize,
    outputSize: layer.outputSize,
    kernel: Float32Array.from(layer.kernel.dataSync() as Float32Array),
    bias: layer.bias
      ? Float32Array.from(layer.bias.dataSync() as Float32Array)
      : new Float32Array(layer.outputSize),
    relu: l + 1 < mlp.layers.length,
  }));
  return { layers, buffers: layers.map((layer) => new Float64Array(layer.outputSize)) };
}

/** The MLP (ReLU hidden layers, linear output) on one row; returns a reused buffer. */
function forwardMlp(mlp: CachedMlp, input: ArrayLike<number>): Float64Array {
  let h: ArrayLike<number> = input;
  mlp.layers.forEach((layer, l) => {
    const out = mlp.buffers[l];
    for (let o = 0; o < layer.outputSize; o++) out[o] = layer.bias[o];
    for (let i = 0; i < layer.inputSize; i++) {
      const x = h[i];
      if (x === 0) continue;
      const row = i * layer.outputSize;
      for (let o = 0; o < layer.outputSize; o++) out[o] += x * layer.kernel[row + o];
    }
    if (layer.relu) for (let o = 0; o < layer.outputSize; o++) if (out[o] < 0) out[o] = 0;
    h = out;
  });
  return h as Float64Array;
}

/** g = −log(−log(U + ε) + ε), ε = 1e-20 (the original's `sample_gumbel`). */
function gumbelNoise(rng: Rng): number {
  return -Math.log(-Math.log(rng.uniform() + 1e-20) + 1e-20);
}
