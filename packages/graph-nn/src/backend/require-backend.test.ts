import { createRng } from "@netmarl/envs";
import { describe, expect, it } from "vitest";
import { Dense } from "../layers/dense.js";

// Its own file (its own process): no backend has been initialised or imported here.
describe("a module built before initBackend", () => {
  it("says to call initBackend instead of tfjs' 'No backend found in registry'", () => {
    expect(() => new Dense({ inputSize: 2, outputSize: 2 }, createRng(0))).toThrow(
      /Dense: no TensorFlow\.js backend is ready \(No backend found in registry\.\); call `await initBackend\(\)` from @netmarl\/graph-nn first/,
    );
  });
});
