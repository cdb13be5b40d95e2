import { packArray, type ReplayFrame, type ReplayGraph } from "@netmarl/envs/replay";
import { describe, expect, it } from "vitest";
import { resolveEpisodeGraphs } from "./graph-overlay.js";

const graph = (label: string): ReplayGraph => ({
  offsets: packArray(new Int32Array([0, 0])),
  targets: packArray(new Int32Array(0)),
  label,
  directed: false,
});
const frame = (t: number, graphs?: Record<string, ReplayGraph>): ReplayFrame => ({
  kind: "frame",
  episode: 0,
  t,
  state: { agentValue: packArray(new Float32Array(1)) },
  ...(graphs ? { graphs } : {}),
});

describe("resolveEpisodeGraphs", () => {
  it("keeps each overlay until a frame replaces it (absent = unchanged), sharing unchanged maps", () => {
    const env0 = graph("env 0");
    const env2 = graph("env 2");
    const sharing1 = graph("sharing 1");
    const effective = resolveEpisodeGraphs([
      frame(0, { env: env0 }),
      frame(1, { sharing: sharing1 }),
      frame(2),
      frame(3, { env: env2 }),
    ]);
    expect(effective).toEqual([
      { env: env0 },
      { env: env0, sharing: sharing1 },
      { env: env0, sharing: sharing1 },
      { env: env2, sharing: sharing1 },
    ]);
    expect(effective[2]).toBe(effective[1]);
  });
});
