import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { ReplayFamily } from "@netmarl/envs/replay";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildViewerHtml } from "../scripts/build-viewer-html.js";
import { recordFamilyReplay, writeSyntheticGraphReplay } from "../test-fixtures/family-fixtures.js";
import { embedReplay } from "./index.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FAMILIES: readonly ReplayFamily[] = ["traffic", "mpe", "grid", "graph"];
/** A recorded episode of a real env per family, and a synthetic graph game with a directed, weighted overlay. */
const CASES = [...FAMILIES, "graph-weighted"] as const;
/** Screenshots kept for people to look at (git-ignored). */
const ARTEFACTS = join(import.meta.dirname, "..", "test-artefacts");

const scratch = mkdtempSync(join(tmpdir(), "netmarl-viewer-"));
const viewerFile = join(scratch, "viewer.html");
let browser: Browser;

/** Pixel statistics of a pane's canvas, computed in the page: variance and a content hash. */
const CANVAS_PIXELS = `((index) => {
  const canvas = document.querySelectorAll(".pane canvas")[index];
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0, sumSquares = 0, hash = 2166136261;
  for (let i = 0; i < data.length; i += 4) {
    const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += grey;
    sumSquares += grey * grey;
    hash = Math.imul(hash ^ data[i] ^ (data[i + 1] << 8) ^ (data[i + 2] << 16), 16777619);
  }
  const n = data.length / 4;
  return { variance: sumSquares / n - (sum / n) ** 2, hash: hash >>> 0 };
})`;

