import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentGraph, createRng, type Rng } from "@netmarl/envs";
import {
  availableBackends,
  type BackendName,
  Dense,
  GraphAttention,
  GraphBatch,
  initBackend,
  MeanFieldLayer,
  Module,
  wasmThreadCount,
} from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { runPythonReference } from "./python-reference.js";

/** Options of {@link measureNnSpeed}; defaults are the issue-6 benchmark. */
export interface NnSpeedOptions {
  /** Backends to measure; default every available one. */
  backends?: BackendName[];
  /** Graphs per batch. Default 256. */
  batchSize?: number;
  /** Nodes per graph. Default 200. */
  numAgents?: number;
  /** Neighbours per node (k-nearest in a random point cloud). Default 5. */
  neighbours?: number;
  /** Observation width. Default 26 (PIC MPE cooperative navigation). */
  obsDim?: number;
  hiddenSize?: number;
  numActions?: number;
  /** Timed training steps per network and backend (after one untimed warm-up). Default 5. */
  steps?: number;
  /** Networks to time. Default both. */
  networks?: ("mean-field" | "graph-attention")[];
  /**
   * Also time the same mean-field step in PyTorch (apps/bench/reference/mean_field_step.py, one
   * thread) on the same data in this run, and report the ratio. Default false.
   */
  reference?: boolean;
  /** Also run `tf.profile` on one step and report the heaviest kernels. Default true. */
  profile?: boolean;
  /** Split each step into this many micro-batches (gradients accumulated). Default: 1, or what wasm's heap needs for attention. */
  microBatches?: number;
  seed?: number;
  onProgress?: (message: string) => void;
}

/** Timing of one network on one backend. */
export interface NnStepTiming {
  network: "mean-field" | "graph-attention";
  /** Micro-batches whose gradients were accumulated into the one step (1 = the whole batch at once). */
  microBatches: number;
  /** Median wall time of one forward + backward + Adam step. */
  secondsPerStep: number;
  /** Every timed step, seconds. */
  stepSeconds: number[];
  /** PyTorch's seconds per step / NetMARL's, measured in the same run (≥ 1: NetMARL no slower); mean-field with `reference` only. */
  ratioToReference?: number;
  /** Kernels by total time in one profiled step, heaviest first. */
  topKernels?: { kernel: string; milliseconds: number; calls: number }[];
  parameters: number;
}

export interface NnSpeedBackendResult {
  backend: BackendName;
  /** Threads of the backend's kernels (wasm: `NETMARL_WASM_THREADS`; 1 otherwise). */
  threads: number;
  results: NnStepTiming[];
}

export interface NnSpeedResult {
  batchSize: number;
  numAgents: number;
  neighbours: number;
  nodes: number;
  edges: number;
  /** The PyTorch mean-field step measured in this run (`reference: true`). */
  reference?: PythonMeanFieldTiming;
  backends: NnSpeedBackendResult[];
}

/** What apps/bench/reference/mean_field_step.py prints. */
export interface PythonMeanFieldTiming {
  secondsPerStep: number;
  stepSeconds: number[];
  torch: string;
  threads: number;
  /** The BLAS library PyTorch loaded (Debian's reference libblas3 is ~6× slower than OpenBLAS). */
  blas: string;
}

/**
 * One training step (forward + backward + Adam) of (a) encoder 26→128, two MeanFieldLayers, head
 * 128→5 with a log-softmax (cross-entropy) loss and (b) encoder, two 2-head GraphAttention layers
 * (2 × 64 = 128), head — on 256 graphs of 200 nodes with 5 neighbours each, per backend.
 */
