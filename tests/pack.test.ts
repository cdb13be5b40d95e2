import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./workspace.js";

// The published shape, not the sources: pack @netmarl/envs as pnpm would publish it, install the
// tarball with npm into a folder outside the repo, and use it from a plain Node ESM script.
const scratch = mkdtempSync(join(tmpdir(), "netmarl-pack-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packed @netmarl/envs", () => {
  it("installs with npm and works from a plain Node ESM script", () => {
    const envsDirectory = join(REPO_ROOT, "packages", "envs");
    expect(existsSync(join(envsDirectory, "dist", "index.js")), "run `pnpm build` before this test").toBe(
      true,
    );
    // Inside `pnpm test`, npm_execpath is the running pnpm (it may not be on PATH when run through
    // npx); it is a native executable in pnpm 12 and a JavaScript file in older versions.
    const execPath = process.env.npm_execpath ?? "";
    const pnpm = !execPath.includes("pnpm")
      ? ["pnpm"]
      : /\.[cm]?js$/.test(execPath)
        ? [process.execPath, execPath]
        : [execPath];
    execFileSync(pnpm[0], [...pnpm.slice(1), "pack", "--pack-destination", scratch], {
      cwd: envsDirectory,
      stdio: "pipe",
    });
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const project = join(scratch, "consumer");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(scratch, tarball!)], {
      cwd: project,
      stdio: "pipe",
    });
    writeFileSync(
      join(project, "smoke.mjs"),
      [
        'import { createRng, CoordinationGame } from "@netmarl/envs";',
        'import { checkEnv } from "@netmarl/envs/testing";',
        "const game = new CoordinationGame({ numAgents: 3 }, createRng(1));",
        "checkEnv(game);",
        "game.reset(0);",
        "const step = game.step(Int32Array.of(0, 0, 0));",
        "let refused = false;",
        "try { game.step(Int32Array.of(0, 5, 0)); } catch (error) { refused = /actions\\[1\\]/.test(error.message); }",
        "console.log(JSON.stringify({ uint: createRng(42).nextUint32(), rewards: step.rewards.length, refused }));",
      ].join("\n"),
    );
    const output = execFileSync("node", ["smoke.mjs"], { cwd: project, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ uint: 2866066740, rewards: 3, refused: true });
  }, 180_000);
});
