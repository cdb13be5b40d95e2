import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimSuiteDirectory, inspectSeed, RESULTS_FORMAT, ResultStoreError, seedPaths, writeJsonAtomic } from "./result-store.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-store-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");

describe("atomic writes", () => {
  it("a writer killed mid-file leaves the previous complete file, never a torn one", async () => {
    const path = join(scratch, "atomic", "big.bin");
    mkdirSync(join(scratch, "atomic"));
    const size = 8 * 1024 * 1024;
    const child = spawn(
      process.execPath,
      ["--conditions=@netmarl/source", "--import", "tsx", join(import.meta.dirname, "atomic-writer.fixture.ts"), path, String(size)],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    // Kill at several points of the write loop; after each kill the file must be one whole version.
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("close", resolve));
    const content = readFileSync(path);
    expect(content.length).toBe(size);
    expect(content.every((byte) => byte === content[0])).toBe(true);
    expect([97, 98]).toContain(content[0]);
    // The killed process may leave its temporary file behind; it never replaces the target.
    for (const name of readdirSync(join(scratch, "atomic"))) expect(name === "big.bin" || name.endsWith(".tmp")).toBe(true);
    expect(statSync(path).size).toBe(size);
  }, 30_000);
});

describe("result folders", () => {
  const experiment = {
    env: { id: "coordination-game", options: {} },
    algorithm: { id: "random", config: {} },
    run: { steps: 10, evalEvery: 0, evalEpisodes: 1 },
    seeds: [0],
  };
  const config = { format: RESULTS_FORMAT, suite: "demo", experiment, seed: 0, runConfig: { totalEnvSteps: 10 } } as const;

  it("tells new, unfinished and finished seeds apart, refusing another config", () => {
    const suite = join(scratch, "demo");
    const paths = seedPaths(suite, experiment, 0);
    expect(inspectSeed(paths, config)).toBe("new");
    writeJsonAtomic(paths.config, config);
    expect(inspectSeed(paths, config)).toBe("unfinished");
    writeJsonAtomic(paths.summary, { format: RESULTS_FORMAT });
    expect(inspectSeed(paths, config)).toBe("finished");
    expect(() => inspectSeed(paths, { ...config, runConfig: { totalEnvSteps: 20 } })).toThrow(/different experiment or run config/);
  });

  it("refuses corrupted and foreign files and folders instead of overwriting them", () => {
    const suite = join(scratch, "corrupt");
    const paths = seedPaths(suite, experiment, 0);
    mkdirSync(paths.directory, { recursive: true });
    writeFileSync(paths.config, '{"format": "netmarl-res');
    expect(() => inspectSeed(paths, config)).toThrow(/is corrupted \(not valid JSON/);
    writeFileSync(paths.config, JSON.stringify({ something: "else" }));
    expect(() => inspectSeed(paths, config)).toThrow(ResultStoreError);
    const stranger = join(scratch, "stranger", "seed-0");
    mkdirSync(stranger, { recursive: true });
    writeFileSync(join(stranger, "notes.txt"), "mine");
    expect(() => claimSuiteDirectory(join(scratch, "stranger"), "stranger")).toThrow(/not empty and has no manifest\.json/);
    expect(readFileSync(join(stranger, "notes.txt"), "utf8")).toBe("mine");
    const other = join(scratch, "other");
    writeJsonAtomic(join(other, "manifest.json"), { format: RESULTS_FORMAT, suite: { name: "quick" } });
    expect(() => claimSuiteDirectory(other, "other")).toThrow(/holds results of suite "quick", not "other"/);
  });
});
