import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GraphState, parseReplayBytes } from "@netmarl/envs/replay";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
// The viewer's own build script (not part of its package API): writes viewer.html for this test.
import { buildViewerHtml } from "../../../viewer/scripts/build-viewer-html.js";
import { runSuite } from "../execution/run-suite.js";
import { parseSuite } from "../suites/experiment-schema.js";
import { aggregateSuite } from "./aggregate-suite.js";
import { writeReplayPages } from "./write-replay-pages.js";
import { writeReport } from "./write-report.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-replay-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const suite = parseSuite({
  name: "replay-demo",
  description: "replays of final policies",
  figure: "none",
  recordReplays: true,
  experiments: [
    {
      env: { id: "aloha", options: { numAgents: 4, layout: "ring", maxSteps: 20 } },
      algorithm: { id: "tabular-q" },
      run: { steps: 400, evalEvery: 200, evalEpisodes: 2 },
      seeds: [3, 4],
    },
  ],
});
await runSuite(suite, { outDirectory: scratch, workers: 1, backend: "cpu" });
const suiteDirectory = join(scratch, "replay-demo");
const seedFolder = (seed: number) => join(suiteDirectory, "aloha-v1", "tabular-q", `seed-${seed}`);

describe("suites with recordReplays", () => {
  it("record one greedy episode of the first seed's final policy into its folder", async () => {
    expect(existsSync(join(seedFolder(4), "replay.ndjson.gz"))).toBe(false);
    const replay = await parseReplayBytes(readFileSync(join(seedFolder(3), "replay.ndjson.gz")));
    expect(replay.header).toMatchObject({
      family: "graph",
      env: "aloha-v1",
      policy: { algorithm: "tabular-q", label: "seed 3 after 400 env steps" },
    });
    expect(replay.episodes).toHaveLength(1);
    expect(replay.episodes[0].end?.steps).toBe(20);
    expect((replay.episodes[0].frames[0].state as GraphState).agentValueName).toBe("backlog");
    expect(replay.episodes[0].frames[0].obs?.length).toBe(4); // observations for the hover summary
    expect(parseSuite({ ...suite, recordReplays: undefined }).recordReplays).toBe(false); // off by default
  });

  it("the report links each replay file and a viewer page that opens it from disk", async () => {
    const report = aggregateSuite(suiteDirectory);
    expect(report.experiments[0].replays).toEqual([
      { seed: 3, path: join("aloha-v1", "tabular-q", "seed-3", "replay.ndjson.gz") },
    ]);
    const viewerFile = join(scratch, "viewer.html");
    await buildViewerHtml(viewerFile);
    const links = writeReplayPages(suiteDirectory, report, readFileSync(viewerFile, "utf8"));
    expect(links).toEqual([
      {
        experiment: "aloha-v1 / tabular-q",
        seed: 3,
        replayHref: "../aloha-v1/tabular-q/seed-3/replay.ndjson.gz",
        pageHref: "replays/aloha-v1_tabular-q-seed-3.html",
      },
    ]);
    const files = await writeReport(suiteDirectory, report);
    const html = readFileSync(files.html, "utf8");
    expect(html).toContain('<a class="replay-file" href="../aloha-v1/tabular-q/seed-3/replay.ndjson.gz">');
    expect(
      existsSync(join(suiteDirectory, "report", "..", "aloha-v1", "tabular-q", "seed-3", "replay.ndjson.gz")),
    ).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      await page.goto(`file://${join(suiteDirectory, "report", links[0].pageHref as string)}`);
      // Poll with page.evaluate (CDP): waitForFunction's string form needs eval, which the
      // viewer's content-security policy forbids.
      const readStatus = async () =>
        (await page.evaluate("window.netmarlViewer?.status() ?? null")) as {
          family: string;
          frameCount: number;
          error: string | null;
        } | null;
      await expect
        .poll(async () => (await readStatus())?.frameCount ?? 0, { timeout: 20_000 })
        .toBeGreaterThan(0);
      const status = await readStatus();
      expect(status).toMatchObject({ family: "graph", error: null });
      expect(requests.filter((url) => !url.startsWith("file://") && !url.startsWith("data:"))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
