import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";
import { buildViewerHtml } from "../scripts/build-viewer-html.js";
import { recordFamilyReplay } from "../test-fixtures/family-fixtures.js";
import { REPLAY_SCRIPT_TYPE, viewerHtmlPath } from "./index.js";

const PACKAGE = join(import.meta.dirname, "..");
// By path: `--import tsx` would resolve from the example's working folder, outside the repo.
const TSX = pathToFileURL(join(PACKAGE, "..", "..", "node_modules", "tsx", "dist", "esm", "index.mjs")).href;
const scratch = mkdtempSync(join(tmpdir(), "netmarl-viewer-readme-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("runs the README's TypeScript example", { timeout: 120_000 }, async () => {
  if (!existsSync(viewerHtmlPath())) await buildViewerHtml(viewerHtmlPath());
  recordFamilyReplay("grid", join(scratch, "episode.ndjson"), { kind: "random", seed: 0 });
  recordFamilyReplay("grid", join(scratch, "baseline.ndjson"), { kind: "random", seed: 1 });
  const readme = readFileSync(join(PACKAGE, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] as string);
  expect(blocks.length).toBeGreaterThan(0);
  for (const [index, block] of blocks.entries()) {
    // Inside the package, so `@netmarl/viewer` resolves to itself (Node's self-reference).
    const file = join(PACKAGE, `.readme-example-${process.pid}-${index}.ts`);
    writeFileSync(file, block);
    try {
      execFileSync(process.execPath, ["--conditions=@netmarl/source", "--import", TSX, file], {
        cwd: scratch,
        stdio: "pipe",
        timeout: 100_000,
      });
    } finally {
      unlinkSync(file);
    }
  }
  const page = readFileSync(join(scratch, "compare.html"), "utf8");
  expect(page.split(`<script type="${REPLAY_SCRIPT_TYPE}">`)).toHaveLength(3);
  expect(readFileSync(join(scratch, "episode.html"), "utf8")).toContain('"family":"grid"');
});
