import * as tf from "@tensorflow/tfjs-core";
import { gemm, reluGradient, wasmGemmActive } from "../backend/wasm-gemm/wasm-gemm.js";
import "./register-gradients.js";

/** Kernels whose gradient nobody asked for, inside {@link withFrozenWeights}. */
const frozenKernels = new Set<tf.Tensor>();

/**
 * Runs `fn` with the weights of `modules` frozen for {@link linear}: their layers still pass
 * gradients to their inputs but skip the kernel and bias gradients (zeros are returned for them).
 *
 * Why: `linear`'s gradient is a `customGrad`, and tfjs computes every output of a custom gradient
 * even for inputs outside the differentiated variables — so an actor update backpropagating
 * through a critic also paid for the critic's weight gradients (xᵀ·dz, the largest matMuls of the
 * backward pass: ≈ 1.3 s of a 12.8 s PIC update block). Only the forward pass runs inside `fn`'s
 * scope; use it when the caller differentiates with respect to other variables only, e.g.
 * `withFrozenWeights([critic], () => critic.apply(x))` in a DDPG actor loss.
 */
export function withFrozenWeights<T>(modules: ReadonlyArray<{ variables(): tf.Variable[] }>, fn: () => T): T {
  const added: tf.Tensor[] = [];
  for (const module of modules) {
    for (const variable of module.variables()) {
      if (!frozenKernels.has(variable)) {
        frozenKernels.add(variable);
        added.push(variable);
      }
    }
  }
  try {
    return fn();
  } finally {
    for (const variable of added) frozenKernels.delete(variable);
  }
}

/** Activations that {@link linear} fuses into its forward matMul. */
export type LinearActivation = "linear" | "relu";

/**
 * `activation(x · kernel + bias + addend)` for x [rows, in], kernel [in, out], bias [out] and an
 * optional addend [rows, out] (another branch's pre-activation), with a gradient written for speed
 * on the wasm backend.
 *
 * Why: on the wasm backend all three products (forward, dy·Wᵀ, xᵀ·dy) and the bias gradient run on
 * NetMARL's own kernels ({@link gemm}, backend/wasm-gemm): 1.4–1.7× XNNPACK's speed on one thread,
 * with transposed operands read through strides and the kernel scale applied in the kernel.
 * With `NETMARL_WASM_GEMM=xnnpack` tfjs-wasm's XNNPACK runs instead; it has a fast path only when
 * neither operand is transposed (the transposed forms fall back to a loop ~10× slower), so that
 * path transposes explicitly — the small kernel directly, the tall x with {@link transposeTall} —
 * and multiplies untransposed. On the cpu backend the flags are just as fast, so they are used there.
 * With `inputGradient = false` (x is raw data, e.g. observations) the x-gradient matmul is skipped
 * and a zero gradient returned for x. `scales` multiply the kernel and bias by constants on the fly
 * (kernel-sized work): a network can fold a constant factor of its activations into the next
 * layer's weights instead of dividing a [rows, out] tensor, without changing its parameters.
 */
export function linear(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias?: tf.Tensor1D,
  activation: LinearActivation = "linear",
  addend?: tf.Tensor2D,
  inputGradient = true,
  scales: LinearScales = {},
): tf.Tensor2D {
  if (x.shape[1] !== kernel.shape[0]) {
    throw new RangeError(`linear: x has ${x.shape[1]} columns but the kernel expects ${kernel.shape[0]}`);
  }
  const weightGradients = !frozenKernels.has(kernel);
  const kernelScale = scales.kernel ?? 1;
  const biasScale = scales.bias ?? 1;
  const ownKernels = wasmGemmActive();
  const run = tf.customGrad((...args: (tf.Tensor | ((tensors: tf.Tensor[]) => void))[]) => {
    const input = args[0] as tf.Tensor2D;
    const weights = args[1] as tf.Tensor2D;
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    const b = bias === undefined ? undefined : (args[2] as tf.Tensor1D);
    const extra = addend === undefined ? undefined : (args[bias === undefined ? 2 : 3] as tf.Tensor2D);
    const effectiveBias = b === undefined || biasScale === 1 ? b : tf.mul<tf.Tensor1D>(b, biasScale);
    if (ownKernels) {
      // NetMARL's wasm kernels scale the product themselves, so the raw kernel is saved.
      const product = gemm(input, weights, {
        alpha: kernelScale,
        bias: effectiveBias,
        activation: extra === undefined ? activation : "linear",
      });
      const summed = extra === undefined ? product : tf.add(product, extra);
      const value = (extra !== undefined && activation === "relu" ? tf.relu(summed) : summed) as tf.Tensor2D;
      save([input, weights, value]);
      return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradients(dy, saved) };
    }
    const effectiveKernel = kernelScale === 1 ? weights : tf.mul(weights, kernelScale);
    let value: tf.Tensor2D;
    if (extra === undefined) {
      value = fusedOutsideGradientMode(() =>
        tf.fused.matMul({ a: input, b: effectiveKernel, bias: effectiveBias, activation }),
      ) as tf.Tensor2D;
    } else {
      const summed: tf.Tensor2D = tf.add(
        tf.fused.matMul({ a: input, b: effectiveKernel, bias: effectiveBias }),
        extra,
      );
      value = activation === "relu" ? tf.relu(summed) : summed;
    }
    save([input, effectiveKernel, value]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradients(dy, saved) };
  });
  // The gradients of x, kernel, bias and addend. With NetMARL's kernels the saved kernel is the raw
  // one and the products are scaled in the kernel; otherwise it is the scaled kernel.
  const gradients = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xs, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const dz = (activation === "relu" ? reluGradient(dy, y) : dy) as tf.Tensor2D;
    let inputGrad: tf.Tensor;
    if (!inputGradient) inputGrad = tf.zerosLike(xs);
    else inputGrad = ownKernels ? gemm(dz, w, { transposeB: true, alpha: kernelScale }) : matMulNT(dz, w);
    let kernelGrad: tf.Tensor;
    if (!weightGradients) kernelGrad = tf.zerosLike(w);
    else if (ownKernels) kernelGrad = gemm(xs, dz, { transposeA: true, alpha: kernelScale });
    else kernelGrad = scaled(matMulTN(xs, dz), kernelScale);
    const grads: tf.Tensor[] = [inputGrad, kernelGrad];
    if (bias !== undefined) {
      if (!weightGradients) grads.push(tf.zeros(bias.shape));
      else if (ownKernels) grads.push(columnSums(dz, biasScale));
      else grads.push(scaled(sumRows(dz), biasScale));
    }
    if (addend !== undefined) grads.push(dz === dy ? tf.clone(dz) : dz);
    return grads;
  };
  if (addend !== undefined && (addend.shape[0] !== x.shape[0] || addend.shape[1] !== kernel.shape[1])) {
    throw new RangeError(
      `linear: addend has shape [${addend.shape}]; expected [${x.shape[0]}, ${kernel.shape[1]}]`,
    );
  }
  const inputs: tf.Tensor[] = [x, kernel];
  if (bias !== undefined) inputs.push(bias);
  if (addend !== undefined) inputs.push(addend);
  return run(...inputs) as tf.Tensor2D;
}

