import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureNnSpeed } from "./measure-nn-speed.js";
import { measurePicReference } from "./measure-train-speed.js";

/** The PyTorch references are optional tooling: these tests run where python3 + torch are installed. */
const hasTorch = ["python3", "/usr/bin/python3"].some(
  (python) => spawnSync(python, ["-c", "import torch, numpy"]).status === 0,
);

describe("PyTorch references measured in the same run (issue 20)", () => {
  it.skipIf(!hasTorch)(
    "nn-speed --reference times the same mean-field step in PyTorch and reports the ratio",
    async () => {
      const result = await measureNnSpeed({
        backends: ["cpu"],
        networks: ["mean-field"],
        batchSize: 2,
        numAgents: 12,
        neighbours: 3,
        hiddenSize: 16,
        steps: 2,
        profile: false,
        reference: true,
      });
      expect(result.reference?.threads).toBe(1);
      expect(result.reference?.stepSeconds).toHaveLength(2);
      const timing = result.backends[0].results[0];
      expect(timing.ratioToReference).toBeCloseTo(
        result.reference!.secondsPerStep / timing.secondsPerStep,
        10,
      );
    },
    60_000,
  );

  it("refuses a PIC source without the original code, and algorithms PIC has no update block for", () => {
    const spec = { numAgents: 3, obsDim: 18, numActions: 5 };
    const empty = mkdtempSync(join(tmpdir(), "netmarl-no-pic-"));
    expect(() => measurePicReference("pic", spec, empty, 1)).toThrow(
      /--pic-source: ".*" holds no ddpg_vec.py/,
    );
    expect(() => measurePicReference("mappo", spec, empty, 1)).toThrow(
      /update block exists for maddpg, maddpgs, pic; not for "mappo"/,
    );
  });
});
