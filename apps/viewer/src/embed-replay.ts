/**
 * Writes self-contained viewer pages: the built `viewer.html` with replays inside it, so a report
 * can link a page that opens from `file://` with no fetch (Chromium blocks fetch of file URLs).
 */

/** The `type` of the script tags that carry a replay (a browser does not run them). */
export const REPLAY_SCRIPT_TYPE = "application/x-netmarl-replay";

/** Where `embedReplay` puts the replays; the built page holds it once, in its body. */
export const REPLAY_SLOT = "<!--netmarl-replay-slot-->";

/**
 * Returns `viewerHtml` with the replays embedded: one replay text, or two (a split view, the first
 * on the left). The page opens them at load. `<` is written as the JSON escape `\u003c`, which is
 * only legal inside JSON strings (where it reads back as `<`), so no line can close the tag early.
 */
export function embedReplay(viewerHtml: string, replayText: string | readonly string[]): string {
  const texts = typeof replayText === "string" ? [replayText] : replayText;
  if (texts.length < 1 || texts.length > 2) {
    throw new Error(`embedReplay: replayText must be one replay or two (split view), got ${texts.length}`);
  }
  const slot = viewerHtml.indexOf(REPLAY_SLOT);
  if (slot < 0) {
    throw new Error(`embedReplay: viewerHtml must be the built viewer.html (its ${REPLAY_SLOT} is missing)`);
  }
  const tags = texts.map((text, index) => {
    if (typeof text !== "string" || text.trim() === "") {
      throw new Error(`embedReplay: replayText[${index}] must be the non-empty text of a replay file`);
    }
    return `<script type="${REPLAY_SCRIPT_TYPE}">\n${text.replaceAll("<", "\\u003c")}</script>`;
  });
  return viewerHtml.slice(0, slot) + tags.join("\n") + viewerHtml.slice(slot + REPLAY_SLOT.length);
}
