import { describe, expect, it } from "vitest";
import { embedReplay, REPLAY_SLOT } from "./embed-replay.js";

const PAGE = `<html><body><script>app()</script>${REPLAY_SLOT}</body></html>`;

describe("embedReplay", () => {
  it("puts each replay in its own script tag at the slot, with < escaped as JSON's \\u003c", () => {
    const html = embedReplay(PAGE, ['{"label":"</script><b>"}\n', "{}\n"]);
    expect(html).toBe(
      '<html><body><script>app()</script><script type="application/x-netmarl-replay">\n{"label":"\\u003c/script>\\u003cb>"}\n</script>\n' +
        '<script type="application/x-netmarl-replay">\n{}\n</script></body></html>',
    );
    expect(JSON.parse('{"label":"\\u003c/script>"}').label).toBe("</script>");
  });

  it("refuses a page that is not the viewer and a wrong number of replays", () => {
    expect(() => embedReplay("<html></html>", "{}")).toThrow(
      "embedReplay: viewerHtml must be the built viewer.html (its <!--netmarl-replay-slot--> is missing)",
    );
    expect(() => embedReplay(PAGE, [])).toThrow(
      "embedReplay: replayText must be one replay or two (split view), got 0",
    );
    expect(() => embedReplay(PAGE, [" "])).toThrow(
      "embedReplay: replayText[0] must be the non-empty text of a replay file",
    );
  });
});
