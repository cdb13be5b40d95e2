import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchToFiles } from "./cli.fixture.js";
import { snapshotSuite } from "./execution/suite-snapshot.fixture.js";
import type { SuiteInput } from "./suites/experiment-schema.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-no-tty-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// One experiment never evaluates (its skipped seeds have no evaluation return): that is the case
// that crashed the plain-line progress of a re-run.
const suite: SuiteInput = {
  name: "no-tty",
  description: "kill -9 and resume with output redirected to files",
  figure: "none",
  experiments: [
    {
      env: { id: "coordination-game", options: { numAgents: 3 } },
      algorithm: { id: "tabular-q", config: { epsilonDecaySteps: 20_000 } },
      run: { steps: 60_000, evalEvery: 20_000, evalEpisodes: 5, checkpointEvery: 5_000 },
      seeds: [0, 1],
    },
    {
      env: { id: "coordination-game", options: { numAgents: 3 } },
      algorithm: { id: "random" },
      run: { steps: 5_000 },
      seeds: [0, 1],
    },
  ],
};
const suiteFile = join(scratch, "no-tty.json");
writeFileSync(suiteFile, JSON.stringify(suite));
// Two worker threads on the wasm backend: the configuration that dumped tfjs-backend-wasm's source.
const common = ["--workers", "2", "--backend", "wasm"];

/** Output of a finished CLI run, with the checks every run here must pass. */
async function finished(name: string, ...args: string[]) {
  const prefix = join(scratch, name);
  const code = await benchToFiles(prefix, ...args).exited;
  const stdout = readFileSync(`${prefix}.stdout`, "utf8");
  const stderr = readFileSync(`${prefix}.stderr`, "utf8");
  expect(stderr).not.toMatch(/TypeError|toFixed|Module\[|var Module/);
  expect({ code, stderrTail: stderr.slice(-500) }).toEqual({ code: 0, stderrTail: stderr.slice(-500) });
  expect(stderr.length).toBeLessThan(4_000);
  return { stdout, stderr };
}

describe("bench run / resume with stdout and stderr redirected to files (no terminal)", () => {
  it("after kill -9 mid-run, run again and resume exit 0 with the uninterrupted results", async () => {
    const uninterrupted = join(scratch, "uninterrupted");
    await finished("uninterrupted", "run", suiteFile, "--out", uninterrupted, ...common);

    const killed = join(scratch, "killed");
    const seed1 = join(killed, "no-tty", "coordination-game-v1", "tabular-q", "seed-1");
    const { child, exited } = benchToFiles(
      join(scratch, "killed-run"),
      "run",
      suiteFile,
      "--out",
      killed,
      ...common,
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(join(seed1, "checkpoints", "checkpoint.bin"))) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 5);
      exited.then(() => {
        clearInterval(timer);
        reject(new Error("the run finished before it could be killed"));
      });
    });
    expect(await exited).toBe("SIGKILL");
    expect(existsSync(join(seed1, "summary.json"))).toBe(false);

    const again = await finished("run-again", "run", suiteFile, "--out", killed, ...common);
    expect(again.stderr).toMatch(/coordination-game-v1 tabular-q seed 1\] resumed/);
    expect(again.stdout).toMatch(/report: .*index\.html/);
    const resumed = await finished("resume", "resume", join(killed, "no-tty"), ...common);
    expect(resumed.stderr).toMatch(/coordination-game-v1 random seed 0\] skipped .*last evaluation none/);

    expect(snapshotSuite(join(killed, "no-tty"))).toEqual(snapshotSuite(join(uninterrupted, "no-tty")));
  }, 120_000);
});
