import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "./init-backend.js";

describe("wasm Identity and same-dtype Cast share memory", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("clones without a copy, keeps values after either side is disposed, and frees at the last", async () => {
    await initBackend("wasm", { log: false, env: {} });
    const before = tf.memory();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    const z = tf.add(y, 1); // a kernel reading shared memory writes its own output
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    const same = tf.cast(y, "float32");
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 2); // y/same and z
    const ints = tf.cast(y, "int32"); // a real cast still converts
    expect(ints.dtype).toBe("int32");
    expect(Array.from(await ints.data())).toEqual([1, 2, 3]);
    tf.dispose([y, z, same, ints]);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it("leaves gradients (which save clones of their inputs) unchanged", async () => {
    await initBackend("wasm", { log: false, env: {} });
    const x = tf.tensor2d([0.5, -1, 2, 3], [2, 2]);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.square(a))))(x);
    // d/da relu(a)·a² = 3a² for a > 0, 0 otherwise.
    expect(Array.from(await grad.data())).toEqual([0.75, 0, 12, 27]);
    tf.dispose([x, grad]);
  });
});
