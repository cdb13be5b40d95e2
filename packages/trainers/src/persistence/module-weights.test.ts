import { createRng } from "@netmarl/envs";
import { initBackend, MLP } from "@netmarl/graph-nn";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeModules, loadModules } from "./module-weights.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const options = { inputSize: 3, hiddenSizes: [4], outputSize: 2 };

describe("encodeModules / loadModules", () => {
  it("round-trips several modules bit-exactly through JSON", () => {
    const source = { actor: new MLP(options, createRng(1)), critic: new MLP(options, createRng(2)) };
    const copy = { actor: new MLP(options, createRng(3)), critic: new MLP(options, createRng(4)) };
    loadModules(JSON.parse(JSON.stringify(encodeModules(source))), copy, "test");
    for (const key of ["actor", "critic"] as const) {
      const want = source[key].getWeights();
      const got = copy[key].getWeights();
      for (let i = 0; i < want.length; i++)
        expect(Array.from(got[i].values)).toEqual(Array.from(want[i].values));
    }
    for (const module of [...Object.values(source), ...Object.values(copy)]) module.dispose();
  });

  it("refuses a state without one of the modules, naming the key", () => {
    const actor = new MLP(options, createRng(1));
    expect(() => loadModules({}, { actor }, "maddpg.load")).toThrow(
      /maddpg\.load: the state has no "actor" weights/,
    );
    actor.dispose();
  });
});
