/**
 * Reads a replay file (`replay-format.ts`) into its header, scene and episodes. Browser-safe.
 *
 * Frames stay as parsed JSON with packed arrays (`unpackArray` decodes one when it is drawn), so
 * a long replay costs its JSON, not every frame's typed arrays at once. A file cut mid-line (a run
 * still writing, a crash) opens up to its last complete line and says so in `truncated`; anything
 * else malformed is an `Error` whose one-line message names the line and the field.
 */
import {
  REPLAY_FORMAT,
  REPLAY_VERSION,
  type ReplayEpisodeEnd,
  type ReplayFamily,
  type ReplayFrame,
  type ReplayHeader,
  type ReplayRecord,
  type ReplayScene,
} from "./replay-format.js";

const FAMILIES: readonly ReplayFamily[] = ["traffic", "mpe", "grid", "graph"];

export interface ReplayEpisode {
  readonly index: number;
  readonly frames: ReplayFrame[];
  /** Absent when the file ends inside this episode. */
  end?: ReplayEpisodeEnd;
}

export interface ParsedReplay {
  readonly header: ReplayHeader;
  readonly scene: ReplayScene;
  readonly episodes: ReplayEpisode[];
  /** True when the file ended inside a line (that line was dropped). */
  readonly truncated: boolean;
}

/** One record as one line; what `RecordEpisode` writes. */
export function encodeReplayRecord(record: ReplayRecord): string {
  return `${JSON.stringify(record)}\n`;
}

function parseLine(line: string, lineNumber: number): ReplayRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`replay: line ${lineNumber} is not JSON`);
  }
  if (value === null || typeof value !== "object" || typeof (value as { kind?: unknown }).kind !== "string") {
    throw new Error(`replay: line ${lineNumber} must be an object with a "kind" field`);
  }
  return value as ReplayRecord;
}

function checkHeader(record: ReplayRecord | undefined): ReplayHeader {
  const header = record as Partial<ReplayHeader> | undefined;
  if (header === undefined || header.kind !== "header" || header.format !== REPLAY_FORMAT) {
    throw new Error(`replay: not a NetMARL replay (line 1 must be a header with format "${REPLAY_FORMAT}")`);
  }
  if (typeof header.version !== "number" || header.version > REPLAY_VERSION || header.version < 1) {
    throw new Error(
      `replay: header.version ${String(header.version)} is not supported (this reader reads 1…${REPLAY_VERSION})`,
    );
  }
  if (!FAMILIES.includes(header.family as ReplayFamily)) {
    throw new Error(
      `replay: header.family must be one of ${FAMILIES.join(", ")}, got ${String(header.family)}`,
    );
  }
  if (!Number.isInteger(header.numAgents) || (header.numAgents as number) < 1) {
    throw new Error("replay: header.numAgents must be a positive integer");
  }
  return header as ReplayHeader;
}

/** Parses replay text. A missing final newline means the last line may be incomplete. */
export function parseReplayText(text: string): ParsedReplay {
  const lines = text.split("\n");
  let truncated = false;
  const last = lines.pop() ?? "";
  if (last.trim() !== "") {
    // No trailing newline: the writer was cut inside this line, unless it happens to be whole.
    try {
      JSON.parse(last);
      lines.push(last);
    } catch {
      truncated = true;
    }
  }
  if (lines.length === 0) throw new Error("replay: the file is empty");
  const header = checkHeader(parseLine(lines[0] as string, 1));
  if (lines.length < 2) throw new Error("replay: the file ends before its scene (line 2)");
  const scene = parseLine(lines[1] as string, 2) as ReplayScene;
  if (scene.kind !== "scene" || scene.family !== header.family) {
    throw new Error(`replay: line 2 must be the scene of family "${header.family}"`);
  }
  const episodes: ReplayEpisode[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const record = parseLine(line, i + 1);
    if (record.kind === "frame") {
      if (
        !Number.isInteger(record.episode) ||
        !Number.isInteger(record.t) ||
        typeof record.state !== "object"
      ) {
        throw new Error(`replay: line ${i + 1}: a frame needs integer "episode", "t" and a "state" object`);
      }
      let episode = episodes[episodes.length - 1];
      if (episode === undefined || episode.index !== record.episode) {
        episode = { index: record.episode, frames: [] };
        episodes.push(episode);
      }
      episode.frames.push(record);
    } else if (record.kind === "episode-end") {
      const episode = episodes[episodes.length - 1];
      if (episode === undefined || episode.index !== record.episode) {
        throw new Error(
          `replay: line ${i + 1}: episode-end for episode ${record.episode} that has no frames`,
        );
      }
      episode.end = record;
    }
    // Unknown kinds are skipped: later writers may add records (see the compatibility rule).
  }
  return { header, scene, episodes, truncated };
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Parses replay bytes, gzip-compressed or not. A gzip stream cut short decodes up to where it was
 * cut (then `parseReplayText` drops the partial line).
 */
export async function parseReplayBytes(bytes: Uint8Array): Promise<ParsedReplay> {
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    const { text, cut } = await gunzipTolerant(bytes);
    const parsed = parseReplayText(text);
    return cut ? { ...parsed, truncated: true } : parsed;
  }
  return parseReplayText(new TextDecoder("utf-8", { fatal: false }).decode(bytes));
}

async function gunzipTolerant(bytes: Uint8Array): Promise<{ text: string; cut: boolean }> {
  // The DOM lib (the viewer type-checks this file) types Blob parts as views of an ArrayBuffer.
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let cut = false;
  for (;;) {
    try {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    } catch {
      cut = true; // Truncated or corrupt tail: keep what decoded before it.
      break;
    }
  }
  text += decoder.decode();
  if (cut && text === "") throw new Error("replay: the gzip data is corrupt before its first line");
  return { text, cut };
}
