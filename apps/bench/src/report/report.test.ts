import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { runSuite } from "../execution/run-suite.js";
import { parseSuite } from "../suites/experiment-schema.js";
import { aggregateSuite } from "./aggregate-suite.js";
import { meanWithInterval } from "./confidence-interval.js";
import { writeReport } from "./write-report.js";

/** Runs in the page (a string, so the DOM types stay out of Node's type check): draws the first
 * chart's SVG onto a canvas and counts the distinct colours. */
const COUNT_CHART_COLOURS = `(async () => {
  const svg = document.querySelector("figure.chart svg");
  const image = new Image();
  image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(new XMLSerializer().serializeToString(svg))));
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
})()`;

const scratch = mkdtempSync(join(tmpdir(), "netmarl-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const suite = parseSuite({
  name: "report-demo",
  description: "two algorithms, three seeds",
  figure: "none",
  experiments: ["random", "tabular-q"].map((id) => ({
    env: { id: "coordination-game", options: { numAgents: 3 } },
    algorithm: { id },
    run: { steps: 6_000, evalEvery: 1_000, evalEpisodes: 3 },
    seeds: [0, 1, 2],
    ...(id === "tabular-q" ? { reference: { value: 60, spread: 1.5, source: "made-up table 1" } } : {}),
  })),
});
await runSuite(suite, { outDirectory: scratch, workers: 1, backend: "cpu" });
const suiteDirectory = join(scratch, "report-demo");
const report = aggregateSuite(suiteDirectory);
const files = await writeReport(suiteDirectory, report);

describe("aggregation", () => {
  it("computes mean ± Student-t 95 % intervals over seeds", () => {
    const interval = meanWithInterval([1, 2, 3]);
    expect(interval.mean).toBe(2);
    expect(interval.high - interval.mean).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 9);
    expect(meanWithInterval([5])).toEqual({ mean: 5, low: 5, high: 5, count: 1 });
  });

  it("builds evaluation curves at every evaluation step from all seeds", () => {
    const tabular = report.experiments[1];
    expect(tabular.finishedSeeds).toEqual([0, 1, 2]);
    expect(tabular.evaluationCurve.map((p) => p.envSteps)).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
    expect(tabular.evaluationCurve.every((p) => p.count === 3 && p.low <= p.mean && p.mean <= p.high)).toBe(
      true,
    );
    expect(tabular.finalEvaluationReturn.count).toBe(3);
    expect(tabular.finalTrainingReturn.count).toBe(3);
    const csv = readFileSync(files.curvesCsv, "utf8").trim().split("\n");
    expect(csv[0]).toBe("suite,experiment,curve,env_steps,mean,ci_low,ci_high,seeds");
    expect(csv.filter((line) => line.includes(",evaluation,"))).toHaveLength(12);
    const markdown = readFileSync(files.markdown, "utf8");
    expect(markdown).toContain(
      "| environment | algorithm | seeds | evaluation return | evaluation IQM [95 % CI] | training return | paper | env steps/s |",
    );
    expect(markdown).toContain("| coordination-game-v1 | tabular-q | 3/3 |");
    expect(markdown).toContain("| 60.00 ± 1.50 (made-up table 1) |");
  });

  it("adds the IQM with a bootstrap interval and exports marl-eval's raw-data JSON", () => {
    const tabular = report.experiments[1];
    const finals = tabular.seedEvaluations.map((s) => s.points[s.points.length - 1].return);
    expect(tabular.finalEvaluationIqm.estimate).toBeCloseTo(finals.reduce((a, b) => a + b, 0) / 3, 9); // n = 3: nothing trimmed
    expect(tabular.finalEvaluationIqm.low).toBeLessThanOrEqual(tabular.finalEvaluationIqm.estimate);
    const marlEval = JSON.parse(readFileSync(files.marlEvalJson, "utf8"));
    const runs = marlEval["coordination-game-v1"]["numAgents=3"]["tabular-q"];
    expect(Object.keys(runs)).toEqual(["run_0", "run_1", "run_2"]);
    expect(runs.run_0.step_0).toEqual({
      step_count: 1000,
      return: [tabular.seedEvaluations[0].points[0].return],
    });
    expect(runs.run_0.absolute_metrics.return).toEqual([finals[0]]);
  });
});

describe("the HTML report in headless Chromium", () => {
  it("loads offline without console errors, draws every series and is not blank", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`).toBe(
      true,
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("request", (request) => {
        if (!request.url().startsWith("file://")) problems.push(`network request to ${request.url()}`);
      });
      await page.goto(`file://${files.html}`);
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((figure) => ({
          kind: figure.getAttribute("data-kind"),
          expected: Number(figure.getAttribute("data-series")),
          lines: figure.querySelectorAll("g.mark-line path").length,
          bands: figure.querySelectorAll("g.mark-area path").length,
        })),
      );
      expect(charts.map((c) => c.kind)).toEqual(["evaluation", "training", "profile"]);
      for (const chart of charts.filter((c) => c.kind !== "profile")) {
        expect(chart.expected).toBe(2);
        expect(chart.lines).toBe(2);
        expect(chart.bands).toBe(2);
      }
      expect(await page.$$eval("#final tbody tr", (rows) => rows.length)).toBe(2);
      const screenshot = await page.screenshot({
        path: join(suiteDirectory, "report", "screenshot.png"),
        fullPage: true,
      });
      const blank = await (await browser.newPage({ viewport: { width: 1200, height: 900 } })).screenshot({
        fullPage: true,
      });
      // A white page compresses to a few kB; a page with two charts and tables to several times that.
      expect(screenshot.length).toBeGreaterThan(5 * blank.length);
      // And the chart area itself has many distinct colours (lines, bands, text), not a flat fill.
      const colours = await page.evaluate(COUNT_CHART_COLOURS);
      expect(colours).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