export async function measureNnSpeed(options: NnSpeedOptions = {}): Promise<NnSpeedResult> {
  const batchSize = options.batchSize ?? 256;
  const numAgents = options.numAgents ?? 200;
  const neighbours = options.neighbours ?? 5;
  const obsDim = options.obsDim ?? 26;
  const hidden = options.hiddenSize ?? 128;
  const numActions = options.numActions ?? 5;
  const steps = options.steps ?? 5;
  const rng = createRng(options.seed ?? 0).fork("nn-speed");
  const graph = nearestNeighbourGraph(numAgents, neighbours, rng.fork("graph"));
  const backends = options.backends ?? (await availableBackends());
  const report = options.onProgress ?? (() => {});
  const out: NnSpeedBackendResult[] = [];
  const nodes = batchSize * numAgents;
  const observations = rng.fork("obs").fillUniform(new Float32Array(nodes * obsDim), -1, 1);
  const targets = new Int32Array(nodes).map(() => rng.int(numActions));
  const wantsMeanField = (options.networks ?? ["mean-field"]).includes("mean-field");
  const reference =
    options.reference === true && wantsMeanField
      ? measureReference(
          { batchSize, numAgents, obsDim, hidden, numActions, steps, graph, observations, targets },
          report,
        )
      : undefined;
  for (const backend of backends) {
    await initBackend(backend, { log: false });
    const x = tf.tensor2d(observations, [nodes, obsDim]);
    const labels = tf.oneHot(tf.tensor1d(targets, "int32"), numActions);
    const results: NnStepTiming[] = [];
    for (const network of options.networks ?? (["mean-field", "graph-attention"] as const)) {
      report(`${backend}: ${network}`);
      const model =
        network === "mean-field"
          ? new MeanFieldNetwork(obsDim, hidden, numActions, rng.fork(network))
          : new AttentionNetwork(obsDim, hidden, numActions, rng.fork(network));
      const optimizer = tf.train.adam(1e-3);
      // Graph attention keeps [nodes, k + 1, hidden] tensors per layer for the backward pass; at
      // 256 × 200 nodes they exceed the wasm heap. The step then accumulates the gradients of
      // equal micro-batches before one Adam update: the same gradient as the full batch (the loss
      // is a mean over nodes), computed in parts.
      const microBatches =
        options.microBatches ??
        (network === "graph-attention" && backend === "wasm"
          ? Math.ceil(nodes / WASM_ATTENTION_NODES_PER_PASS)
          : 1);
      const parts = splitBatch(graph, batchSize, microBatches, x, labels);
      const variables = model.trainableVariables();
      const step = () => {
        let accumulated: tf.NamedTensorMap | undefined;
        let lossValue = 0;
        for (const part of parts) {
          const { value, grads } = tf.variableGrads(() => {
            const logProbs = tf.logSoftmax(model.apply(part.batch, part.x));
            const loss = tf.neg(tf.mean(tf.sum(tf.mul(logProbs, part.labels), 1)));
            return tf.mul(loss, part.weight) as tf.Scalar;
          }, variables);
          lossValue += value.dataSync()[0];
          value.dispose();
          if (accumulated === undefined) accumulated = grads;
          else {
            const previous = accumulated;
            accumulated = Object.fromEntries(
              Object.entries(grads).map(([name, g]) => [name, tf.add(previous[name], g)]),
            );
            tf.dispose([...Object.values(previous), ...Object.values(grads)]);
          }
        }
        optimizer.applyGradients(Object.entries(accumulated!).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose(Object.values(accumulated!));
        return lossValue;
      };
      step(); // warm-up: kernels compiled, XNNPACK operators created, Adam slots allocated
      const stepSeconds: number[] = [];
      for (let s = 0; s < steps; s++) {
        const started = performance.now();
        step();
        stepSeconds.push((performance.now() - started) / 1000);
      }
      const timing: NnStepTiming = {
        network,
        microBatches,
        secondsPerStep: median(stepSeconds),
        stepSeconds,
        parameters: model.countParameters(),
      };
      if (network === "mean-field" && reference !== undefined) {
        timing.ratioToReference = reference.secondsPerStep / timing.secondsPerStep;
      }
      if (options.profile !== false) timing.topKernels = await profileStep(step);
      results.push(timing);
      optimizer.dispose();
      model.dispose();
      for (const part of parts) {
        part.batch.dispose();
        if (part.owned) tf.dispose([part.x, part.labels]);
      }
    }
    x.dispose();
    labels.dispose();
    out.push({ backend, threads: backend === "wasm" ? wasmThreadCount() : 1, results });
  }
  return {
    batchSize,
    numAgents,
    neighbours,
    nodes,
    edges: nodes * neighbours,
    reference,
    backends: out,
  };
}

/** Times the same step in PyTorch on the same graph, observations and labels (files in a temp dir). */
function measureReference(
  setup: {
    batchSize: number;
    numAgents: number;
    obsDim: number;
    hidden: number;
    numActions: number;
    steps: number;
    graph: AgentGraph;
    observations: Float32Array;
    targets: Int32Array;
  },
  report: (message: string) => void,
): PythonMeanFieldTiming {
  report("pytorch: mean-field (apps/bench/reference/mean_field_step.py)");
  const folder = mkdtempSync(join(tmpdir(), "netmarl-nn-speed-"));
  try {
    const observationsFile = join(folder, "observations.f32");
    const labelsFile = join(folder, "labels.i32");
    writeFileSync(observationsFile, new Uint8Array(setup.observations.buffer));
    writeFileSync(labelsFile, new Uint8Array(setup.targets.buffer));
    const { offsets, neighbors } = setup.graph;
    const sources: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < setup.numAgents; i++) {
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        sources.push(neighbors[e]);
        targets.push(i);
      }
    }
    return runPythonReference<PythonMeanFieldTiming>("mean_field_step.py", {
      batchSize: setup.batchSize,
      numAgents: setup.numAgents,
      obsDim: setup.obsDim,
      hidden: setup.hidden,
      numActions: setup.numActions,
      steps: setup.steps,
      sources,
      targets,
      observationsFile,
      labelsFile,
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Nodes per forward/backward pass of the attention network that fit the wasm heap (measured: 128 × 200 does). */
const WASM_ATTENTION_NODES_PER_PASS = 128 * 200;

interface BatchPart {
  batch: GraphBatch;
  x: tf.Tensor2D;
  labels: tf.Tensor;
  /** Share of the full batch, so the summed gradients equal the full-batch mean. */
  weight: number;
  /** Whether the part's x and labels were sliced for it (and must be freed). */
  owned: boolean;
}

function splitBatch(
  graph: AgentGraph,
  batchSize: number,
  parts: number,
  x: tf.Tensor2D,
  labels: tf.Tensor,
): BatchPart[] {
  if (parts <= 1) return [{ batch: GraphBatch.repeat(graph, batchSize), x, labels, weight: 1, owned: false }];
  if (batchSize % parts !== 0) {
    throw new RangeError(`nn-speed: ${batchSize} graphs cannot be split into ${parts} equal micro-batches`);
  }
  const graphs = batchSize / parts;
  const rows = graphs * graph.numAgents;
  return Array.from({ length: parts }, (_, p) => ({
    batch: GraphBatch.repeat(graph, graphs),
    x: tf.slice(x, [p * rows, 0], [rows, -1]),
    labels: tf.slice(labels, [p * rows, 0], [rows, -1]),
    weight: 1 / parts,
    owned: true,
  }));
}

/** Encoder → two mean-field rounds (μ⁰ = the encoded state) → action head. */
class MeanFieldNetwork extends Module {
  private readonly encoder: Dense;
  private readonly layers: MeanFieldLayer[];
  private readonly head: Dense;

  constructor(obsDim: number, hidden: number, actions: number, rng: Rng) {
    super();
    this.encoder = this.addChild(
      "encoder",
      new Dense(
        { inputSize: obsDim, outputSize: hidden, activation: "relu", inputGradient: false },
        rng.fork(0),
      ),
    );
    this.layers = [1, 2].map((l) =>
      this.addChild(
        `meanField.${l}`,
        new MeanFieldLayer({ stateSize: hidden, hiddenSize: hidden }, rng.fork(l)),
      ),
    );
    this.head = this.addChild("head", new Dense({ inputSize: hidden, outputSize: actions }, rng.fork(3)));
  }

  apply(graph: GraphBatch, x: tf.Tensor2D): tf.Tensor2D {
    const state = this.encoder.apply(x);
    const stateSum = MeanFieldLayer.aggregateState(graph, state); // shared by both rounds
    let intention = state;
    for (const layer of this.layers) intention = layer.apply(graph, state, intention, stateSum);
    return this.head.apply(intention);
  }
}

/** Encoder → two 2-head GraphAttention layers → action head. */
class AttentionNetwork extends Module {
  private readonly encoder: Dense;
  private readonly layers: GraphAttention[];
  private readonly head: Dense;

  constructor(obsDim: number, hidden: number, actions: number, rng: Rng) {
    super();
    this.encoder = this.addChild(
      "encoder",
      new Dense(
        { inputSize: obsDim, outputSize: hidden, activation: "relu", inputGradient: false },
        rng.fork(0),
      ),
    );
    this.layers = [1, 2].map((l) =>
      this.addChild(
        `attention.${l}`,
        new GraphAttention(
          { inputSize: hidden, numHeads: 2, headSize: hidden / 2, outputSize: hidden },
          rng.fork(l),
        ),
      ),
    );
    this.head = this.addChild("head", new Dense({ inputSize: hidden, outputSize: actions }, rng.fork(3)));
  }

  apply(graph: GraphBatch, x: tf.Tensor2D): tf.Tensor2D {
    let h = this.encoder.apply(x);
    for (const layer of this.layers) h = layer.apply(graph, h);
    return this.head.apply(h);
  }
}

/** Each node hears its k nearest others in a uniform random point cloud (PIC's neighbourhood). */
export function nearestNeighbourGraph(numAgents: number, k: number, rng: Rng): AgentGraph {
  const points = rng.fillUniform(new Float64Array(numAgents * 2));
  const sources: number[] = [];
  const targets: number[] = [];
  const distance = new Float64Array(numAgents);
  const order = Array.from({ length: numAgents }, (_, j) => j);
  for (let i = 0; i < numAgents; i++) {
    for (let j = 0; j < numAgents; j++) {
      distance[j] = (points[2 * i] - points[2 * j]) ** 2 + (points[2 * i + 1] - points[2 * j + 1]) ** 2;
    }
    order.sort((a, b) => distance[a] - distance[b] || a - b);
    let taken = 0;
    for (const j of order) {
      if (j === i) continue;
      sources.push(j);
      targets.push(i);
      if (++taken === k) break;
    }
  }
  return AgentGraph.fromEdges(numAgents, { sources, targets }, { directed: true });
}

async function profileStep(
  step: () => void,
): Promise<{ kernel: string; milliseconds: number; calls: number }[]> {
  const info = await tf.profile(() => {
    step();
    return [];
  });
  const totals = new Map<string, { milliseconds: number; calls: number }>();
  for (const kernel of info.kernels) {
    const ms = Number(await kernel.kernelTimeMs) || 0;
    const entry = totals.get(kernel.name) ?? { milliseconds: 0, calls: 0 };
    entry.milliseconds += ms;
    entry.calls++;
    totals.set(kernel.name, entry);
  }
  return [...totals.entries()]
    .map(([kernel, t]) => ({ kernel, milliseconds: Math.round(t.milliseconds * 10) / 10, calls: t.calls }))
    .sort((a, b) => b.milliseconds - a.milliseconds)
    .slice(0, 8);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
