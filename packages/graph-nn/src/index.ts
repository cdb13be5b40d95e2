/**
 * @netmarl/graph-nn — graph neural network pieces for networked MARL on TensorFlow.js.
 * This file is the package's whole public API.
 */

export {
  availableBackends,
  BACKEND_NAMES,
  type BackendName,
  BackendUnavailableError,
  type InitBackendOptions,
  initBackend,
} from "./backend/init-backend.js";
export { wasmThreadCount } from "./backend/threaded-wasm.js";
export {
  type GemmOptions,
  gemm,
  setWasmGemmEngine,
  type WasmGemmEngine,
  wasmGemmEngine,
  wasmGemmThreads,
} from "./backend/wasm-gemm/wasm-gemm.js";
export { Categorical } from "./discrete/categorical.js";
export { sampleGumbel } from "./discrete/gumbel.js";
export {
  type GumbelSinkhornOptions,
  gumbelSinkhorn,
  hardPermutations,
  sinkhorn,
} from "./discrete/gumbel-sinkhorn.js";
export { type GumbelSoftmaxOptions, gumbelSoftmax } from "./discrete/gumbel-softmax.js";
export { hungarian } from "./discrete/hungarian.js";
export {
  type DagSample,
  dagDensity,
  type SampleDagOptions,
  sampleDag,
  strictUpperMask,
} from "./discrete/sample-dag.js";
export {
  type Aggregation,
  DENSE_MAX_FAN_IN,
  GraphBatch,
  type GraphBatchOptions,
  type NeighbourhoodLayout,
} from "./graph/graph-batch.js";
export { RowGroups } from "./graph/row-groups.js";
export { DeepSet, type DeepSetOptions } from "./layers/deep-set.js";
export { Dense, type DenseOptions } from "./layers/dense.js";
export { GraphAttention, type GraphAttentionOptions } from "./layers/graph-attention.js";
export { GroupEncoder, type GroupEncoderOptions } from "./layers/group-encoder.js";
export { GRUCell, type GRUCellOptions } from "./layers/gru-cell.js";
export { LayerNorm } from "./layers/layer-norm.js";
export { LayerNormMLP, type LayerNormMLPOptions } from "./layers/layer-norm-mlp.js";
export { LoopyBPLayer, type LoopyBPLayerOptions, type LoopyBPState } from "./layers/loopy-bp-layer.js";
export { MeanFieldLayer, type MeanFieldLayerOptions } from "./layers/mean-field-layer.js";
export { MLP, type MLPOptions } from "./layers/mlp.js";
export {
  CHECKPOINT_FORMAT,
  CheckpointError,
  type CheckpointManifest,
  loadCheckpoint,
  readCheckpoint,
  saveCheckpoint,
} from "./module/checkpoint.js";
export { glorotUniform, Module, type NamedWeight, uniformValues } from "./module/module.js";
export { orthogonalValues } from "./module/orthogonal.js";
export { concatColumns, sliceColumns } from "./ops/concat-columns.js";
export {
  type LinearActivation,
  type LinearScales,
  linear,
  matMulNT,
  matMulTN,
  transposeTall,
  withFrozenWeights,
} from "./ops/linear.js";
export { applyRowMap, RowMap } from "./ops/row-map.js";
export { stopGradient, straightThrough } from "./ops/stop-gradient.js";
export { checkGradients, type GradientCheckResult } from "./testing/check-gradients.js";
