import * as tf from "@tensorflow/tfjs-core";
import "./register-gradients.js";

/** Activations that {@link linear} fuses into its forward matMul. */
export type LinearActivation = "linear" | "relu";

/**
 * `activation(x · kernel + bias + addend)` for x [rows, in], kernel [in, out], bias [out] and an
 * optional addend [rows, out] (another branch's pre-activation), with a gradient written for speed
 * on the wasm backend.
 *
 * Why: tfjs-wasm runs a matMul through XNNPACK only when neither operand is transposed; the
 * transposed forms that `tf.matMul`'s own gradient uses (xᵀ·dy and dy·Wᵀ) fall back to a naive loop
 * that is ~10× slower (0.8 s instead of 0.08 s for 51 200 × 128 × 128 here). So the backward pass
 * transposes explicitly — the small kernel directly, the tall x with {@link transposeTall} — and
 * multiplies untransposed. On the cpu backend the flags are just as fast, so they are used there.
 * With `inputGradient = false` (x is raw data, e.g. observations) the x-gradient matmul is skipped
 * and a zero gradient returned for x.
 */
export function linear(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias?: tf.Tensor1D,
  activation: LinearActivation = "linear",
  addend?: tf.Tensor2D,
  inputGradient = true,
): tf.Tensor2D {
  if (x.shape[1] !== kernel.shape[0]) {
    throw new RangeError(`linear: x has ${x.shape[1]} columns but the kernel expects ${kernel.shape[0]}`);
  }
  const run = tf.customGrad((...args: (tf.Tensor | ((tensors: tf.Tensor[]) => void))[]) => {
    const input = args[0] as tf.Tensor2D;
    const weights = args[1] as tf.Tensor2D;
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    const b = bias === undefined ? undefined : (args[2] as tf.Tensor1D);
    const extra = addend === undefined ? undefined : (args[bias === undefined ? 2 : 3] as tf.Tensor2D);
    let value: tf.Tensor2D;
    if (extra === undefined) {
      value = tf.fused.matMul({ a: input, b: weights, bias: b, activation }) as tf.Tensor2D;
    } else {
      const summed: tf.Tensor2D = tf.add(tf.fused.matMul({ a: input, b: weights, bias: b }), extra);
      value = activation === "relu" ? tf.relu(summed) : summed;
    }
    save([input, weights, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = (activation === "relu" ? tf.mul(dy, tf.step(y)) : dy) as tf.Tensor2D;
        const inputGrad = inputGradient ? matMulNT(dz, w) : tf.zerosLike(xs);
        const grads: tf.Tensor[] = [inputGrad, matMulTN(xs, dz)];
        if (b !== undefined) grads.push(sumRows(dz));
        if (extra !== undefined) grads.push(dz === dy ? tf.clone(dz) : dz);
        return grads;
      },
    };
  });
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
