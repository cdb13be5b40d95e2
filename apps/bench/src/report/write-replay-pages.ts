import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, posix, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { writeFileAtomic } from "@netmarl/trainers";
import { embedReplay, viewerHtmlPath } from "@netmarl/viewer";
import type { SuiteReport } from "./aggregate-suite.js";

/** A recorded episode as the report links it (hrefs relative to the report folder). */
export interface ReplayLink {
  experiment: string;
  seed: number;
  /** The replay file itself (`docs/replay-format.md`). */
  replayHref: string;
  /** A self-contained viewer page with the replay inside (absent when the viewer is not built). */
  pageHref?: string;
}

/**
 * Links every experiment's recorded replays and, when the viewer is built
 * (`apps/viewer/dist/viewer.html`), writes one viewer page per replay into `report/replays/` with
 * the replay embedded — it opens from `file://` (a hash link would need a fetch, which browsers
 * block for file URLs).
 */
export function writeReplayPages(
  suiteDirectory: string,
  report: SuiteReport,
  viewerHtml = readBuiltViewer(),
): ReplayLink[] {
  const links: ReplayLink[] = [];
  for (const experiment of report.experiments) {
    for (const { seed, path } of experiment.replays) {
      const relativePath = path.split(sep).join(posix.sep);
      const link: ReplayLink = {
        experiment: `${experiment.environmentName} / ${experiment.algorithmName}`,
        seed,
        replayHref: `../${relativePath}`,
      };
      if (viewerHtml !== undefined) {
        const page = `replays/${experiment.folder.replace(/[^A-Za-z0-9._-]+/g, "_")}-seed-${seed}.html`;
        const bytes = readFileSync(join(suiteDirectory, path));
        const text = (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString("utf8");
        mkdirSync(join(suiteDirectory, "report", "replays"), { recursive: true });
        writeFileAtomic(join(suiteDirectory, "report", page), embedReplay(viewerHtml, text));
        link.pageHref = page;
      }
      links.push(link);
    }
  }
  return links;
}

function readBuiltViewer(): string | undefined {
  const path = viewerHtmlPath();
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}
