import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { packArray, unpackArray } from "./packed-array.js";
import { encodeReplayRecord, parseReplayBytes, parseReplayText } from "./parse-replay.js";
import type { ReplayRecord } from "./replay-format.js";

function sampleRecords(): ReplayRecord[] {
  return [
    {
      kind: "header",
      format: "netmarl-replay",
      version: 1,
      family: "graph",
      env: "aloha",
      envOptions: {},
      numAgents: 2,
      obsDim: 1,
      recordEvery: 1,
    },
    { kind: "scene", family: "graph", nodePosition: packArray(new Float32Array([0, 0, 1, 0])) },
    { kind: "frame", episode: 0, t: 0, state: { agentValue: packArray(new Float32Array([1, 2])) } },
    {
      kind: "frame",
      episode: 0,
      t: 1,
      state: {},
      actions: packArray(new Int32Array([1, 0])),
      rewards: packArray(new Float32Array([0.5, -1])),
    },
    { kind: "episode-end", episode: 0, steps: 1, returns: packArray(new Float32Array([0.5, -1])) },
  ];
}

describe("replay format", () => {
  it("packs every dtype bit-exactly, including NaN payloads and -0", () => {
    const f64 = new Float64Array([Math.PI, -0, Number.NaN, 1e-310, -1e308]);
    const back = unpackArray(packArray(f64), "x") as Float64Array;
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(f64.buffer));
    const big = new Int32Array(100_000).map((_, i) => i * 7919 - 50_000);
    expect(unpackArray(packArray(big), "big")).toEqual(big);
    expect(unpackArray(packArray(new Uint16Array([65535, 3])), "u")).toEqual(new Uint16Array([65535, 3]));
  });

  it("reads what it writes, and a file cut anywhere up to its last complete line", () => {
    const text = sampleRecords().map(encodeReplayRecord).join("");
    const whole = parseReplayText(text);
    expect(whole.truncated).toBe(false);
    expect(whole.episodes[0]?.frames.map((f) => f.t)).toEqual([0, 1]);
    expect(whole.episodes[0]?.end?.steps).toBe(1);
    const cut = parseReplayText(text.slice(0, text.lastIndexOf("episode-end") + 5));
    expect(cut.truncated).toBe(true);
    expect(cut.episodes[0]?.frames.length).toBe(2);
    expect(cut.episodes[0]?.end).toBeUndefined();
  });

  it("opens gzip files, also cut short", async () => {
    const text = sampleRecords().map(encodeReplayRecord).join("");
    const gz = gzipSync(text);
    expect((await parseReplayBytes(gz)).episodes[0]?.frames.length).toBe(2);
    const cut = await parseReplayBytes(gz.subarray(0, gz.length - 12));
    expect(cut.truncated).toBe(true);
  });

  it("refuses foreign and corrupt files with one-line messages", () => {
    expect(() => parseReplayText("")).toThrow(/empty/);
    expect(() => parseReplayText('{"kind":"header","format":"other"}\n')).toThrow(/not a NetMARL replay/);
    expect(() => parseReplayText("PK\u0003\u0004garbage\n")).toThrow(/line 1 is not JSON/);
    const lines = sampleRecords().map(encodeReplayRecord);
    lines[0] = lines[0]?.replace('"version":1', '"version":9') ?? "";
    expect(() => parseReplayText(lines.join(""))).toThrow(/header.version 9 is not supported/);
    expect(() => unpackArray({ dtype: "float32", length: 3, b64: "AAAA" }, "state.position")).toThrow(
      /state.position holds 3 bytes, expected 3 × 4/,
    );
  });
});
