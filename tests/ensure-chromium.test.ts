import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./workspace.js";

const script = join(REPO_ROOT, "tests", "ensure-chromium.mjs");

describe("pnpm test provisions Chromium for the report tests", () => {
  it("runs tests/ensure-chromium.mjs before anything else", () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(manifest.scripts.test).toMatch(/^node tests\/ensure-chromium\.mjs && /);
  });

  it("stops with what to do, never skips, when the chosen browser does not exist", () => {
    const result = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CHROMIUM_PATH=\/nonexistent\/chromium does not exist/);
  });

  it("passes when a browser is there", () => {
    const result = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, CHROMIUM_PATH: process.execPath },
    });
    expect(result.status).toBe(0);
  });
});
