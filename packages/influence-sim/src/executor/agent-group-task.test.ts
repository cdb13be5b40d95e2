import { initBackend } from "@netmarl/graph-nn";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { dialsConfigSchema } from "../dials/dials-config.js";
import type { LocalAgentState } from "../dials/local-agent.js";
import { runAgentGroupTask } from "./agent-group-task.js";
import { InlineExecutor } from "./inline-executor.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

const setup = {
  environment: { id: "dials/traffic", options: { rows: 2, columns: 2, maxSteps: 30 } },
  config: dialsConfigSchema.parse({ ppo: { hiddenSizes: [16, 16], memorySize: 32 } }),
  seed: 5,
  numAgents: 4,
};

describe("runAgentGroupTask", () => {
  it("chained through the agents' states, gives a long-lived group's numbers; no tensors left", async () => {
    const before = tf.memory().numTensors;
    const inline = new InlineExecutor();
    await inline.start(setup);
    const first = await inline.trainAgents(40);
    const second = await inline.trainAgents(40);
    await inline.close();

    const agents = [1, 3];
    const one = runAgentGroupTask({ setup, agents, work: { type: "trainAgents", steps: 40 } });
    const states: LocalAgentState[] = one.training!.map((result) => result.state);
    const two = runAgentGroupTask({ setup, agents, states, work: { type: "trainAgents", steps: 40 } });
    expect(tf.memory().numTensors).toBe(before);
    const returns = (results: { agent: number; episodeReturns: number[] }[]) =>
      results.map((result) => [result.agent, result.episodeReturns]);
    expect(returns(one.training!)).toEqual(returns([first[1], first[3]]));
    expect(returns(two.training!)).toEqual(returns([second[1], second[3]]));
    expect(two.training![1].state.ppo.weights).toEqual(second[3].state.ppo.weights);
  }, 60_000);

  it("refuses states that do not match the agents", () => {
    expect(() =>
      runAgentGroupTask({ setup, agents: [0, 1], states: [], work: { type: "trainAgents", steps: 8 } }),
    ).toThrow(/0 states for 2 agents; expected one per agent/);
  });
});
