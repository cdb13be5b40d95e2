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
