import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readStateFile, writeStateFile } from "./state-file.js";

const directory = mkdtempSync(join(tmpdir(), "netmarl-state-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("writeStateFile / readStateFile", () => {
  it("round-trips nested data and typed arrays bit-exactly, with their kinds", () => {
    const path = join(directory, "nested.bin");
    const state = {
      algorithm: "x",
      steps: 12,
      weights: [{ name: "w", values: Float32Array.of(Math.PI, -0, Number.MIN_VALUE, 1e30) }],
      buffer: { ids: Int32Array.of(-7, 2 ** 31 - 1), flags: Uint8Array.of(0, 1, 255) },
      empty: new Float32Array(0),
      odd: new Uint8Array(5).fill(9),
      after: Float32Array.of(1.5),
    };
    writeStateFile(path, state);
    const back = readStateFile(path, "test") as typeof state;
    expect(back.algorithm).toBe("x");
    expect(back.steps).toBe(12);
    expect(back.weights[0].values).toBeInstanceOf(Float32Array);
    expect(Array.from(back.weights[0].values)).toEqual(Array.from(state.weights[0].values));
    expect(Object.is(back.weights[0].values[1], -0)).toBe(true);
    expect(back.buffer.ids).toBeInstanceOf(Int32Array);
    expect(Array.from(back.buffer.ids)).toEqual([-7, 2 ** 31 - 1]);
    expect(Array.from(back.buffer.flags)).toEqual([0, 1, 255]);
    expect(back.empty.length).toBe(0);
    // An array after an odd-length one still lands on its own bytes (8-byte alignment).
    expect(Array.from(back.odd)).toEqual([9, 9, 9, 9, 9]);
    expect(Array.from(back.after)).toEqual([1.5]);
  });

  it("carries a state whose arrays are larger than a JSON string could be", () => {
    // 2^27 floats = 512 MiB: base64 in JSON would need ≈ 716 M characters, above V8's 2^29 − 24.
    const path = join(directory, "large.bin");
    const large = new Float32Array(2 ** 27);
    large[0] = 1;
    large[large.length - 1] = 2;
    writeStateFile(path, { large });
    const back = readStateFile(path, "test") as { large: Float32Array };
    expect(back.large.length).toBe(2 ** 27);
    expect(back.large[0]).toBe(1);
    expect(back.large[back.large.length - 1]).toBe(2);
  }, 60_000);

  it("refuses other files, truncated files and unsupported arrays, naming the file", () => {
    const path = join(directory, "cut.bin");
    writeStateFile(path, { values: new Float32Array(100) });
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 4));
    expect(() => readStateFile(path, "cut.bin")).toThrow(/cut\.bin: the file ends early \(truncated\)/);
    const json = join(directory, "state.json");
    writeFileSync(json, "{}");
    expect(() => readStateFile(json, "state.json")).toThrow(/state\.json: not a NetMARL state file/);
    expect(() => writeStateFile(join(directory, "f64.bin"), { x: new Float64Array(1) })).toThrow(
      /Float64Array is not supported/,
    );
  });
});
