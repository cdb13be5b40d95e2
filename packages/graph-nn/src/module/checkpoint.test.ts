import { mkdtemp, readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { MLP } from "../layers/mlp.js";
import { TEST_BACKENDS, useBackend } from "../testing/backends.js";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";

const net = (seed: number, hidden = 4) =>
  new MLP({ inputSize: 3, hiddenSizes: [hidden], outputSize: 2 }, createRng(seed));

describe.each(TEST_BACKENDS)("Module and checkpoints on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  it("initialises from the Rng: same seed same weights, other seed other weights", () => {
    const [a, b, c] = [net(1), net(1), net(2)];
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.getWeights()[0].values).not.toEqual(c.getWeights()[0].values);
    expect(a.getWeights().map((w) => w.name)).toEqual([
      "layers.0/kernel",
      "layers.0/bias",
      "layers.1/kernel",
      "layers.1/bias",
    ]);
    for (const m of [a, b, c]) m.dispose();
  });

  it("creates the checkpoint's folder (the README's runs/mf-layer)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "graph-nn-ckpt-"));
    const source = net(3);
    await saveCheckpoint(source, join(dir, "runs", "deeper", "policy"));
    expect((await readdir(join(dir, "runs", "deeper"))).sort()).toEqual(["policy.bin", "policy.json"]);
    source.dispose();
  });

  it("save → load gives the same outputs bit for bit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "graph-nn-ckpt-"));
    const source = net(3);
    const target = net(4);
    const x = tf.tensor2d(createRng(5).fillUniform(new Float32Array(30), -1, 1), [10, 3]);
    const manifest = await saveCheckpoint(source, join(dir, "policy"), { step: 7 });
    expect(manifest.weights.map((w) => w.name)).toContain("layers.1/kernel");
    expect((await loadCheckpoint(target, join(dir, "policy"))).metadata).toEqual({ step: 7 });
    expect(Array.from(target.apply(x).dataSync())).toEqual(Array.from(source.apply(x).dataSync()));
    expect((await readdir(dir)).sort()).toEqual(["policy.bin", "policy.json"]); // no temp files left
    for (const m of [source, target]) m.dispose();
    x.dispose();
  });

  it("refuses truncated, corrupted or mismatched checkpoints with a clear error, leaving the module as it was", async () => {
    const dir = await mkdtemp(join(tmpdir(), "graph-nn-ckpt-"));
    const path = join(dir, "net");
    const module = net(6);
    await saveCheckpoint(module, path);
    const wider = net(7, 5);
    const before = wider.getWeights();
    await expect(loadCheckpoint(wider, path)).rejects.toThrow(
      /does not fit MLP: .*"layers\.0\/kernel" has shape \[3,4\], expected \[3,5\]/,
    );
    expect(wider.getWeights()).toEqual(before);
    const renamed = JSON.parse(await readFile(`${path}.json`, "utf8"));
    renamed.weights[0].name = "layers.9/kernel";
    await writeFile(join(dir, "renamed.json"), JSON.stringify({ ...renamed, weightsFile: "net.bin" }));
    await expect(loadCheckpoint(module, join(dir, "renamed"))).rejects.toThrow(
      /"layers\.0\/kernel" missing; .*"layers\.9\/kernel" unexpected/,
    );
    const bytes = await readFile(`${path}.bin`);
    await truncate(`${path}.bin`, bytes.length - 4);
    await expect(loadCheckpoint(module, path)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(module, path)).rejects.toThrow(
      /is truncated: \d+ bytes, the manifest says \d+/,
    );
    const flipped = Uint8Array.from(bytes);
    flipped[10] ^= 0xff;
    await writeFile(`${path}.bin`, flipped);
    await expect(loadCheckpoint(module, path)).rejects.toThrow(/does not match its manifest/);
    await writeFile(`${path}.json`, '{ "format": "netmarl-wei');
    await expect(loadCheckpoint(module, path)).rejects.toThrow(/not valid JSON \(truncated\?\)/);
    module.dispose();
    wider.dispose();
  });

  it("never half-overwrites the old checkpoint when a save fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "graph-nn-ckpt-"));
    const path = join(dir, "net");
    const old = net(8);
    await saveCheckpoint(old, path);
    const oldJson = await readFile(`${path}.json`);
    const oldBin = await readFile(`${path}.bin`);
    const newer = net(9);
    await expect(
      saveCheckpoint(newer, path, undefined, {
        beforeCommit: () => {
          throw new Error("disk full (simulated)");
        },
      }),
    ).rejects.toThrow("disk full");
    expect(await readFile(`${path}.json`)).toEqual(oldJson);
    expect(await readFile(`${path}.bin`)).toEqual(oldBin);
    expect((await readdir(dir)).sort()).toEqual(["net.bin", "net.json"]);
    const check = net(10);
    await loadCheckpoint(check, path);
    expect(check.getWeights()).toEqual(old.getWeights());
    for (const m of [old, newer, check]) m.dispose();
  });
});
