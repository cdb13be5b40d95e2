import { createRequire } from "node:module";
import { availableParallelism, cpus, totalmem } from "node:os";
import { availableBackends, initBackend } from "@netmarl/graph-nn";

/** What `netmarl-bench info` prints: enough to label a benchmark figure. */
export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  backend: string;
  availableBackends: string[];
  versions: Record<string, string>;
}

const PACKAGES = [
  "@netmarl/envs",
  "@netmarl/graph-nn",
  "@netmarl/trainers",
  "@netmarl/bench",
  "@tensorflow/tfjs-core",
  "@tensorflow/tfjs-backend-wasm",
  "@tensorflow/tfjs-backend-cpu",
  "@tensorflow/tfjs-node",
];

export async function collectMachineInfo(backend?: string): Promise<MachineInfo> {
  const usable = await availableBackends();
  const active = await initBackend(backend as never, { log: false });
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      versions[name] = "not installed";
    }
  }
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backend: active,
    availableBackends: usable,
    versions,
  };
}
