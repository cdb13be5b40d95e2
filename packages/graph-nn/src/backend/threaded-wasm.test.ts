import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "../../../..");

function train(threads: number): { log: string; fingerprint: number; sample: number; gemmThreads: number } {
  const child = spawnSync(
    process.execPath,
    [
      "--conditions=@netmarl/source",
      "--import",
      "tsx",
      join(import.meta.dirname, "threaded-wasm.fixture.ts"),
      String(threads),
    ],
    { cwd: repoRoot, encoding: "utf8", timeout: 60_000 },
  );
  if (child.status !== 0) throw new Error(`fixture with ${threads} threads failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").pop() ?? "");
}

describe("the multi-threaded wasm backend under Node", () => {
  it("runs with 2 threads, gives bit-identical training to 1 thread, and lets the process exit", () => {
    const one = train(1);
    const two = train(2);
    expect(one.log).toBe("[netmarl] TensorFlow.js backend: wasm");
    expect(two.log).toBe("[netmarl] TensorFlow.js backend: wasm (2 threads)");
    // NetMARL's matrix kernels split large products over a helper thread with two wasm threads.
    expect([one.gemmThreads, two.gemmThreads]).toEqual([1, 2]);
    expect(two.fingerprint).toBe(one.fingerprint);
    expect(two.sample).toBe(one.sample);
  }, 120_000);
});
