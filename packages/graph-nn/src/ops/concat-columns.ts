import * as tf from "@tensorflow/tfjs-core";
import {
  heapAddress,
  type WasmBackend,
  wasmGemmActive,
  wasmKernels,
} from "../backend/wasm-gemm/wasm-gemm.js";

const CONCAT = "NetmarlConcatColumns";
const SLICE = "NetmarlSliceColumns";
let registered = false;

/**
 * [x₁ | x₂ | …] for 2-D float32 tensors with the same number of rows (`tf.concat(xs, 1)`), with
 * gradient. `withGradient[i] = false` returns a zero gradient for input i without slicing it out
 * (e.g. observations next to differentiated actions).
 *
 * Why: tfjs-wasm's `Concat` along columns and the `SplitV` of its gradient copy row by row from
 * JavaScript (≈ 3 ms and 5 ms for [15360, 26 | 5], a MADDPG critic input); here each is one strided
 * block copy in NetMARL's wasm module (`copyRows`). Other backends use `tf.concat` / `tf.slice`.
 */
export function concatColumns(xs: tf.Tensor2D[], withGradient: boolean[] = []): tf.Tensor2D {
  if (xs.length === 0) throw new RangeError("concatColumns: expected at least one tensor");
  const rows = xs[0].shape[0];
  for (const [i, x] of xs.entries()) {
    if (x.rank !== 2 || x.shape[0] !== rows) {
      throw new RangeError(`concatColumns: tensor ${i} has shape [${x.shape}]; expected [${rows}, columns]`);
    }
  }
  const widths = xs.map((x) => x.shape[1]);
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, xs.length) as tf.Tensor2D[];
    return {
      value: concatValue(inputs),
      gradFunc: (dy: tf.Tensor) => {
        let begin = 0;
        return widths.map((width, i) => {
          const start = begin;
          begin += width;
          if (withGradient[i] === false) return tf.zeros([rows, width]);
          return sliceColumns(dy as tf.Tensor2D, start, width);
        });
      },
    };
  });
  return run(...xs) as tf.Tensor2D;
}

function concatValue(xs: tf.Tensor2D[]): tf.Tensor2D {
  if (!useWasmKernels(xs)) return tf.concat(xs, 1);
  register();
  const inputs: tf.NamedTensorMap = Object.fromEntries(xs.map((x, i) => [`x${i}`, x]));
  return tf.engine().runKernel(CONCAT, inputs) as tf.Tensor2D;
}

/**
 * Columns [begin, begin + size) of a 2-D tensor. Not differentiable by itself on wasm (it is the
 * gradient of {@link concatColumns}); use `tf.slice` where a gradient must flow through a slice.
 */
export function sliceColumns(x: tf.Tensor2D, begin: number, size: number): tf.Tensor2D {
  if (!useWasmKernels([x])) return tf.slice(x, [0, begin], [x.shape[0], size]);
  register();
  return tf.engine().runKernel(SLICE, { x }, { begin, size } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

function useWasmKernels(xs: tf.Tensor[]): boolean {
  return wasmGemmActive() && xs.every((x) => x.dtype === "float32");
}

function register(): void {
  if (registered) return;
  tf.registerKernel({
    kernelName: CONCAT,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      const xs = Object.values(inputs) as tf.TensorInfo[];
      const rows = xs[0].shape[0];
      const total = xs.reduce((sum, x) => sum + x.shape[1], 0);
      const out = wasm.makeOutput([rows, total], "float32");
      const kernels = wasmKernels(wasm);
      const target = heapAddress(wasm, out);
      let column = 0;
      for (const x of xs) {
        const width = x.shape[1];
        kernels.copyRows(heapAddress(wasm, x), width * 4, target + column * 4, total * 4, rows, width * 4);
        column += width;
      }
      return out;
    },
  });
  tf.registerKernel({
    kernelName: SLICE,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackend;
      const x = inputs.x as tf.TensorInfo;
      const { begin, size } = attrs as unknown as { begin: number; size: number };
      const [rows, total] = x.shape;
      const out = wasm.makeOutput([rows, size], "float32");
      wasmKernels(wasm).copyRows(
        heapAddress(wasm, x) + begin * 4,
        total * 4,
        heapAddress(wasm, out),
        size * 4,
        rows,
        size * 4,
      );
      return out;
    },
  });
  registered = true;
}