interface ViewerStatusInPage {
  frameCount: number;
  frameIndex: number;
  playing: boolean;
  error: string | null;
  truncated: boolean;
  replays: string[];
}

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  await buildViewerHtml(viewerFile);
  for (const family of FAMILIES)
    recordFamilyReplay(family, join(scratch, `${family}.ndjson`), { kind: "random", seed: 1 });
  writeSyntheticGraphReplay(join(scratch, "graph-weighted.ndjson"), 0);
  recordFamilyReplay("traffic", join(scratch, "fixed-time.ndjson"), { kind: "fixed-time", stepsPerPhase: 3 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // File access lets the #replay= route fetch a file:// replay, as a served folder would.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--allow-file-access-from-files",
      "--disable-background-networking",
      "--no-first-run",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A page that records every request that is not the local document, data: or blob:. */
async function openViewer(
  url: string,
): Promise<{ page: Page; outsideRequests: string[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const outsideRequests: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => {
    if (!/^(file|data|blob):/.test(request.url())) outsideRequests.push(request.url());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return { page, outsideRequests, problems };
}

async function status(page: Page): Promise<ViewerStatusInPage> {
  return page.evaluate("window.netmarlViewer.status()") as Promise<ViewerStatusInPage>;
}

async function waitForFrames(page: Page): Promise<void> {
  // Polled with evaluate: waitForFunction's string predicates use eval, which the page's CSP forbids.
  await expect
    .poll(async () => {
      const s = await status(page);
      return (s.frameIndex >= 0 && s.frameCount > 1) || s.error !== null;
    })
    .toBe(true);
}

async function pixels(page: Page, pane = 0): Promise<{ variance: number; hash: number }> {
  await page.evaluate(
    "new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))",
  );
  return page.evaluate(`${CANVAS_PIXELS}(${pane})`) as Promise<{ variance: number; hash: number }>;
}

describe("the viewer in headless Chromium", () => {
  it("builds to one HTML file with nothing to fetch", () => {
    const html = readFileSync(viewerFile, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    expect(html.split("<!--netmarl-replay-slot-->")).toHaveLength(2);
  });

  it.each(CASES.map((family) => [family]))(
    "%s: opens from a file, draws non-blank frames that change when scrubbed, draws the graph overlay, explains an agent on hover",
    async (family) => {
      const { page, outsideRequests, problems } = await openViewer(pathToFileURL(viewerFile).href);
      try {
        await page.setInputFiles("#open-file", join(scratch, `${family}.ndjson`));
        await waitForFrames(page);
        const opened = await status(page);
        expect(opened.error).toBeNull();
        const first = await pixels(page);
        expect(first.variance, "the first frame is not blank").toBeGreaterThan(20);
        await page.locator("#scrub").fill(String(opened.frameCount - 1));
        const last = await pixels(page);
        expect((await status(page)).frameIndex).toBe(opened.frameCount - 1);
        expect(last.hash, "scrubbing to the last frame changes the picture").not.toBe(first.hash);
        await page.screenshot({ path: join(ARTEFACTS, `${family}.png`) });
        if (family === "traffic") {
          // Zoomed in, vehicles are rectangles along their lane instead of dots.
          const centre = (await page.evaluate("window.netmarlViewer.agentClientPosition(4)")) as {
            x: number;
            y: number;
          };
          await page.mouse.move(centre.x, centre.y);
          for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -600);
          const zoomed = await pixels(page);
          expect(zoomed.variance).toBeGreaterThan(20);
          await page.screenshot({ path: join(ARTEFACTS, "traffic-zoomed.png") });
          await page.keyboard.press("f");
        }
        await page.evaluate("window.netmarlViewer.setAllOverlays(false)");
        const withoutOverlay = await pixels(page);
        expect(withoutOverlay.hash, "the graph overlay is drawn").not.toBe(last.hash);
        await page.locator(".overlay-list input").first().check();
        expect((await pixels(page)).hash).not.toBe(withoutOverlay.hash);
        const agent = (await page.evaluate("window.netmarlViewer.agentClientPosition(1)")) as {
          x: number;
          y: number;
        };
        await page.mouse.move(agent.x, agent.y);
        await expect.poll(() => page.locator("#tooltip").isVisible()).toBe(true);
        const tooltip = await page.locator("#tooltip").textContent();
        expect(tooltip).toMatch(/^agent 1\n/);
        expect(tooltip).toMatch(/action .+\n/);
        expect(tooltip).toMatch(/reward -?\d/);
        expect(tooltip).toMatch(/observation \(\d+\): min .+ max .+ mean/);
        expect(problems).toEqual([]);
        expect(outsideRequests).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );

  it("plays, steps, changes speed and episode, zooms and pans, opens a dropped file", async () => {
    const { page, problems } = await openViewer(pathToFileURL(viewerFile).href);
    try {
      await page.setInputFiles("#open-file", join(scratch, "graph-weighted.ndjson"));
      await waitForFrames(page);
      expect(await page.locator("#episode option").allTextContents()).toEqual([
        "episode 0 (19 steps)",
        "episode 1 (19 steps)",
      ]);
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await expect.poll(async () => (await status(page)).frameIndex).toBe(2);
      await page.keyboard.press("ArrowLeft");
      await expect.poll(async () => (await status(page)).frameIndex).toBe(1);
      await page.keyboard.press("]");
      expect(await page.locator("#speed").inputValue()).toBe("2");
      await page.locator("#episode").selectOption("1");
      await expect.poll(async () => (await status(page)).frameIndex).toBe(0);
      await page.locator("#play").click();
      await expect.poll(async () => (await status(page)).frameIndex, { timeout: 10_000 }).toBeGreaterThan(3);
      await page.keyboard.press(" ");
      await expect.poll(async () => (await status(page)).playing).toBe(false);
      const before = await pixels(page);
      const box = (await page.locator(".pane canvas").boundingBox()) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
      const zoomed = await pixels(page);
      expect(zoomed.hash, "wheel zooms").not.toBe(before.hash);
      await page.mouse.move(box.x + 40, box.y + 40);
      await page.mouse.down();
      await page.mouse.move(box.x + 140, box.y + 90, { steps: 4 });
      await page.mouse.up();
      expect((await pixels(page)).hash, "drag pans").not.toBe(zoomed.hash);
      // Drag-and-drop of a file onto the page.
      const dropped = readFileSync(join(scratch, "grid.ndjson"), "utf8");
      await page.evaluate((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "dropped.ndjson"));
        document.body.dispatchEvent(
          new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      }, dropped);
      await expect.poll(async () => (await status(page)).replays).toEqual(["dropped.ndjson"]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows random and fixed-time signals on the same seed side by side at the same step (embedReplay)", async () => {
    const html = embedReplay(readFileSync(viewerFile, "utf8"), [
      readFileSync(join(scratch, "traffic.ndjson"), "utf8"),
      readFileSync(join(scratch, "fixed-time.ndjson"), "utf8"),
    ]);
    const file = join(scratch, "split.html");
    writeFileSync(file, html);
    const { page, outsideRequests } = await openViewer(pathToFileURL(file).href);
    try {
      await waitForFrames(page);
      expect((await status(page)).replays).toEqual(["embedded replay 1", "embedded replay 2"]);
      await page.locator("#scrub").fill("20");
      const left = await pixels(page, 0);
      const right = await pixels(page, 1);
      expect(left.variance).toBeGreaterThan(20);
      expect(right.variance).toBeGreaterThan(20);
      expect(left.hash, "different policies, different traffic").not.toBe(right.hash);
      const steps = await page.locator(".pane-step").allTextContents();
      expect(steps).toEqual(["step 20 of 40", "step 20 of 40"]);
      expect(await page.locator(".pane-title").allTextContents()).toEqual([
        expect.stringMatching(/^embedded replay 1 · cityflow\/signal-control · random · seed 3 · 9 agents/),
        expect.stringMatching(
          /^embedded replay 2 · cityflow\/signal-control · fixed-time · seed 3 · 9 agents/,
        ),
      ]);
      await page.screenshot({ path: join(ARTEFACTS, "split-view.png") });
      expect(outsideRequests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("opens viewer.html#replay=<relative path> and a gzip-compressed replay", async () => {
    writeFileSync(join(scratch, "grid.ndjson.gz"), gzipSync(readFileSync(join(scratch, "grid.ndjson"))));
    const { page, outsideRequests } = await openViewer(
      `${pathToFileURL(viewerFile).href}#replay=grid.ndjson.gz`,
    );
    try {
      await waitForFrames(page);
      const opened = await status(page);
      expect(opened.error).toBeNull();
      expect(opened.replays).toEqual(["grid.ndjson.gz"]);
      expect((await pixels(page)).variance).toBeGreaterThan(20);
      expect(outsideRequests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("says what is wrong with a corrupted or foreign file, and when a file was cut short", async () => {
    const text = readFileSync(join(scratch, "mpe.ndjson"), "utf8");
    const lines = text.split("\n");
    writeFileSync(
      join(scratch, "corrupted.ndjson"),
      [...lines.slice(0, 4), '{"kind": "frame", "epis', ...lines.slice(5)].join("\n"),
    );
    writeFileSync(join(scratch, "foreign.json"), JSON.stringify({ roadnet: { intersections: [] } }));
    writeFileSync(
      join(scratch, "picture.png"),
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    writeFileSync(join(scratch, "cut.ndjson"), text.slice(0, Math.floor(text.length * 0.6)));
    const frame3 = JSON.parse(lines[5] as string);
    frame3.state.position.b64 = "%%%not base64%%%";
    writeFileSync(
      join(scratch, "bad-frame.ndjson"),
      [...lines.slice(0, 5), JSON.stringify(frame3), ...lines.slice(6)].join("\n"),
    );
    const { page, problems } = await openViewer(pathToFileURL(viewerFile).href);
    try {
      await page.setInputFiles("#open-file", join(scratch, "corrupted.ndjson"));
      await expect.poll(() => page.locator("#error").isVisible()).toBe(true);
      expect(await page.locator("#error").textContent()).toBe("corrupted.ndjson: replay: line 5 is not JSON");
      await page.setInputFiles("#open-file", join(scratch, "foreign.json"));
      await expect
        .poll(() => page.locator("#error").textContent())
        .toBe('foreign.json: replay: line 1 must be an object with a "kind" field');
      await page.setInputFiles("#open-file", join(scratch, "picture.png"));
      await expect
        .poll(() => page.locator("#error").textContent())
        .toBe("picture.png: replay: line 1 is not JSON");
      // A frame whose packed array is damaged: the message names it when it is drawn.
      await page.setInputFiles("#open-file", join(scratch, "bad-frame.ndjson"));
      await waitForFrames(page);
      await page.locator("#scrub").fill("3");
      await expect
        .poll(() => page.locator("#error").textContent())
        .toBe("bad-frame.ndjson: replay: frame t=3 state.position.b64 is not valid base64");
      await page.locator("#scrub").fill("4");
      await expect.poll(() => page.locator("#error").isVisible()).toBe(false);
      await page.setInputFiles("#open-file", join(scratch, "cut.ndjson"));
      await waitForFrames(page);
      expect(await page.locator("#error").isVisible()).toBe(false);
      expect(await page.locator("#banner").textContent()).toMatch(/^cut\.ndjson ended inside a line/);
      expect((await pixels(page)).variance).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe("test artefacts", () => {
  it("keeps a screenshot per family", () => {
    for (const family of FAMILIES) expect(existsSync(join(ARTEFACTS, `${family}.png`)), family).toBe(true);
  });
});
