import * as tf from "@tensorflow/tfjs-core";

interface WasmBackendRefCounting {
  incRef(dataId: tf.DataId): void;
}

let installed = false;

/**
 * Makes the wasm backend's `Identity` kernel, and its `Cast` to the dtype a tensor already has,
 * share the input's memory (a reference count) instead of copying it — as the cpu backend's
 * `Identity` and wasm's own `Reshape` already do.
 *
 * Why: tfjs clones every tensor a kernel or `customGrad` saves for its gradient through
 * `Identity` (and a clone's gradient is a float32 → float32 `Cast`), so on wasm each training step
 * copied every saved activation once or twice more — ≈ 10 % of a PIC update block (1,008 copies
 * of [15360, 128] per 3 blocks in `tf.profile`). Sharing is safe because no wasm kernel writes
 * into an input: tensor memory is immutable after creation and freed when its reference count
 * drops to 0 (`BackendWasm.disposeData`).
 */
export function shareCopiesOnWasm(): void {
  if (installed) return;
  const identity = tf.getKernel("Identity", "wasm");
  const cast = tf.getKernel("Cast", "wasm");
  if (identity === undefined || cast === undefined) return;
  const share = (x: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    (backend as WasmBackendRefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  replace("Identity", (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    // Strings live outside the wasm heap; leave them to the original kernel.
    return x.dtype === "string" ? identity.kernelFunc(args) : share(x, args.backend);
  });
  replace("Cast", (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const same = x.dtype === (args.attrs as { dtype?: string }).dtype && x.dtype !== "string";
    return same ? share(x, args.backend) : cast.kernelFunc(args);
  });
  installed = true;
}
