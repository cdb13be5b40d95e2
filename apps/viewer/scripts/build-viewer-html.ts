/**
 * Builds `dist/viewer.html`: the browser code bundled by esbuild (from sources, through the
 * `@netmarl/source` condition, so no package needs building first) and inlined with its CSS into
 * the template — one file with no external reference, to open from `file://`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const BROWSER_SOURCES = join(import.meta.dirname, "..", "src", "browser");
const SCRIPT_MARK = "/*netmarl-viewer-script*/";
const STYLE_MARK = "/*netmarl-viewer-style*/";

export async function buildViewerHtml(outFile: string): Promise<string> {
  const bundled = await build({
    entryPoints: [join(BROWSER_SOURCES, "main.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome110",
    minify: true,
    write: false,
    conditions: ["@netmarl/source"],
    legalComments: "none",
    logLevel: "silent",
  });
  const script = (bundled.outputFiles[0]?.text ?? "").replaceAll("</script", "<\\/script");
  const style = readFileSync(join(BROWSER_SOURCES, "viewer.css"), "utf8");
  const template = readFileSync(join(BROWSER_SOURCES, "viewer-template.html"), "utf8");
  if (!template.includes(SCRIPT_MARK) || !template.includes(STYLE_MARK)) {
    throw new Error("build-viewer-html: viewer-template.html lost its script or style mark");
  }
  // Functions as replacements: `$` in the minified code must not be read as a pattern.
  const html = template.replace(STYLE_MARK, () => style).replace(SCRIPT_MARK, () => script);
  mkdirSync(dirname(outFile), { recursive: true });
  const temporary = `${outFile}.${process.pid}.tmp`;
  writeFileSync(temporary, html);
  renameSync(temporary, outFile);
  return outFile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const outFile = await buildViewerHtml(join(import.meta.dirname, "..", "dist", "viewer.html"));
  process.stdout.write(`wrote ${outFile}\n`);
}
