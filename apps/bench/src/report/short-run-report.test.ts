import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { bench } from "../cli.fixture.js";
import { findSuite } from "../suites/suite-registry.js";
import { renderLearningCurveSvg } from "./learning-curve-chart.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-short-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Runs in the page: per chart, per series (one Vega facet group), what is drawn and the x ticks. */
const INSPECT_CHARTS = `[...document.querySelectorAll("figure.chart")].map((figure) => ({
  title: figure.querySelector(".role-title-text")?.textContent,
  expected: Number(figure.getAttribute("data-series")),
  series: [...figure.querySelectorAll("g.mark-group.role-scope")].filter((scope) => !scope.closest(".role-legend"))
    .flatMap((scope) => [...scope.children]).map((group) => {
    const visible = (selector) => [...group.querySelectorAll(selector)].filter((path) => {
      const box = path.getBBox();
      return box.width > 0 || box.height > 0;
    }).length;
    return { lines: visible("g.mark-line path"), points: visible("g.mark-symbol path") };
  }),
  xTicks: [...figure.querySelectorAll("g.role-axis")].filter((axis) => axis.getAttribute("aria-label")?.startsWith("X-axis"))
    .flatMap((axis) => [...axis.querySelectorAll(".role-axis-label text")].map((t) => t.textContent)),
  yTicks: [...figure.querySelectorAll("g.role-axis")].filter((axis) => axis.getAttribute("aria-label")?.startsWith("Y-axis"))
    .flatMap((axis) => [...axis.querySelectorAll(".role-axis-label text")].map((t) => t.textContent)),
}))`;

/** `500`, `1k`, `2.5k` (Vega's `~s` format) → steps. */
const tickSteps = (label: string) => Number.parseFloat(label) * (label.endsWith("k") ? 1_000 : 1);

describe("charts of short runs", () => {
  it("draw a point for a one-point series and no 0.000000 tick for a constant one", async () => {
    const svg = await renderLearningCurveSvg(
      "one point",
      "return",
      [
        { name: "a", points: [{ envSteps: 100, mean: 3, low: 3, high: 3, count: 1 }] },
        { name: "b", points: [{ envSteps: 100, mean: 3, low: 3, high: 3, count: 1 }] },
      ],
      100,
    );
    expect(svg.match(/class="mark-symbol role-mark"/g)).toHaveLength(2);
    expect(svg).not.toMatch(/0\.000000/);
  });
});

describe("report of `run quick --steps 500 --seeds 1`, in headless Chromium", () => {
  it("shows visible marks for every series, x axes within the run, separate training and evaluation columns", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`).toBe(
      true,
    );
    const out = join(scratch, "results");
    const run = bench("run", "quick", "--steps", "500", "--seeds", "1", "--out", out, "--backend", "wasm");
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    // `report` takes the --out folder and finds the suite inside it.
    const reported = bench("report", out);
    expect(reported.status, reported.stderr).toBe(0);
    const html = reported.stdout.split("\n")[0];
    expect(html).toBe(join(out, "quick", "report", "index.html"));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${html}`);
      const charts = (await page.evaluate(INSPECT_CHARTS)) as {
        title: string;
        expected: number;
        series: { lines: number; points: number }[];
        xTicks: string[];
        yTicks: string[];
      }[];
      // Four environments (with LToS's prisoner's dilemma), an evaluation and a training chart and a
      // performance profile each.
      expect(charts).toHaveLength(12);
      for (const chart of charts) {
        expect(chart.series, chart.title).toHaveLength(chart.expected);
        for (const series of chart.series) expect(series.points, chart.title).toBeGreaterThan(0);
        if (!chart.title.endsWith("performance profile")) {
          expect(Math.max(...chart.xTicks.map(tickSteps)), chart.title).toBeLessThanOrEqual(500);
        }
        expect(chart.yTicks.join(" "), chart.title).not.toMatch(/0\.000000/);
      }
      const header = await page.$$eval("#final thead th", (cells) => cells.map((cell) => cell.textContent));
      expect(header).toEqual([
        "environment",
        "algorithm",
        "seeds",
        "evaluation return",
        "evaluation IQM [95 % CI]",
        "training return",
        "paper",
        "env steps/s",
      ]);
      const rows = await page.$$eval("#final tbody tr", (trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
      );
      // one row per experiment of the quick suite
      expect(rows).toHaveLength(findSuite("quick").experiments.length);
      expect(rows.map((row) => row[0])).toEqual([...rows.map((row) => row[0])].sort(byFirstAppearance(rows)));
      expect(rows.some((row) => row[0] === "mpe/cooperative-navigation-v1")).toBe(true);
      // Algorithms that ran on several environments get a normalised IQM across them.
      const across = await page.$$eval("#across tbody tr", (trs) => trs.map((tr) => tr.textContent));
      expect(across.some((row) => row?.startsWith("random"))).toBe(true);
      // --steps shortened the evaluation interval too: every row has an evaluation return.
      for (const row of rows) expect(row[3], row.join(" ")).toMatch(/^-?\d/);
    } finally {
      await browser.close();
    }
  }, 240_000);
});

/** Sorts environment names by where each first appears: the rows must already be grouped. */
function byFirstAppearance(rows: string[][]) {
  const order = [...new Set(rows.map((row) => row[0]))];
  return (a: string, b: string) => order.indexOf(a) - order.indexOf(b);
}
