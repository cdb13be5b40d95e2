import { fileURLToPath } from "node:url";

/**
 * Absolute path of the built viewer (`dist/viewer.html`, written by `pnpm build`). Resolved from
 * this module's own location, which is one folder deep in both `src/` and `dist/`.
 */
export function viewerHtmlPath(): string {
  return fileURLToPath(new URL("../dist/viewer.html", import.meta.url));
}
