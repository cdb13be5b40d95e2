/**
 * `@netmarl/envs/replay` — the replay file format and its reader, with no Node dependency, so
 * the offline viewer bundles it. The writer (`RecordEpisode`) is in the main entry.
 */
export { packArray, unpackArray } from "./replay/packed-array.js";
export {
  encodeReplayRecord,
  type ParsedReplay,
  parseReplayBytes,
  parseReplayText,
  type ReplayEpisode,
} from "./replay/parse-replay.js";
export * from "./replay/replay-format.js";
export { sameReplayGraph, toReplayGraph } from "./replay/replay-graph.js";
