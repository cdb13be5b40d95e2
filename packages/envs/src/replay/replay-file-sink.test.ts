import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CooperativeNavigation } from "../mpe/cooperative-navigation.js";
import { RecordEpisode } from "../wrappers/record-episode.js";
import { parseReplayBytes } from "./parse-replay.js";
import { ReplayFileSink } from "./replay-file-sink.js";

const directory = mkdtempSync(join(tmpdir(), "netmarl-replay-"));

function playTwoEpisodes(path: string, onEpisodeEnd: (episode: number) => void): void {
  const env = new RecordEpisode(new CooperativeNavigation({ numAgents: 3, maxSteps: 10 }), { path });
  const actions = new Int32Array(3).fill(1);
  for (let episode = 0; episode < 2; episode++) {
    env.reset(episode === 0 ? 4 : undefined);
    for (let t = 0; t < 10; t++) env.step(actions);
    onEpisodeEnd(episode);
  }
  env.close();
}

describe("ReplayFileSink", () => {
  it.each([
    ["plain", "run.ndjson"],
    ["gzip", "run.ndjson.gz"],
  ])("%s: the file opens while it is written (whole episodes) and after close", async (_kind, name) => {
    const path = join(directory, name);
    const midRun: Array<Promise<[number, number]>> = [];
    playTwoEpisodes(path, (episode) => {
      // Read by another party mid-run (the bytes as they are now): this episode is complete.
      const bytes = readFileSync(path);
      midRun.push(
        parseReplayBytes(bytes).then((replay) => [episode, replay.episodes[episode]?.end?.steps ?? -1]),
      );
    });
    expect(await Promise.all(midRun)).toEqual([
      [0, 10],
      [1, 10],
    ]);
    const replay = await parseReplayBytes(readFileSync(path));
    expect(replay.truncated).toBe(false);
    expect(replay.episodes.map((episode) => episode.end?.steps)).toEqual([10, 10]);
    if (name.endsWith(".gz")) expect(() => gunzipSync(readFileSync(path))).not.toThrow(); // a valid gzip member
  });

  it("a file cut mid-line opens up to its last complete line", async () => {
    const path = join(directory, "cut.ndjson");
    playTwoEpisodes(path, () => {});
    const bytes = readFileSync(path);
    const replay = await parseReplayBytes(bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    expect(replay.truncated).toBe(true);
    expect(replay.episodes[0].end?.steps).toBe(10);
  });

  it("refuses a bad path or flush size and writes after close", () => {
    expect(() => new ReplayFileSink("")).toThrow(/path must be a non-empty file path/);
    expect(() => new ReplayFileSink(join(directory, "x.gz"), { flushBytes: 0 })).toThrow(/flushBytes = 0/);
    const sink = new ReplayFileSink(join(directory, "closed.ndjson"));
    sink.close();
    expect(() => sink.write("{}\n")).toThrow(/already closed/);
  });
});