interface EngineGradientState {
  state: { gradientDepth: number };
}

/**
 * Runs a `tf.fused.matMul` as one fused kernel even while a gradient is being recorded.
 *
 * Why: tfjs un-fuses matMul + bias + ReLU into three kernels whenever it records a tape
 * (`shouldFuse(gradientDepth, activation)`), because its own fused gradient cannot handle every
 * activation. Inside {@link linear}'s forward nothing is recorded anyway (a `customGrad` forward
 * runs below the tape, `kernelDepth > 0`) and the gradient is our own, so the fused kernel is
 * exact here — it saves a bias Add and a ReLU pass over every [rows, out] activation of a training
 * forward pass. The depth is restored before anything else runs.
 */
function fusedOutsideGradientMode<T>(run: () => T): T {
  const { state } = tf.engine() as unknown as EngineGradientState;
  const depth = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return run();
  } finally {
    state.gradientDepth = depth;
  }
}

/** Constant factors applied to a {@link linear} layer's kernel and bias. */
export interface LinearScales {
  kernel?: number;
  bias?: number;
}

function scaled<T extends tf.Tensor>(gradient: T, factor: number): T {
  return factor === 1 ? gradient : tf.mul(gradient, factor);
}

/** a · bᵀ for a small b, fast on every backend. */
export function matMulNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b, false, true);
  return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
}

/** aᵀ · b for tall a and b (a reduction over rows), fast on every backend. */
export function matMulTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b, true, false);
  return tf.tidy(() => tf.matMul(transposeTall(a), b));
}

/** scale · column sums of dz as one NetMARL wasm kernel (1ᵀ·dz): XNNPACK's ones-matMul repacks dz. */
function columnSums(dz: tf.Tensor2D, scale: number): tf.Tensor1D {
  return tf.tidy(() => {
    const ones = tf.ones([dz.shape[0], 1]) as tf.Tensor2D;
    return tf.reshape(gemm(ones, dz, { transposeA: true, alpha: scale }), [dz.shape[1]]);
  });
}

/**
 * Column sums of a [rows, cols] matrix as [cols]. On wasm `tf.sum(a, 0)` reduces along the
 * strided axis (~80 ms for 51 200 × 128); `ones[1, rows] · a` runs through XNNPACK in ~1 ms.
 */
export function sumRows(a: tf.Tensor2D): tf.Tensor1D {
  if (tf.getBackend() !== "wasm") return tf.sum(a, 0);
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, a.shape[0]]), a), [a.shape[1]]));
}

/**
 * Transpose of a tall [rows, cols] matrix. wasm's Transpose walks the output with a generic index
 * computation (~95 ms for 51 200 × 128); doing it as a batched transpose of [rows/c, c, cols] blocks
 * followed by a block shuffle keeps both passes cache-friendly (~15 ms).
 */
export function transposeTall(a: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = a.shape;
  const chunk = pickChunk(rows);
  if (chunk === 0 || tf.getBackend() !== "wasm") return tf.transpose(a);
  return tf.tidy(() => {
    const blocks = tf.transpose(tf.reshape(a, [rows / chunk, chunk, cols]), [0, 2, 1]);
    return tf.reshape(tf.transpose(blocks, [1, 0, 2]), [cols, rows]);
  });
}

function pickChunk(rows: number): number {
  if (rows < 1024) return 0;
  for (const c of [64, 32, 128, 48, 40, 16]) if (rows % c === 0) return c;
  return 0;
}
