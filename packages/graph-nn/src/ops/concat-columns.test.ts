import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/init-backend.js";
import { concatColumns, sliceColumns } from "./concat-columns.js";

describe("concatColumns / sliceColumns", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  for (const backend of ["wasm", "cpu"] as const) {
    it(`${backend}: equal tf.concat and tf.slice, with the gradient of each input (or zeros where not asked)`, async () => {
      await initBackend(backend, { log: false, env: {} });
      const before = tf.memory().numTensors;
      const a = tf.tensor2d(
        Float32Array.from({ length: 7 * 3 }, (_, i) => i),
        [7, 3],
      );
      const b = tf.tensor2d(
        Float32Array.from({ length: 7 * 5 }, (_, i) => -i),
        [7, 5],
      );
      const c = tf.tensor2d(
        Float32Array.from({ length: 7 }, (_, i) => i / 2),
        [7, 1],
      );
      const joined = concatColumns([a, b, c]);
      expect(Array.from(joined.dataSync())).toEqual(
        tf.tidy(() => Array.from(tf.concat([a, b, c], 1).dataSync())),
      );
      const slice = sliceColumns(joined, 2, 4);
      expect(Array.from(slice.dataSync())).toEqual(
        tf.tidy(() => Array.from(tf.slice(joined, [0, 2], [7, 4]).dataSync())),
      );
      const weights = tf.tensor2d(
        Float32Array.from({ length: 7 * 9 }, (_, i) => Math.sin(i)),
        [7, 9],
      );
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.mul(concatColumns([x, y, z] as tf.Tensor2D[], [true, false, true]), weights)),
      )([a, b, c]);
      const w = weights.arraySync();
      expect(grads[0].arraySync()).toEqual(w.map((row) => row.slice(0, 3)));
      expect(grads[1].arraySync()).toEqual(w.map(() => [0, 0, 0, 0, 0]));
      expect(grads[2].arraySync()).toEqual(w.map((row) => row.slice(8, 9)));
      expect(() => tf.tidy(() => concatColumns([a, tf.zeros([6, 2]) as tf.Tensor2D]))).toThrow(
        "concatColumns: tensor 1 has shape [6,2]; expected [7, columns]",
      );
      tf.dispose([a, b, c, joined, slice, weights, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
