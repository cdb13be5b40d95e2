/**
 * Entry of the page: finds its elements, then opens what the page was given — embedded replays,
 * else `#replay=…&compare=…` — and wires the file picker and drag-and-drop.
 */
import {
  embeddedReplayTexts,
  fetchReplays,
  hashReplayPaths,
  type NamedReplay,
  parseEmbeddedReplays,
  parseReplayFiles,
} from "./replay-sources.js";
import { ViewerApp, type ViewerElements } from "./viewer-app.js";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`viewer: the page has no #${id}`);
  return found as T;
}

async function open(app: ViewerApp, load: Promise<NamedReplay[]>, compare = false): Promise<void> {
  try {
    const replays = await load;
    if (compare && replays[0] !== undefined) app.compare(replays[0]);
    else app.show(replays);
  } catch (error) {
    app.showError(error);
  }
}

function start(): void {
  const elements: ViewerElements = {
    panes: element("panes"),
    play: element("play"),
    stepBack: element("step-back"),
    stepForward: element("step-forward"),
    scrub: element("scrub"),
    timeLabel: element("time-label"),
    speed: element("speed"),
    episode: element("episode"),
    fit: element("fit"),
    error: element("error"),
    banner: element("banner"),
    tooltip: element("tooltip"),
    emptyHint: element("empty-hint"),
  };
  const app = new ViewerApp(elements);
  (window as unknown as { netmarlViewer: ViewerApp }).netmarlViewer = app;

  const openInput = element<HTMLInputElement>("open-file");
  openInput.addEventListener("change", () => {
    void open(app, parseReplayFiles(Array.from(openInput.files ?? [])));
    openInput.value = "";
  });
  const compareInput = element<HTMLInputElement>("open-compare");
  compareInput.addEventListener("change", () => {
    void open(app, parseReplayFiles(Array.from(compareInput.files ?? [])), true);
    compareInput.value = "";
  });
  document.addEventListener("dragover", (event) => event.preventDefault());
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) void open(app, parseReplayFiles(files.slice(0, 2)));
  });

  const embedded = embeddedReplayTexts(document);
  const paths = hashReplayPaths(location.hash);
  if (embedded.length > 0) void open(app, parseEmbeddedReplays(embedded));
  else if (paths.length > 0) void open(app, fetchReplays(paths, location.href));
  window.addEventListener("hashchange", () => {
    const changed = hashReplayPaths(location.hash);
    if (changed.length > 0) void open(app, fetchReplays(changed, location.href));
  });
}

// The replays embedded by embedReplay follow this script in the page: start once they are parsed.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
