import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// Identical in every package: the entry points a package does not have are skipped.
export default defineConfig({
  entry: ["src/index.ts", "src/testing.ts", "src/cli.ts"].filter((file) => existsSync(file)),
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
