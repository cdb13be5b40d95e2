import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "@netmarl/graph-nn";
import { loadRunCheckpoint, type MetricRecord, readJsonl } from "@netmarl/trainers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createIpResumeRunner } from "./ip-resume-child.fixture.js";

const scratch = mkdtempSync(join(tmpdir(), "netmarl-ip-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend("cpu", { log: false });
});
const repoRoot = join(import.meta.dirname, "..", "..", "..");
const TOTAL = 1_000;

function records(directory: string): MetricRecord[] {
  return readJsonl(readFileSync(join(directory, "metrics.jsonl"), "utf8")).map(
    ({ "time/env-steps-per-second": _, ...rest }) => rest as MetricRecord,
  );
}

it("IP survives kill -9 of a child mid-run: resumed from its checkpoint it equals the uninterrupted run", async () => {
  const uninterrupted = join(scratch, "uninterrupted");
  const killed = join(scratch, "killed");
  mkdirSync(uninterrupted);
  mkdirSync(killed);
  createIpResumeRunner(uninterrupted, TOTAL).run();
  const child = spawn(
    process.execPath,
    [
      "--conditions=@netmarl/source",
      "--import",
      "tsx",
      join(import.meta.dirname, "ip-resume-child.fixture.ts"),
      killed,
      String(TOTAL * 20),
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("checkpoint 600")) {
        child.kill("SIGKILL");
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`child exited (${code}) before it was killed: ${stderr}`)));
  });
  await new Promise((resolve) => child.once("close", resolve));
  const checkpoint = loadRunCheckpoint(join(killed, "checkpoint.bin"));
  expect(checkpoint.envSteps).toBeGreaterThanOrEqual(600);
  expect(checkpoint.envSteps).toBeLessThan(TOTAL);
  createIpResumeRunner(killed, TOTAL).run({ resumeFrom: join(killed, "checkpoint.bin") });
  const expected = records(uninterrupted);
  expect(expected.filter((record) => record.kind === "update").length).toBeGreaterThan(10);
  expect(records(killed)).toEqual(expected);
}, 120_000);
