/**
 * `@netmarl/viewer` — the offline replay viewer. The viewer itself is one static HTML file
 * (`dist/viewer.html`); this entry is the Node side: where that file is and how to write a page
 * with replays embedded in it.
 */
export { embedReplay, REPLAY_SCRIPT_TYPE, REPLAY_SLOT } from "./embed-replay.js";
export { viewerHtmlPath } from "./viewer-html-path.js";
