import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { availableBackends, BackendUnavailableError, initBackend } from "./init-backend.js";

const quiet = { log: false as const, env: {} };

async function nativeLoads(): Promise<boolean> {
  try {
    await import("@tensorflow/tfjs-node" as string);
    return true;
  } catch {
    return false;
  }
}

describe("initBackend", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it.each(["cpu", "wasm"] as const)("activates %s and computes the same matmul", async (name) => {
    expect(await initBackend(name, quiet)).toBe(name);
    expect(tf.getBackend()).toBe(name);
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
    );
    expect(Array.from(await product.data())).toEqual([19, 22, 43, 50]);
    product.dispose();
  });

  it("honours NETMARL_BACKEND and reports the choice", async () => {
    const lines: string[] = [];
    expect(await initBackend(undefined, { env: { NETMARL_BACKEND: "cpu" }, log: (l) => lines.push(l) })).toBe(
      "cpu",
    );
    expect(lines).toEqual(["[netmarl] TensorFlow.js backend: cpu"]);
    expect(await initBackend("wasm", { env: { NETMARL_BACKEND: "cpu" }, log: false })).toBe("wasm"); // argument wins
  });

  it("picks the fastest available backend in auto mode", async () => {
    const expected = (await nativeLoads()) ? "tensorflow" : "wasm";
    expect(await initBackend("auto", quiet)).toBe(expected);
    expect(await availableBackends()).toContain("cpu");
  });

  it("refuses an unknown backend name with the valid choices", async () => {
    await expect(initBackend(undefined, { log: false, env: { NETMARL_BACKEND: "gpu" } })).rejects.toThrow(
      'NETMARL_BACKEND = "gpu" is not a backend; expected one of tensorflow, wasm, cpu or auto',
    );
    await expect(initBackend("webgl" as never, quiet)).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("gives a clear error when a forced backend is not installed", async () => {
    if (await nativeLoads()) {
      expect(await initBackend("tensorflow", quiet)).toBe("tensorflow");
      return;
    }
    await expect(initBackend("tensorflow", quiet)).rejects.toThrow(
      /No usable TensorFlow\.js backend \(tensorflow: @tensorflow\/tfjs-node could not be loaded .*\): install @tensorflow\/tfjs-node, or choose another backend/,
    );
  });
});
