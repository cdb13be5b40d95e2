import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@netmarl/envs";
import { initBackend, MLP } from "@netmarl/graph-nn";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeModules, loadModules } from "./module-weights.js";
import { readStateFile, writeStateFile } from "./state-file.js";

beforeAll(async () => {
  await initBackend("cpu", { log: false });
});

const options = { inputSize: 3, hiddenSizes: [4], outputSize: 2 };

describe("encodeModules / loadModules", () => {
  it("round-trips several modules bit-exactly through a state file", () => {
    const source = { actor: new MLP(options, createRng(1)), critic: new MLP(options, createRng(2)) };
    const copy = { actor: new MLP(options, createRng(3)), critic: new MLP(options, createRng(4)) };
    const path = join(mkdtempSync(join(tmpdir(), "netmarl-modules-")), "modules.bin");
    writeStateFile(path, encodeModules(source));
    loadModules(readStateFile(path, "modules.bin") as Record<string, unknown>, copy, "test");
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
