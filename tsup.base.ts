import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// The one build config of every package (each package's tsup.config.ts re-exports it); tsup runs
// in the package folder, so the entry points a package does not have are skipped.
export default defineConfig({
  entry: ["src/index.ts", "src/testing.ts", "src/replay.ts", "src/cli.ts", "src/worker.ts"].filter((file) =>
    existsSync(file),
  ),
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
