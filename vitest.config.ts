import { defineConfig } from "vitest/config";

// Tests run on the sources of every package: the `@netmarl/source` export condition points each
// `@netmarl/*` import at `src/index.ts`, so no build is needed before a test run.
const conditions = ["@netmarl/source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@netmarl/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    environment: "node",
    reporters: ["default", "./tests/summary-line-reporter.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
