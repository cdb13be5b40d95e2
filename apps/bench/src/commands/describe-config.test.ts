import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractConfigDocs } from "../../scripts/extract-config-docs.js";
import { ALGORITHMS } from "../registry/algorithms.js";
import { CONFIG_DOCS } from "../registry/config-docs.generated.js";
import { ENVIRONMENTS } from "../registry/environments.js";
import { describeConfig } from "./describe-config.js";

const shapeKeys = (schema: unknown) =>
  Object.keys((schema as { _zod: { def: { shape?: Record<string, unknown> } } })._zod.def.shape ?? {});

describe("describeConfig", () => {
  it("lists every config key of every algorithm with a type and a default", () => {
    for (const algorithm of ALGORITHMS) {
      const described = describeConfig(algorithm.id);
      expect(
        described.keys.map((k) => k.key),
        algorithm.id,
      ).toEqual(shapeKeys(algorithm.configSchema));
      for (const key of described.keys) {
        expect(key.type, `${algorithm.id}.${key.key}`).not.toBe("");
        expect(key.doc, `${algorithm.id}.${key.key} has no TSDoc line`).toBeTruthy();
      }
    }
    expect(describeConfig("dqn").keys.find((k) => k.key === "learningRate")).toEqual({
      key: "learningRate",
      type: "number > 0",
      default: "0.0005",
      doc: "Step size (`lr`: 0.0005).",
    });
  });

  it("lists every option of every environment", () => {
    for (const environment of ENVIRONMENTS) {
      const { keys } = describeConfig(environment.id);
      expect(keys.length, environment.id).toBeGreaterThan(0);
      for (const key of keys) expect(key.doc, `${environment.id}.${key.key} has no TSDoc line`).toBeTruthy();
    }
    expect(describeConfig("coordination-game").keys.find((k) => k.key === "tieMargin")).toMatchObject({
      type: "integer ≥ 0",
      default: "(none)",
    });
  });

  it("ships the TSDoc lines of the current sources (else run `pnpm --filter @netmarl/bench config-docs`)", () => {
    expect(CONFIG_DOCS).toEqual(extractConfigDocs(join(import.meta.dirname, "..", "..", "..", "..")));
  });

  it("suggests the closest id for a typo", () => {
    expect(() => describeConfig("mapo")).toThrow(/Did you mean "mappo"\?/);
    expect(() => describeConfig("coordination")).toThrow(/Did you mean "coordination-game-v1"\?/);
  });
});
