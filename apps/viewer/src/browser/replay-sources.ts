import { type ParsedReplay, parseReplayBytes, parseReplayText } from "@netmarl/envs/replay";
import { REPLAY_SCRIPT_TYPE } from "../embed-replay.js";

/** A replay opened from somewhere, with the name the page shows for it. */
export interface NamedReplay {
  readonly name: string;
  readonly replay: ParsedReplay;
}

/** Errors name where the replay came from, then the reader's own one-line message. */
async function parseNamed(
  name: string,
  parse: () => Promise<ParsedReplay> | ParsedReplay,
): Promise<NamedReplay> {
  try {
    return { name, replay: await parse() };
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Replays embedded in the page by `embedReplay` (`<script type="application/x-netmarl-replay">`). */
export function embeddedReplayTexts(document: Document): string[] {
  return Array.from(
    document.querySelectorAll(`script[type="${REPLAY_SCRIPT_TYPE}"]`),
    (script) => script.textContent ?? "",
  );
}

export function parseEmbeddedReplays(texts: readonly string[]): Promise<NamedReplay[]> {
  return Promise.all(
    texts.map((text, index) =>
      parseNamed(texts.length > 1 ? `embedded replay ${index + 1}` : "embedded replay", () =>
        parseReplayText(text.replace(/^\n/, "")),
      ),
    ),
  );
}

/** Files from the picker or a drop, gzip-compressed or not. */
export function parseReplayFiles(files: readonly File[]): Promise<NamedReplay[]> {
  return Promise.all(
    files.map((file) =>
      parseNamed(file.name, async () => parseReplayBytes(new Uint8Array(await file.arrayBuffer()))),
    ),
  );
}

/** Paths from `#replay=<path>&compare=<path>` (URL-encoded, relative to the page). */
export function hashReplayPaths(hash: string): string[] {
  const parameters = new URLSearchParams(hash.replace(/^#/, ""));
  return ["replay", "compare"].flatMap((key) => {
    const value = parameters.get(key);
    return value === null || value === "" ? [] : [value];
  });
}

export function fetchReplays(paths: readonly string[], base: string): Promise<NamedReplay[]> {
  return Promise.all(
    paths.map((path) =>
      parseNamed(path, async () => {
        let response: Response;
        try {
          response = await fetch(new URL(path, base));
        } catch {
          throw new Error(
            "could not be read: browsers block fetch() of file:// URLs — serve the folder over http (e.g. `python3 -m http.server`), start Chromium with --allow-file-access-from-files, or open the replay with Open replay…",
          );
        }
        if (!response.ok) throw new Error(`could not be read: HTTP ${response.status}`);
        return parseReplayBytes(new Uint8Array(await response.arrayBuffer()));
      }),
    ),
  );
}
