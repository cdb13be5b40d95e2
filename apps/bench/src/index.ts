/**
 * @netmarl/bench — the composition root: registries, measurement commands and the CLI.
 * This file is the package's public API for programmatic use; the CLI is `netmarl-bench`.
 */

export { collectMachineInfo, type MachineInfo } from "./commands/machine-info.js";
export { type EnvSpeedResult, measureEnvSpeed } from "./commands/measure-env-speed.js";
export { QueueExecutor, type QueueExecutorOptions } from "./queue/dials-queue-executor.js";
export { ALGORITHMS, findAlgorithm } from "./registry/algorithms.js";
export {
  ENVIRONMENTS,
  type EnvironmentEntry,
  type EnvironmentSize,
  findEnvironment,
} from "./registry/environments.js";
