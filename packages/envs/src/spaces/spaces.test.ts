import { describe, expect, it } from "vitest";
import { validateActions } from "../env/validate-actions.js";
import { createRng } from "../random/rng.js";
import { Box } from "./box.js";
import { Discrete } from "./discrete.js";
import { MultiDiscrete } from "./multi-discrete.js";

describe("spaces", () => {
  it("Discrete contains integers in [0, n) only and samples inside", () => {
    const space = new Discrete(3);
    expect([0, 1, 2].every((a) => space.contains(a))).toBe(true);
    expect([-1, 3, 0.5, Number.NaN].some((a) => space.contains(a))).toBe(false);
    const out = new Int32Array(1000);
    const rng = createRng(1);
    for (let i = 0; i < out.length; i++) space.sampleInto(rng, out, i);
    expect(new Set(out)).toEqual(new Set([0, 1, 2]));
    expect(() => new Discrete(0)).toThrow(/Discrete\(n\): expected an integer >= 1, got 0/);
  });

  it("MultiDiscrete checks every entry against its own n", () => {
    const space = new MultiDiscrete([2, 5]);
    expect(space.contains([1, 4])).toBe(true);
    expect(space.contains([2, 0])).toBe(false);
    expect(space.contains([1])).toBe(false);
    expect(space.toString()).toBe("MultiDiscrete([2, 5])");
    expect(() => new MultiDiscrete([2, -1])).toThrow(/nvec\[1\]/);
  });

  it("Box checks bounds and shape, samples within finite bounds", () => {
    const space = new Box([2], [-1, 0], [1, 5]);
    expect(space.contains([0, 5])).toBe(true);
    expect(space.contains([0, 5.1])).toBe(false);
    expect(space.contains([Number.NaN, 0])).toBe(false);
    const out = new Float32Array(2 * 500);
    const rng = createRng(2);
    for (let i = 0; i < 500; i++) space.sampleInto(rng, out, 2 * i);
    for (let i = 0; i < 500; i++) expect(space.contains(out.subarray(2 * i, 2 * i + 2))).toBe(true);
    expect(() => new Box([2], [0, 0, 0], 1)).toThrow(/low has 3 entries; expected 2/);
    expect(() => new Box([1], 2, 1)).toThrow(/low\[0\] <= high\[0\]/);
    expect(new Box([3], -Infinity, Infinity).toString()).toBe("Box([3], -Infinity, Infinity)");
  });

  it("validateActions names the entry, the agent and the expected form", () => {
    const space = new Discrete(5);
    expect(() => validateActions("demo", space, 3, Int32Array.of(0, 1, 2))).not.toThrow();
    expect(() => validateActions("demo", space, 3, Int32Array.of(0, 1))).toThrow(
      "demo.step(actions): got 2 action entries; expected 3 (3 agents × 1 for Discrete(5))",
    );
    expect(() => validateActions("demo", space, 3, Int32Array.of(0, 7, 2))).toThrow(
      "demo.step(actions): actions[1] (agent 1) = 7 is outside Discrete(5): expected an integer in [0, 5)",
    );
    const box = new Box([2], -1, 1);
    expect(() => validateActions("demo", box, 2, Float32Array.of(0, 0, 0, 2))).toThrow(
      /actions\[3\] \(agent 1\) = 2 is outside Box\(\[2\], -1, 1\): expected a number in \[-1, 1\]/,
    );
    expect(() => validateActions("demo", box, 2, null as never)).toThrow(TypeError);
  });
});
