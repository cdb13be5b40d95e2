import { packArray, REPLAY_FORMAT, type ReplayFrame, type ReplayHeader } from "@netmarl/envs/replay";
import { describe, expect, it } from "vitest";
import { describeAgentAtFrame, summariseObservation } from "./agent-summary.js";

const header: ReplayHeader = {
  kind: "header",
  format: REPLAY_FORMAT,
  version: 1,
  family: "graph",
  env: "aloha-v1",
  envOptions: {},
  numAgents: 2,
  obsDim: 8,
  recordEvery: 1,
  agentLabels: ["island A", "island B"],
};

describe("hover summary", () => {
  it("gives min, max, mean and the first six entries of one agent's observation", () => {
    const obs = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(summariseObservation(obs, 8, 1)).toEqual([
      "observation (8): min 8, max 15, mean 11.500",
      "  first: 8, 9, 10, 11, 12, 13, …",
    ]);
  });

  it("names the agent and its action, with the reward of the step that led to the frame", () => {
    const frame: ReplayFrame = {
      kind: "frame",
      episode: 0,
      t: 3,
      state: {},
      actions: packArray(new Int32Array([0, 1])),
      rewards: packArray(new Float32Array([-1, 0.5])),
    };
    expect(describeAgentAtFrame(header, frame, 1, ["backlog 2"], ["wait", "transmit"])).toEqual([
      "island B",
      "backlog 2",
      "action transmit (1)",
      "reward 0.500",
    ]);
    const reset: ReplayFrame = { kind: "frame", episode: 0, t: 0, state: {} };
    expect(describeAgentAtFrame(header, reset, 0, [], undefined)).toEqual([
      "island A",
      "action — (reset state)",
    ]);
  });
});
