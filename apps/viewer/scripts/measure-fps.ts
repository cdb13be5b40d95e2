/**
 * `pnpm --filter @netmarl/viewer fps -- <replay> [--seconds 8] [--speed 16] [--zoom 1] [--overlays] [--json]`: opens the
 * replay in the viewer in headless Chromium (as a user would, through Open replay…), plays it
 * round and round and reports the frames actually drawn per second (requestAnimationFrame-driven)
 * and the JavaScript time of each draw, with what was drawn and the machine's load.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parseReplayBytes, type TrafficState, unpackArray } from "@netmarl/envs/replay";
import { chromium } from "playwright-core";
import type { DrawReport } from "../src/browser/draw-statistics.js";
import { buildViewerHtml } from "./build-viewer-html.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function positiveNumber(text: string, field: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`fps: --${field} must be a positive number, got "${text}"`);
  return value;
}

/** What a frame of this replay holds, for the report: vehicles (traffic) or entities (MPE) per frame. */
async function describeReplay(
  path: string,
): Promise<{ family: string; env: string; frames: number; perFrame: string }> {
  const replay = await parseReplayBytes(new Uint8Array(readFileSync(path)));
  const frames = replay.episodes.flatMap((episode) => episode.frames);
  if (replay.header.family === "traffic") {
    const counts = frames.map(
      (frame) => unpackArray((frame.state as TrafficState).vehicleIds, "vehicleIds").length,
    );
    const mean = counts.reduce((sum, n) => sum + n, 0) / Math.max(counts.length, 1);
    const scene = replay.scene as { intersectionIds: readonly string[]; numDrivables: number };
    return {
      family: "traffic",
      env: replay.header.env,
      frames: frames.length,
      perFrame: `vehicles per frame mean ${mean.toFixed(0)}, max ${Math.max(...counts)}; ${scene.intersectionIds.length} intersections, ${scene.numDrivables} drivables`,
    };
  }
  if (replay.scene.family === "mpe") {
    return {
      family: "mpe",
      env: replay.header.env,
      frames: frames.length,
      perFrame: `${replay.scene.numEntities} entities (${replay.header.numAgents} agents) per frame`,
    };
  }
  return {
    family: replay.header.family,
    env: replay.header.env,
    frames: frames.length,
    perFrame: `${replay.header.numAgents} agents`,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "8" },
      speed: { type: "string", default: "16" },
      width: { type: "string", default: "1280" },
      height: { type: "string", default: "800" },
      zoom: { type: "string", default: "1" },
      overlays: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const replayArgument = positionals[0];
  if (replayArgument === undefined)
    throw new Error("fps: give a replay file: pnpm --filter @netmarl/viewer fps -- <replay>");
  // pnpm runs scripts in the package folder; paths are the caller's.
  const replayPath = resolve(process.env.INIT_CWD ?? process.cwd(), replayArgument);
  const seconds = positiveNumber(values.seconds, "seconds");
  const speed = positiveNumber(values.speed, "speed");
  const described = await describeReplay(replayPath);
  const viewerFile = await buildViewerHtml(join(tmpdir(), `netmarl-viewer-fps-${process.pid}.html`));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({
      viewport: {
        width: positiveNumber(values.width, "width"),
        height: positiveNumber(values.height, "height"),
      },
    });
    const loadStarted = performance.now();
    await page.goto(pathToFileURL(viewerFile).href);
    await page.setInputFiles("#open-file", replayPath);
    // Polled with evaluate: waitForFunction's string predicates use eval, which the page's CSP forbids.
    while (
      !(await page.evaluate("(s => s.frameIndex >= 0 || s.error !== null)(window.netmarlViewer.status())"))
    ) {
      if (performance.now() - loadStarted > 300_000)
        throw new Error("fps: the replay did not open within 300 s");
      await page.waitForTimeout(100);
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const error = await page.evaluate("window.netmarlViewer.status().error");
    if (error !== null) throw new Error(`fps: the viewer could not open the replay: ${String(error)}`);
    // Overlays start off above 400 agents; --overlays draws every one.
    if (values.overlays) await page.evaluate("window.netmarlViewer.setAllOverlays(true)");
    const zoom = positiveNumber(values.zoom, "zoom");
    if (zoom !== 1) {
      // Zoom at the centre with the wheel, as a user would (the page zooms by exp(-deltaY × 0.0015)).
      const box = (await page.locator(".pane canvas").boundingBox()) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -Math.log(zoom) / 0.0015);
    }
    // One second of warm-up (JIT, caches), then the measured run.
    await page.evaluate(`window.netmarlViewer.startMeasuring(${speed})`);
    await page.waitForTimeout(1000);
    await page.evaluate("window.netmarlViewer.stopMeasuring()");
    await page.evaluate(`window.netmarlViewer.startMeasuring(${speed})`);
    await page.waitForTimeout(seconds * 1000);
    const report = (await page.evaluate("window.netmarlViewer.stopMeasuring()")) as DrawReport;
    const result = {
      replay: replayArgument,
      ...described,
      viewport: `${values.width}×${values.height}${zoom !== 1 ? `, zoom ${zoom}×` : ""}${values.overlays ? ", all overlays" : ""}`,
      speed,
      loadSeconds,
      ...report,
      chromium: browser.version(),
      cores: cpus().length,
      loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(
      [
        `${result.env} (${result.family}), ${result.frames} frames: ${result.perFrame}`,
        `${result.framesPerSecond.toFixed(1)} frames drawn per second over ${result.seconds.toFixed(1)} s at ${speed}× (${result.framesDrawn} frames, ${result.viewport})`,
        `draw time per frame (JavaScript): mean ${result.drawMillisecondsMean.toFixed(2)} ms, p95 ${result.drawMillisecondsP95.toFixed(2)} ms, max ${result.drawMillisecondsMax.toFixed(2)} ms`,
        `opened in ${loadSeconds.toFixed(1)} s · headless Chromium ${result.chromium} · ${result.cores} cores · load average ${result.loadAverage.join(" ")}`,
        "",
      ].join("\n"),
    );
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
